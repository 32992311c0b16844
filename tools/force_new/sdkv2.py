"""Replacement in SDKv2 resources (terraform-plugin-sdk/v2): `ForceNew: true`.

A resource is the `&schema.Resource{...}` its function returns. Its arguments are the
entries of `Schema` (or what `SchemaFunc` returns), nested blocks the `Elem:
&schema.Resource{...}` of an entry, each followed through helper functions and
constants. Conditional replacement is read from the functions `CustomizeDiff` names.
"""
from __future__ import annotations

from .found import Found, entries, plain_path
from .golit import Group, Tok, call, fields, find_literals, literal, split, text, walk
from .gopkg import Func, Resolver


def read(res: Resolver, fn: Func) -> Found:
    """Arguments and replacement of the resource `fn` returns."""
    found = Found(fn.file)
    bodies = find_literals(fn.body.items, "schema.Resource")
    if not bodies:
        found.unresolved.add("<no schema.Resource literal>")
        return found
    spec = fields(bodies[0])
    _walk_resource(res, fn, spec, "", found)
    if "CustomizeDiff" in spec:
        _conditional(res, fn, spec["CustomizeDiff"], found, set())
    return found


def _walk_resource(res: Resolver, ctx: Func, spec: dict, prefix: str, found: Found) -> None:
    """The entries of a schema.Resource's `Schema` or `SchemaFunc`."""
    value = spec.get("Schema") or spec.get("SchemaFunc")
    if value is None:
        found.unresolved.add(f"{prefix}<no Schema>")
        return
    target = _map_literal(res, ctx, value)
    if target is None:
        found.unresolved.add(f"{prefix}{text(value)}")
        return
    _walk_map(res, *target, prefix, found)


def _map_literal(res: Resolver, ctx: Func, value: list) -> tuple[Func, Group] | None:
    """The `map[string]*schema.Schema{...}` a value is, returns, or a named function returns."""
    maps = find_literals(value, "]*schema.Schema")
    if maps:
        return ctx, maps[0]
    fn = _named(res, ctx, value)
    if fn is not None:
        maps = find_literals(fn.body.items, "]*schema.Schema")
        if maps:
            return fn, maps[0]
    return None


def _named(res: Resolver, ctx: Func, value: list) -> Func | None:
    """The function a value calls, or names (`SchemaFunc: resourceXSchema`), or the
    package variable it names (`Elem: securityGroupRuleSetNestedBlock`)."""
    named = call(value)
    callee = named[0] if named else text(value) if all(isinstance(v, Tok) for v in value) else None
    return res.func(ctx.package, ctx.file, callee) if callee else None


def _walk_map(res: Resolver, ctx: Func, schema_map: Group, prefix: str, found: Found) -> None:
    for path, ectx, spec in entries(res, ctx, schema_map, prefix, found, _entry):
        if any(text(spec.get(k, [])) == "true" for k in ("Required", "Optional")):
            found.arguments.add(path)
        if text(spec.get("ForceNew", [])) == "true":
            found.force_new.add(path)
        if "Elem" in spec:
            _walk_elem(res, ectx, spec["Elem"], path + ".", found)


def _entry(res: Resolver, ctx: Func, value: list) -> tuple[Func, dict] | None:
    """The fields of one schema entry: a literal, or the literal a helper returns."""
    lit = literal(value)
    if lit is not None:
        return ctx, fields(lit[1])
    fn = _named(res, ctx, value)
    if fn is not None:
        bodies = find_literals(fn.body.items, "schema.Schema")
        if bodies:
            return fn, fields(bodies[0])
    return None


def _walk_elem(res: Resolver, ctx: Func, elem: list, prefix: str, found: Found) -> None:
    """A nested block: `Elem: &schema.Resource{...}`, or a helper returning one; a
    primitive `Elem: &schema.Schema{...}` has no arguments of its own."""
    lit = literal(elem)
    if lit is not None:
        if lit[0].endswith("schema.Resource"):
            _walk_resource(res, ctx, fields(lit[1]), prefix, found)
        return
    fn = _named(res, ctx, elem)
    if fn is None:
        found.unresolved.add(f"{prefix}<Elem {text(elem)}>")
        return
    bodies = find_literals(fn.body.items, "schema.Resource")
    if bodies:
        _walk_resource(res, fn, fields(bodies[0]), prefix, found)


def _conditional(res: Resolver, ctx: Func, nodes: list, found: Found, seen: set[str]) -> None:
    """Arguments named by `ForceNewIf*(...)` or `.ForceNew(...)` in CustomizeDiff and in
    the package's functions it refers to, followed transitively."""
    for seq, i in walk(nodes):
        node = seq[i]
        if not isinstance(node, Tok) or node.kind != "word":
            continue
        following = seq[i + 1] if i + 1 < len(seq) else None
        if node.text.startswith("ForceNew") and isinstance(following, Group) and following.open == "(":
            args = split(following.items)
            name = res.name(ctx.package, ctx.file, args[0]) if args else None
            if name and plain_path(name) not in found.force_new:
                found.conditional.add(plain_path(name))
        elif node.text in ctx.package.funcs and node.text not in seen:
            seen.add(node.text)
            fn = ctx.package.funcs[node.text]
            _conditional(res, fn, fn.body.items, found, seen)
