"""Replacement in plugin-framework resources: `RequiresReplace` plan modifiers.

Used for the aws provider's framework resources (the schema a `Schema` method sets) and
for every awscc resource (generated from CloudFormation: a `createOnlyProperties` entry
becomes `RequiresReplace()`, or `RequiresReplaceIfConfigured()` when it is also computed).
Attributes nest through `NestedObject`/`Attributes`, blocks through
`NestedObject`/`Blocks`; both are walked, and helpers from other packages of the
provider (`framework.IDAttribute()`, `tftags.TagsAttribute()`) are followed.
"""
from __future__ import annotations

from .found import Found, entries
from .golit import Group, Tok, call, fields, find_literals, literal, text, walk
from .gopkg import Func, Resolver

UNCONDITIONAL = {"RequiresReplace", "RequiresReplaceIfConfigured"}


def read_method(res: Resolver, fn: Func) -> Found:
    """A resource whose `Schema` method sets `schema.Schema{Attributes: ..., Blocks: ...}`."""
    found = Found(fn.file)
    bodies = find_literals(fn.body.items, "schema.Schema")
    if not bodies:
        found.unresolved.add("<no schema.Schema literal>")
        return found
    _walk_object(res, fn, fields(bodies[0]), "", found)
    return found


def read_attributes(res: Resolver, fn: Func) -> Found:
    """An awscc resource: its factory builds `map[string]schema.Attribute{...}`."""
    found = Found(fn.file)
    maps = find_literals(fn.body.items, "]schema.Attribute")
    if not maps:
        found.unresolved.add("<no map[string]schema.Attribute literal>")
        return found
    _walk_map(res, fn, maps[0], "", found, block=False)
    return found


def _walk_object(res: Resolver, ctx: Func, spec: dict, prefix: str, found: Found) -> None:
    """The `Attributes` and `Blocks` of a schema, a nested object or a single block.
    (Framework plan modifiers sit on the attribute or block itself, never inside
    NestedObject, so a nested object's own fields carry no replacement.)"""
    for key, block in (("Attributes", False), ("Blocks", True)):
        if key in spec:
            target = _map_of(res, ctx, spec[key])
            if target is None:
                found.unresolved.add(f"{prefix}<{key} {text(spec[key])}>")
            else:
                _walk_map(res, *target, prefix, found, block=block)


def _map_of(res: Resolver, ctx: Func, value: list) -> tuple[Func, Group] | None:
    lit = literal(value)
    if lit is not None:
        return ctx, lit[1]
    named = call(value)
    fn = res.func(ctx.package, ctx.file, named[0]) if named else None
    if fn is not None:
        maps = find_literals(fn.body.items, "]schema.Attribute") or find_literals(fn.body.items, "]schema.Block")
        if maps:
            return fn, maps[0]
    return None


def _walk_map(res: Resolver, ctx: Func, group: Group, prefix: str, found: Found, block: bool) -> None:
    for path, ectx, spec in entries(res, ctx, group, prefix, found, _entry,
                                    lambda value: _outside_module(res, ctx, value)):
        if block or any(text(spec.get(k, [])) == "true" for k in ("Required", "Optional")):
            found.arguments.add(path)
        kind = _replacement(spec.get("PlanModifiers", []))
        if kind == "always":
            found.force_new.add(path)
        elif kind == "conditional":
            found.conditional.add(path)
        nested = literal(spec["NestedObject"]) if "NestedObject" in spec else None
        if nested is not None:
            _walk_object(res, ectx, fields(nested[1]), path + ".", found)
        else:
            _walk_object(res, ectx, {k: v for k, v in spec.items() if k in ("Attributes", "Blocks")}, path + ".", found)
        _inherit(found, path, kind)


def _inherit(found: Found, path: str, kind: str | None) -> None:
    """A plan modifier compares the whole value, nested content included: every argument
    inside an attribute or block that requires replacement requires it too, and is listed."""
    inside = {a for a in found.arguments if a.startswith(path + ".")}
    if kind == "always":
        found.force_new |= inside
        found.conditional -= inside
    elif kind == "conditional":
        found.conditional |= inside - found.force_new


def _entry(res: Resolver, ctx: Func, value: list) -> tuple[Func, dict] | None:
    """Fields of `schema.XAttribute{...}`/`schema.XBlock{...}`, or of the one a helper returns."""
    lit = literal(value)
    if lit is not None:
        return ctx, fields(lit[1])
    named = call(value)
    fn = res.func(ctx.package, ctx.file, named[0]) if named else None
    if fn is not None:
        for seq, i in walk(fn.body.items):
            node = seq[i]
            if isinstance(node, Tok) and node.text == "return" and i + 1 < len(seq):
                lit = literal(_until_end(seq[i + 1:]))
                if lit is not None:
                    return fn, fields(lit[1])
    return None


def _until_end(nodes: list) -> list:
    """A return statement's expression: up to the group that closes a literal."""
    for k, node in enumerate(nodes):
        if isinstance(node, Group) and node.open == "{":
            return nodes[: k + 1]
    return nodes


def _outside_module(res: Resolver, ctx: Func, value: list) -> bool:
    """A helper from outside the provider (`timeouts.Block(ctx, ...)`): not followed."""
    named = call(value)
    if not named or "." not in named[0]:
        return False
    path = ctx.package.imports.get(ctx.file, {}).get(named[0].split(".", 1)[0], "")
    return not path.startswith(res.module + "/")


def _replacement(modifiers: list) -> str | None:
    """"always", "conditional" or None, from a PlanModifiers value."""
    kinds = set()
    for seq, i in walk(modifiers):
        node = seq[i]
        if isinstance(node, Tok) and node.text.startswith("RequiresReplace"):
            kinds.add("always" if node.text in UNCONDITIONAL else "conditional")
    return "always" if "always" in kinds else ("conditional" if kinds else None)
