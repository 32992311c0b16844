"""Attributes, and the one hard question about struct-typed ones: nested_type or cty object.

A plugin-framework nested attribute (protocol 6) carries `nested_type` with each
field's own flags; an SDKv2 attribute of object type carries a cty `object` type. The
generator copies the parent's flags onto every field of a cty object but keeps a nested
attribute's own flags, so differing flags prove nested_type (and are kept as
evidence); equal flags fit both and follow the builder's `prefer_nested`.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from .model import HclEntry, Member, upper_first
from .shapes import Shape, member_shape

if TYPE_CHECKING:
    from .builder import Builder, Ctx


def build_attribute(
    b: Builder, ctx: Ctx, m: Member, shape: Shape, path: str, stack: tuple[str, ...], desc: str | None
) -> dict[str, Any]:
    """One attribute in Terraform's shape; struct-typed ones as nested_type or a cty object."""
    attr = _flags(m, desc)
    if shape.kind in ("prim", "coll"):
        attr["type"] = shape.cty
        b.record_notes(shape, path)
        return attr
    # struct-typed attribute: nested_type or cty object
    key = shape.struct
    assert key is not None
    if key in stack:
        b.resolve("recursion_cut", path, "dynamic")
        attr["type"] = "dynamic"
        return attr
    children = b.struct_members(ctx, key, path)
    if _is_nested(b, ctx, m, children, path):
        inner_ctx = dataclasses.replace(ctx, iface=upper_first(key), in_nested=True)
        hcl = ctx.module.hcl_functions.get(key, {})
        nested_attrs = _nested_attributes(b, inner_ctx, children, hcl, key, path, stack + (key,), m)
        attr["nested_type"] = {
            "attributes": nested_attrs,
            "nesting_mode": shape.collection,
        }
        # Terraform prints only nested_type here; the equivalent cty type is added so
        # that consumers reading `type` on every attribute keep working.
        attr["type"] = _wrap(shape.collection, ["object", {k: v["type"] for k, v in nested_attrs.items()}])
        return attr
    attr["type"] = _object_type(b, ctx, key, shape.collection, path, stack)
    return attr


def _flags(m: Member, desc: str | None) -> dict[str, Any]:
    """required, or optional and/or computed; the description and write_only when present."""
    attr: dict[str, Any] = {}
    if m.required:
        attr["required"] = True
    else:
        if m.optional:
            attr["optional"] = True
        if m.computed:
            attr["computed"] = True
    if not (m.required or m.optional or m.computed):
        attr["optional"] = True  # never happens for real attributes; keep the checker permissive
    if desc:
        attr["description"] = desc
    if m.write_only:
        attr["write_only"] = True
    return attr


def _is_nested(b: Builder, ctx: Ctx, m: Member, children: list[Member], path: str) -> bool:
    """Whether struct attribute `m` is a nested attribute, from its fields' flags (see module doc)."""
    if ctx.in_nested:
        # Inside a nested attribute the generator keeps each field's own flags; a cty
        # object there gets fields with neither optional nor required.
        return not (children and (m.optional or m.required) and all(not (c.optional or c.required) for c in children))
    if not all((c.computed, c.optional, c.required) == (m.computed, m.optional, m.required) for c in children):
        b.nested_evidence.append(path)
        return True
    nested = b.prefer_nested
    b.resolve(
        "nested_type_or_object",
        path,
        "nested_type" if nested else "object",
        "every field carries the parent's flags; "
        + (
            "this provider has attributes that prove nested_type (protocol 6), so nested_type"
            if nested
            else "no attribute of the extracted types proves nested_type, so a cty object"
        ),
    )
    return nested


def _nested_attributes(
    b: Builder,
    ctx: Ctx,
    children: list[Member],
    hcl: dict[str, HclEntry],
    key: str,
    path: str,
    stack: tuple[str, ...],
    parent: Member,
) -> dict[str, Any]:
    """The fields of a nested attribute, each an attribute (nested structs are never blocks)."""
    docs = ctx.module.interfaces.get(upper_first(key), {})
    out: dict[str, Any] = {}
    for c in children:
        cpath = f"{path}.{c.name}"
        shape = member_shape(c, hcl, cpath)
        if shape.kind == "struct":
            shape.is_block = False
        if parent.computed and c.computed and (c.optional or c.required):
            b.resolve("nested_field_computed_forced", cpath, "required" if c.required else "optional+computed")
        desc = docs[c.name].description if c.name in docs else None
        out[c.name] = build_attribute(b, ctx, c, shape, cpath, stack, desc)
    return out


def _object_type(b: Builder, ctx: Ctx, key: str, collection: str | None, path: str, stack: tuple[str, ...]) -> Any:
    """The cty type of struct `key` in `collection`, read as an object (fields' flags dropped)."""
    if key in stack:
        b.resolve("recursion_cut", path, "dynamic")
        return "dynamic"
    children = b.struct_members(ctx, key, path)
    hcl = ctx.module.hcl_functions.get(key, {})
    fields: dict[str, Any] = {}
    for c in children:
        cpath = f"{path}.{c.name}"
        shape = member_shape(c, hcl, cpath)
        if shape.kind == "struct":
            fields[c.name] = _object_type(b, ctx, shape.struct, shape.collection, cpath, stack + (key,))
        else:
            b.record_notes(shape, cpath)
            fields[c.name] = shape.cty
    return _wrap(collection, ["object", fields])


def _wrap(collection: str | None, obj: list) -> Any:
    """The cty type of a struct in a collection ("single" or None: the object itself)."""
    return [collection, obj] if collection in ("list", "set", "map") else obj
