"""What one member is, read from its synthesizer entry or, for computed-only members, its storage.

The HCL synthesizer gives each input a mapper expression and an HCL `type`; parse_mapper
turns the expression into a small tree, and a Shape says what the tree is: a primitive
or collection (with its cty type), or a struct in some collection (single, list, set,
map). Whether a struct is a block or an attribute, and of which kind, is left to the
builder when the JS does not say. `note` carries the resolution kinds (rules.RULES) to
record for the member.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from .model import HclEntry, Member, lower_first
from .rules import ExtractError

MODULE_PREFIX_RE = re.compile(r"^[A-Za-z_$][\w$]*_\d+\.")
FN_RE = re.compile(r"^(cdktn\.)?([\w$]+?)To(?:Hcl)?Terraform")


def parse_mapper(expr: str) -> tuple[tuple, str]:
    """Parse a synthesizer mapper expression into a small tree.

    ("prim", "string"|"number"|"boolean"|"any") | ("struct", key) |
    ("list", inner, is_block) | ("map", inner); returns (tree, rest of the string).
    """
    for prefix, kind in (
        ("cdktn.listMapperHcl(", "list"),
        ("cdktn.listMapper(", "list"),
        ("cdktn.hashMapperHcl(", "map"),
        ("cdktn.hashMapper(", "map"),
    ):
        if expr.startswith(prefix):
            inner, rest = parse_mapper(expr[len(prefix) :])
            if kind == "list":
                m = re.match(r", (true|false)\)", rest)
                if not m:
                    raise ExtractError(f"cannot parse list mapper: {expr}")
                return ("list", inner, m.group(1) == "true"), rest[m.end() :]
            if not rest.startswith(")"):
                raise ExtractError(f"cannot parse map mapper: {expr}")
            return ("map", inner), rest[1:]
    if expr.startswith("(0, "):
        node, rest = parse_mapper(expr[4:])
        if not rest.startswith(")"):
            raise ExtractError(f"cannot parse call: {expr}")
        return node, rest[1:]
    expr = MODULE_PREFIX_RE.sub("", expr)
    m = FN_RE.match(expr)
    if not m:
        raise ExtractError(f"cannot parse mapper: {expr}")
    if m.group(1) and m.group(2) in ("string", "number", "boolean", "any"):
        return ("prim", m.group(2)), expr[m.end() :]
    return ("struct", m.group(2)), expr[m.end() :]


def normalize_value(value: str) -> tuple[str, bool]:
    """Strip CUSTOM_DEFAULTS null-checks and the write-only marker; returns (mapper expr, write_only)."""
    write_only = False
    value = re.sub(r"^struct\.\w+ === undefined \? null : ", "", value)
    if value.startswith("this.markWriteOnlyAttribute("):
        write_only = True
        value = value[len("this.markWriteOnlyAttribute(") :]
    return value, write_only


PRIM_CTY = {"string": "string", "number": "number", "boolean": "bool"}


@dataclasses.dataclass
class Shape:
    """What one member is, before the block/attribute and nested/object decisions."""

    kind: str  # "prim" | "coll" | "struct"
    cty: Any = None  # for prim/coll
    collection: str | None = None  # for struct: "single" | "list" | "set" | "map"
    struct: str | None = None  # struct key (lowerFirst name)
    is_block: bool | None = None  # True/False when the JS says so, None when undecided
    single_item: bool = False
    note: str | None = None  # resolution kind to record for prim/coll


def _prim_tree_to_cty(tree: tuple, outer: str | None, path: str, notes: list[str]) -> Any:
    """The cty type of a struct-free mapper tree; `outer` is the HCL collection kind of the top list."""
    kind = tree[0]
    if kind == "prim":
        if tree[1] == "any":
            notes.append("skipped_by_generator")
            return "dynamic"
        return PRIM_CTY[tree[1]]
    if kind == "list":
        inner = _prim_tree_to_cty(tree[1], None, path, notes)
        if outer is None:
            notes.append("inner_collection_kind")
            return ["list", inner]
        return [outer, inner]
    if kind == "map":
        if tree[1] == ("prim", "any"):
            notes.append("dynamic_or_map_of_dynamic")
            return "dynamic"
        return ["map", _prim_tree_to_cty(tree[1], None, path, notes)]
    raise ExtractError(f"{path}: unexpected struct inside a primitive collection")


def shape_from_hcl(entry: HclEntry, path: str) -> tuple[Shape, bool]:
    """(shape, write_only) of a member from its synthesizer entry.

    A struct mapper alone with HCL type list/set is a single-item block; in
    listMapperHcl(fn, is_block) the flag says block or attribute; a bare struct (type
    "struct") or a map of structs is left undecided.
    """
    value, write_only = normalize_value(entry.value)
    tree, _ = parse_mapper(value)
    if tree[0] == "struct":
        if entry.type in ("list", "set"):
            return Shape("struct", collection=entry.type, struct=tree[1], is_block=True, single_item=True), write_only
        if entry.type == "struct":
            return Shape("struct", collection="single", struct=tree[1]), write_only
        raise ExtractError(f"{path}: struct with HCL type {entry.type}")
    if tree[0] == "list" and tree[1][0] == "struct":
        if entry.type not in ("list", "set"):
            raise ExtractError(f"{path}: list mapper with HCL type {entry.type}")
        return Shape("struct", collection=entry.type, struct=tree[1][1], is_block=tree[2]), write_only
    if tree[0] == "map" and tree[1][0] == "struct":
        return Shape("struct", collection="map", struct=tree[1][1]), write_only
    notes: list[str] = []
    if tree[0] == "prim" and tree[1] == "any":
        return Shape("prim", cty="dynamic", note="skipped_by_generator"), write_only
    outer = entry.type if entry.type in ("list", "set") else None
    if tree[0] == "list" and outer is None:
        raise ExtractError(f"{path}: list mapper with HCL type {entry.type}")
    cty = _prim_tree_to_cty(tree, outer, path, notes)
    return Shape("coll" if isinstance(cty, list) else "prim", cty=cty, note=",".join(notes) or None), write_only


def member_shape(member: Member, hcl: dict[str, HclEntry], path: str) -> Shape:
    """The shape of a member of a block or struct whose synthesizer entries are `hcl`.

    A write-only marker in the entry marks the member write-only (members are the
    builder's own copies, see Builder.struct_members).
    """
    if member.name in hcl:
        shape, write_only = shape_from_hcl(hcl[member.name], path)
        member.write_only = member.write_only or write_only
        return shape
    return shape_from_member(member, path)


# Typed getters of computed-only members, most specific first: (return expression prefix, cty).
GETTERS: tuple[tuple[str, Any], ...] = (
    ("cdktn.Token.asNumberList(cdktn.Fn.tolist(this.getNumberListAttribute(", ["set", "number"]),
    ("cdktn.Fn.tolist(this.getListAttribute(", ["set", "string"]),
    ("this.getListAttribute(", ["list", "string"]),
    ("this.getNumberListAttribute(", ["list", "number"]),
    ("this.getStringMapAttribute(", ["map", "string"]),
    ("this.getNumberMapAttribute(", ["map", "number"]),
    ("this.getBooleanMapAttribute(", ["map", "bool"]),
    ("this.getStringAttribute(", "string"),
    ("this.getNumberAttribute(", "number"),
    ("this.getBooleanAttribute(", "bool"),
)


def shape_from_member(member: Member, path: str) -> Shape:
    """Shape of a member that has no synthesizer entry (computed-only): its stored class or getter."""
    if member.storage:
        return _stored_class_shape(member, path)
    getter = member.getter or ""
    for prefix, cty in GETTERS:
        if getter.startswith(prefix):
            return Shape("coll" if isinstance(cty, list) else "prim", cty=cty)
    if getter.startswith("this.getAnyMapAttribute("):
        return Shape("prim", cty="dynamic", note="dynamic_or_map_of_dynamic")
    if getter.startswith("cdktn.Token.asAny(cdktn.Fn.tolist(this.interpolationForAttribute("):
        return Shape("coll", cty=["set", "dynamic"], note="unknown_computed_type")
    return Shape("prim", cty="dynamic", note="unknown_computed_type")


def _stored_class_shape(member: Member, path: str) -> Shape:
    """Shape of a member kept in a class instance: `new XList(this, "n", wrapsSet)`, `new cdktn.StringMap(..)`."""
    m = re.match(r'new ([\w$]+\.)?(\w+)\(this, "[^"]*"(?:, (true|false))?\)', member.storage or "")
    if not m:
        raise ExtractError(f"{path}: cannot parse stored class {member.storage}")
    module_prefix, cls, wraps_set = m.group(1), m.group(2), m.group(3)
    if module_prefix == "cdktn.":
        return _core_collection_shape(cls, wraps_set == "true")
    if cls.endswith("OutputReference"):
        return Shape("struct", collection="single", struct=lower_first(cls[: -len("OutputReference")]))
    if cls.endswith("List"):
        return Shape(
            "struct",
            collection="set" if wraps_set == "true" else "list",
            struct=lower_first(cls[:-4]),
            is_block=False if member.computed else None,
        )
    if cls.endswith("Map"):
        return Shape("struct", collection="map", struct=lower_first(cls[:-3]))
    raise ExtractError(f"{path}: unknown stored class {cls}")


def _core_collection_shape(cls: str, wraps_set: bool) -> Shape:
    """Shape of a cdktn core collection class: StringMap, NumberList, StringMapList, AnyMapList, ...

    The name reads inside-out (StringMapList = list(map(string))); only the outermost
    list knows whether it wraps a set; an Any element is an untyped (collapsed) remainder.
    """
    m = re.fullmatch(r"(String|Number|Boolean|Any)((?:List|Map)+)", cls)
    if not m:
        return Shape("prim", cty="dynamic", note="unknown_computed_type")
    suffixes = re.findall(r"List|Map", m.group(2))
    notes = []
    cty: Any = {"String": "string", "Number": "number", "Boolean": "bool", "Any": "dynamic"}[m.group(1)]
    if m.group(1) == "Any":
        if len(suffixes) == 1 and suffixes[0] == "Map":
            return Shape("prim", cty="dynamic", note="dynamic_or_map_of_dynamic")
        notes.append("unknown_computed_type")
    for i, suffix in enumerate(suffixes):
        outermost = i == len(suffixes) - 1
        if suffix == "Map":
            cty = ["map", cty]
        elif outermost:
            cty = ["set" if wraps_set else "list", cty]
        else:
            notes.append("inner_collection_kind")
            cty = ["list", cty]
    return Shape("coll", cty=cty, note=",".join(notes) or None)

