"""Build the `terraform providers schema -json` block of one type from its parsed Module.

A Builder walks a resource/data source/provider class and the struct classes below it,
records every conservative resolution it makes (`cases`, kinds from rules.RULES), and
collects `nested_evidence`: struct attributes whose fields carry their own flags, which
only plugin-framework nested attributes do. `prefer_nested` is how ambiguous struct
attributes are read; extract() builds twice when the first pass finds evidence.

Paths name a member for the resolutions file: `aws_s3_bucket.grant.permissions`,
`data.aws_iam_policy_document.statement`, `provider.aws.assume_role`.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from .attributes import build_attribute
from .blocks import decide_blocks
from .model import HclEntry, Member, Module, Package, TypeEntry, lower_first, upper_first
from .rules import PROVIDER_META_ARGUMENTS, RESOURCE_META_ARGUMENTS, ExtractError
from .shapes import Shape, member_shape


@dataclasses.dataclass
class Ctx:
    """Where a block is being built: its Module, whether it is the provider's, and the
    d.ts interface that describes its members (in_nested: inside a nested attribute)."""

    module: Module
    provider: bool
    iface: str
    in_nested: bool = False


class Builder:
    def __init__(self, package: Package, prefer_nested: bool = False):
        self.package = package
        self.prefer_nested = prefer_nested
        self.cases: list[dict[str, Any]] = []
        self.nested_evidence: list[str] = []  # struct attributes whose fields prove nested_type

    def resolve(self, kind: str, path: str, chosen: Any, detail: str | None = None) -> None:
        """Record a conservative decision (kind: a key of rules.RULES) for the resolutions file."""
        case = {"kind": kind, "path": path, "chosen": chosen}
        if detail:
            case["detail"] = detail
        self.cases.append(case)

    def record_notes(self, shape: Shape, path: str) -> None:
        """Record the resolutions a primitive/collection shape was read with."""
        for note in (shape.note or "").split(","):
            if note:
                self.resolve(note, path, shape.cty)

    def build_type(self, entry: TypeEntry) -> dict[str, Any]:
        """The schema of a resource, data source or provider, without Terraform's meta-arguments."""
        module = self.package.modules[entry.module_dir]
        cls = module.classes[entry.class_name]
        prefix = ("data." if entry.kind == "data" else "") + entry.tf_type
        members = cls.members
        if entry.kind == "provider":
            prefix = f"provider.{entry.tf_type}"
        excluded_names = PROVIDER_META_ARGUMENTS if entry.kind == "provider" else RESOURCE_META_ARGUMENTS
        kept = []
        for m in members:
            if m.name in excluded_names:
                self.resolve("meta_argument_excluded", f"{prefix}.{m.name}", "excluded")
            else:
                kept.append(m)
        ctx = Ctx(module=module, provider=entry.kind == "provider", iface=f"{cls.name}Config")
        block = self.build_block(ctx, kept, cls.hcl or {}, cls.name, prefix, stack=())
        return {"version": 0, "block": block}

    def build_block(
        self,
        ctx: Ctx,
        members: list[Member],
        hcl: dict[str, HclEntry],
        owner: str,
        path: str,
        stack: tuple[str, ...],
    ) -> dict[str, Any]:
        """A block's attributes and block_types; `stack` holds the struct keys above it (recursion guard)."""
        docs = ctx.module.interfaces.get(ctx.iface, {})
        shapes: list[Shape] = []
        for m in members:
            shape = member_shape(m, hcl, f"{path}.{m.name}")
            if (owner, m.name) in ctx.module.write_only or (lower_first(owner), m.name) in ctx.module.write_only:
                m.write_only = True
            shapes.append(shape)
        decide_blocks(self, ctx, members, shapes, path)

        attributes: dict[str, Any] = {}
        block_types: dict[str, Any] = {}
        for m, shape in zip(members, shapes):
            mpath = f"{path}.{m.name}"
            desc = docs.get(m.name).description if m.name in docs else None
            if shape.kind == "struct" and shape.is_block and shape.struct in stack:
                # A recursive class: the real (finite) nesting below is unknown; accept anything.
                self.resolve("recursion_cut", mpath, "dynamic attribute")
                attributes[m.name] = {"type": "dynamic", "required" if m.required else "optional": True}
                continue
            if shape.kind == "struct" and shape.is_block:
                block_types[m.name] = self.build_block_type(ctx, m, shape, mpath, stack)
                continue
            attributes[m.name] = build_attribute(self, ctx, m, shape, mpath, stack, desc)
        out: dict[str, Any] = {}
        if attributes:
            out["attributes"] = attributes
        if block_types:
            out["block_types"] = block_types
        return out

    def struct_members(self, ctx: Ctx, key: str, path: str) -> list[Member]:
        """Fresh copies of the members of struct `key` (callers may mark them write-only)."""
        cls = ctx.module.classes.get(upper_first(key) + "OutputReference")
        if cls is None:
            # tolerate odd capitalization: match case-insensitively on the first letter
            for name, c in ctx.module.classes.items():
                if name.endswith("OutputReference") and lower_first(name[: -len("OutputReference")]) == key:
                    cls = c
                    break
        if cls is not None:
            return [dataclasses.replace(m) for m in cls.members]
        if ctx.provider and key in ctx.module.hcl_functions:
            # Provider structs have no classes: fields from the synthesizer, flags from the d.ts.
            iface = ctx.module.interfaces.get(upper_first(key), {})
            out = []
            for name in ctx.module.hcl_functions[key]:
                prop = iface.get(name)
                optional = prop.optional if prop else True
                out.append(Member(name, False, optional, not optional))
            required = sorted(m.name for m in out if m.required)
            self.resolve(
                "provider_nested_flags",
                path,
                "never computed; " + (f"required: {', '.join(required)}" if required else "all optional"),
                f"{len(out)} fields",
            )
            return out
        raise ExtractError(f"{path}: no class for struct {key}")

    def build_block_type(self, ctx: Ctx, m: Member, shape: Shape, path: str, stack: tuple[str, ...]) -> dict[str, Any]:
        """A nested block: its nesting mode and the item bounds the package records (see RULES)."""
        key = shape.struct
        assert key is not None
        children = self.struct_members(ctx, key, path)
        hcl = ctx.module.hcl_functions.get(key, {})
        inner_ctx = dataclasses.replace(ctx, iface=upper_first(key))
        block = self.build_block(inner_ctx, children, hcl, key, path, stack + (key,))
        out: dict[str, Any] = {"block": block}
        if shape.collection == "single":
            out["nesting_mode"] = "single"
            if m.required:
                self.resolve("single_block_required_derived", path, "no min_items")
            return out
        if shape.collection == "map":
            out["nesting_mode"] = "map"
            return out
        out["nesting_mode"] = shape.collection
        if shape.single_item:
            out["max_items"] = 1
        elif ctx.provider:
            self.resolve("provider_block_shape", path, "max_items omitted")
        else:
            self.resolve("block_max_items_unknown", path, "max_items omitted")
        if m.required:
            out["min_items"] = 1
            self.resolve("block_min_items_lower_bound", path, 1)
        return out
