"""cty types and their msgpack form, as Terraform sends them in ``DynamicValue.msgpack``.

Types are kept in their JSON form, exactly as ``terraform providers schema -json`` and the
protocol's ``Schema.Attribute.type`` bytes spell them: ``"string"``, ``"number"``,
``"bool"``, ``"dynamic"``, ``["list", T]``, ``["set", T]``, ``["map", T]``,
``["object", {name: T}]`` (optionally a third element: the optional attribute names) and
``["tuple", [T, ...]]``.

Values in Python: ``None`` is null, :data:`UNKNOWN` is an unknown value, strings, numbers
(int, float, or the decimal string cty uses for numbers that do not fit), bools, lists
(for list, set and tuple), dicts (for map and object) and :class:`Dyn` (a value of type
``dynamic``, carrying its concrete type).

msgpack follows go-cty's ``cty/msgpack``: null is nil; an unknown value is any msgpack
extension (cty writes fixext1 type 0, or type 12 for an unknown with refinements);
objects are maps holding every attribute; a value whose type is ``dynamic`` is the pair
``[type JSON as bytes, value]``.
"""

from __future__ import annotations

import json
from typing import Any

import msgpack


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self):  # keep it a singleton through copy/pickle
        return "UNKNOWN"


UNKNOWN = _Unknown()
_UNKNOWN_EXT = msgpack.ExtType(0, b"\x00")  # cty's own bytes: d4 00 00


class Dyn:
    """A value whose schema type is ``dynamic``: its concrete type travels with it."""

    __slots__ = ("type", "value")

    def __init__(self, type_: Any, value: Any) -> None:
        self.type = type_
        self.value = value

    def __repr__(self) -> str:
        return f"Dyn({self.type!r}, {self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dyn) and (self.type, self.value) == (other.type, other.value)


# ---------------------------------------------------------------------------- types
def type_json(ty: Any) -> bytes:
    return json.dumps(ty, separators=(",", ":"), sort_keys=True).encode()


def has_dynamic(ty: Any) -> bool:
    if ty == "dynamic":
        return True
    if isinstance(ty, list):
        kind = ty[0]
        if kind in ("list", "set", "map"):
            return has_dynamic(ty[1])
        if kind == "object":
            return any(has_dynamic(t) for t in ty[1].values())
        if kind == "tuple":
            return any(has_dynamic(t) for t in ty[1])
    return False


def attribute_type(attr: dict) -> Any:
    """The cty type of one schema attribute (``type``, or ``nested_type`` objects)."""
    if "type" in attr:
        return attr["type"]
    nested = attr["nested_type"]
    obj = ["object", {n: attribute_type(a) for n, a in nested.get("attributes", {}).items()}]
    mode = nested.get("nesting_mode", "single")
    if mode == "single":
        return obj
    if mode in ("list", "set", "map"):
        return [mode, obj]
    raise ValueError(f"unknown nested attribute nesting mode {mode!r}")


def block_type(block: dict) -> Any:
    """The implied object type of a schema block (Terraform's ``configschema.ImpliedType``)."""
    attrs: dict[str, Any] = {n: attribute_type(a) for n, a in block.get("attributes", {}).items()}
    for name, nb in block.get("block_types", {}).items():
        inner = block_type(nb["block"])
        mode = nb["nesting_mode"]
        if mode in ("single", "group"):
            attrs[name] = inner
        elif mode in ("list", "map"):
            # a list or map of blocks with dynamically typed attributes has no single
            # element type: Terraform makes it dynamic (a tuple or an object)
            attrs[name] = "dynamic" if has_dynamic(inner) else [mode, inner]
        elif mode == "set":
            attrs[name] = ["set", inner]
        else:
            raise ValueError(f"unknown block nesting mode {mode!r}")
    return ["object", attrs]


# ---------------------------------------------------------------------------- msgpack
def _ext_hook(code: int, data: bytes) -> Any:
    return UNKNOWN  # cty has no extensions other than the unknown value (0, 12)


def unpack(data: bytes, ty: Any) -> Any:
    """Decode a ``DynamicValue.msgpack`` of type *ty*."""
    raw = msgpack.unpackb(data, raw=False, ext_hook=_ext_hook, strict_map_key=False)
    return _typed(raw, ty)


def _typed(raw: Any, ty: Any) -> Any:
    if raw is None or raw is UNKNOWN:
        return raw
    if ty == "dynamic":
        type_bytes, inner = raw
        concrete = json.loads(type_bytes)
        return Dyn(concrete, _typed(inner, concrete))
    if isinstance(ty, str):
        return raw
    kind = ty[0]
    if kind in ("list", "set"):
        return [_typed(v, ty[1]) for v in raw]
    if kind == "map":
        return {k: _typed(v, ty[1]) for k, v in raw.items()}
    if kind == "object":
        atys = ty[1]
        extra = set(raw) - set(atys)
        if extra:
            raise ValueError(f"unsupported attribute(s) {sorted(extra)}")
        return {k: _typed(raw.get(k), t) for k, t in atys.items()}
    if kind == "tuple":
        return [_typed(v, t) for v, t in zip(raw, ty[1], strict=True)]
    raise ValueError(f"unknown cty type {ty!r}")


def pack(value: Any, ty: Any) -> bytes:
    """Encode *value* of type *ty* for a ``DynamicValue.msgpack``."""
    return msgpack.packb(_plain(value, ty), use_bin_type=True)


def _plain(value: Any, ty: Any) -> Any:
    if value is UNKNOWN:
        return _UNKNOWN_EXT
    if value is None:
        return None
    if ty == "dynamic":
        if not isinstance(value, Dyn):
            raise TypeError(f"a dynamic value needs its type: {value!r}")
        return [type_json(value.type), _plain(value.value, value.type)]
    if isinstance(ty, str):
        return value
    kind = ty[0]
    if kind in ("list", "set"):
        return [_plain(v, ty[1]) for v in value]
    if kind == "map":
        return {k: _plain(value[k], ty[1]) for k in sorted(value)}
    if kind == "object":
        return {k: _plain(value.get(k), ty[1][k]) for k in sorted(ty[1])}
    if kind == "tuple":
        return [_plain(v, t) for v, t in zip(value, ty[1], strict=True)]
    raise ValueError(f"unknown cty type {ty!r}")


# ---------------------------------------------------------------------------- JSON
def from_json(raw: Any, ty: Any) -> Any:
    """A value from cty's JSON form (state files): dynamic is ``{"value", "type"}``."""
    if raw is None:
        return None
    if ty == "dynamic":
        return Dyn(raw["type"], from_json(raw["value"], raw["type"]))
    if isinstance(ty, str):
        return raw
    kind = ty[0]
    if kind in ("list", "set"):
        return [from_json(v, ty[1]) for v in raw]
    if kind == "map":
        return {k: from_json(v, ty[1]) for k, v in raw.items()}
    if kind == "object":
        return {k: from_json(raw.get(k), t) for k, t in ty[1].items()}
    if kind == "tuple":
        return [from_json(v, t) for v, t in zip(raw, ty[1], strict=True)]
    raise ValueError(f"unknown cty type {ty!r}")


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, Dyn):
        return contains_unknown(value.value)
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    return False
