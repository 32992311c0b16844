"""Part of the module API: AWS's own API models, for checking what mlops sends to AWS.

AWS rejects a request whose members do not fit the operation's model: an unknown
member, a missing required one, a string too long or off its pattern, a value outside
an enum, a float where a string belongs. Terraform and the pipeline schema do not
catch these; `CreatePipeline` or a running pipeline does, after the money is spent.
So mlops checks every payload it writes against botocore's service models (sliced
into this package by `tools/extract_api_models.py`, see `operations.py`).

Vocabulary:
- a *shape* is botocore's description of a value: a type (structure, list, map,
  string, integer, long, float, double, boolean, timestamp, blob) and its constraints;
- a *value* checked here is plain JSON, where a string may hold Terraform
  interpolations (`${aws_iam_role.x.arn}`, known only at apply time) and where a
  *hole* stands for a value known only at run time (a pipeline `Get`, a Step Functions
  JSONPath): the caller says what type the hole has, or that it is unknown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import did_you_mean

# A Terraform template sequence inside a string; `$${` is an escaped literal.
_TEMPLATE = re.compile(r"(?<!\$)\$\{[^}]*\}")
NUMBER_TYPES = {"integer", "long", "float", "double"}


@dataclass(frozen=True)
class Hole:
    """A value filled in at run time. `type` is a botocore type name, or None when
    nothing is known about it; `default` is a value it takes unless told otherwise (a
    pipeline parameter's default), checked like a literal."""

    type: str | None
    what: str
    default: Any = None


class Model:
    """One service's slice: operations and shapes."""

    def __init__(self, doc: dict[str, Any]):
        self.service = doc["service"]
        self.botocore = doc["botocore"]
        self.operations = doc["operations"]
        self.shapes = doc["shapes"]

    def input(self, operation: str) -> str:
        return self.operations[operation]["input"]

    def output(self, operation: str) -> str:
        return self.operations[operation]["output"]

    def shape(self, name: str) -> dict[str, Any]:
        return self.shapes[name]


@cache
def model(service: str) -> Model:
    text = Path(__file__).with_name(f"{service}.json").read_text("utf-8")  # package data beside this file
    return Model(json.loads(text))


def check_request(service: str, operation: str, value: Any, *, filled: frozenset[str] = frozenset()) -> list[str]:
    """Problems of `value` as the request of `operation`, each `where: what`.
    `filled` names top-level members the caller's service fills in (a pipeline names
    its jobs), so they are not required here."""
    m = model(service)
    return _check(m, m.input(operation), value, operation, filled)


def check_member(service: str, shape: str, value: Any, where: str) -> list[str]:
    """Problems of `value` as a value of the named shape (a role name, an instance type)."""
    return _check(model(service), shape, value, where, frozenset())


@cache
def member_shape(service: str, operation: str, path: str) -> str:
    """The shape name at a dotted member path of an operation's input (`pipeline.name`)."""
    m = model(service)
    name = m.input(operation)
    for part in path.split("."):
        shape = m.shape(name)
        if shape["type"] == "list":
            name = shape["member"]["shape"]
            shape = m.shape(name)
        name = shape["members"][part]["shape"]
    return name


def _check(m: Model, name: str, value: Any, where: str, filled: frozenset[str]) -> list[str]:
    shape = m.shape(name)
    kind = shape["type"]
    if isinstance(value, Hole):
        return _hole(m, name, shape, value, where)
    if kind == "structure":
        return _structure(m, shape, value, where, filled)
    if kind == "list":
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {_kind(value)}"]
        problems = _size(shape, len(value), where, "items")
        for i, item in enumerate(value):
            problems += _check(m, shape["member"]["shape"], item, f"{where}[{i}]", frozenset())
        return problems
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{where}: expected a map, got {_kind(value)}"]
        problems = _size(shape, len(value), where, "entries")
        for key, item in value.items():
            problems += _check(m, shape["key"]["shape"], key, f"{where} key {key!r}", frozenset())
            problems += _check(m, shape["value"]["shape"], item, f"{where}[{key!r}]", frozenset())
        return problems
    return _scalar(shape, value, where)


def _structure(m: Model, shape: dict, value: Any, where: str, filled: frozenset[str]) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: expected a structure, got {_kind(value)}"]
    members = shape.get("members", {})
    problems = []
    for key in value:
        if key not in members:
            hint = did_you_mean(key, members)
            problems.append(f"{where}: unknown member {key!r}" + (f" ({hint})" if hint else ""))
    for key in shape.get("required", []):
        if key not in value and key not in filled:
            problems.append(f"{where}: required member {key!r} is missing")
    if shape.get("union") and len(value) != 1:
        problems.append(f"{where}: exactly one member must be set, found {len(value)}")
    for key, item in value.items():
        if key in members:
            problems += _check(m, members[key]["shape"], item, f"{where}.{key}", frozenset())
    return problems


def _scalar(shape: dict, value: Any, where: str) -> list[str]:
    kind = shape["type"]
    if kind in ("string", "blob", "timestamp"):
        if not isinstance(value, str):
            return [f"{where}: expected a string, got {_kind(value)}"]
        return _string(shape, value, where)
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{where}: expected a boolean, got {_kind(value)}"]
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{where}: expected an integer, got {_kind(value)}"]
        return _range(shape, value, where)
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return [f"{where}: expected a number, got {_kind(value)}"]
        return _range(shape, value, where)
    return []


def _string(shape: dict, value: str, where: str) -> list[str]:
    if _TEMPLATE.search(value):
        # Known only when Terraform renders it; what is literal can still be too long.
        literal = _TEMPLATE.sub("", value)
        if "max" in shape and len(literal) > shape["max"]:
            return [f"{where}: longer than {shape['max']} characters even before Terraform fills it in"]
        return []
    value = value.replace("$${", "${").replace("%%{", "%{")
    problems = _size(shape, len(value), where, "characters")
    if "enum" in shape and value not in shape["enum"]:
        hint = did_you_mean(value, shape["enum"])
        problems.append(f"{where}: {value!r} is not one of the values AWS accepts"
                        + (f" ({hint})" if hint else ""))
    pattern = _pattern(shape.get("pattern"), value.isascii())
    if pattern is not None and not pattern.fullmatch(value):
        problems.append(f"{where}: {_short(value)} does not match AWS's pattern {shape['pattern']}")
    return problems


def _range(shape: dict, value: float, where: str) -> list[str]:
    if "min" in shape and value < shape["min"]:
        return [f"{where}: {value} is below the minimum {shape['min']}"]
    if "max" in shape and value > shape["max"]:
        return [f"{where}: {value} is above the maximum {shape['max']}"]
    return []


def _size(shape: dict, size: int, where: str, unit: str) -> list[str]:
    if "min" in shape and size < shape["min"]:
        return [f"{where}: {size} {unit}, AWS requires at least {shape['min']}"]
    if "max" in shape and size > shape["max"]:
        return [f"{where}: {size} {unit}, AWS allows at most {shape['max']}"]
    return []


def _hole(m: Model, name: str, shape: dict, hole: Hole, where: str) -> list[str]:
    kind = shape["type"]
    problems = []
    if hole.type is not None and not compatible(hole.type, kind):
        problems.append(f"{where}: {hole.what} gives a {hole.type}, where AWS expects a {kind}")
    elif hole.default is not None:
        problems += _check(m, name, hole.default, f"{where} (default of {hole.what})", frozenset())
    return problems


def compatible(given: str, expected: str) -> bool:
    """Whether a run-time value of type `given` fills a member of type `expected`."""
    if given == expected:
        return True
    if expected in ("float", "double"):
        return given in NUMBER_TYPES
    if expected in ("integer", "long"):
        return given in ("integer", "long")
    return expected in ("string", "timestamp") and given in ("string", "timestamp")


# The ASCII members of the Unicode classes AWS's patterns use (\\p{L} and so on): for an
# ASCII value, a pattern with these written out matches exactly as the original does.
_ASCII_CLASSES = {"L": "A-Za-z", "N": "0-9", "Z": " ", "M": "", "S": r"$+<=>^`|~",
                  "P": r"!-#%-*,-/:;?@\[-\]_{}", "Alnum": "A-Za-z0-9"}
_PROPERTY = re.compile(r"\\p\{(\w+)\}")


@cache
def _pattern(text: str | None, ascii_value: bool = True):
    """AWS patterns are Java regular expressions matched against the whole value. In
    ASCII mode `\\w`, `\\d` and `\\s` mean what they mean in Java. Java's Unicode
    classes (`\\p{L}`, in tag and description patterns) are written out for ASCII
    values, which is exact and cheap, and read by the `regex` module for the others. A
    pattern neither can read (surrogate ranges) is left to AWS."""
    if text is None:
        return None
    if ascii_value and all(name in _ASCII_CLASSES for name in _PROPERTY.findall(text)):
        try:
            return re.compile(_ascii_classes(text), re.ASCII)
        except re.error:
            pass
    try:
        import regex
    except ImportError:  # pragma: no cover - a dependency of mlops
        return None
    try:
        return regex.compile(text, regex.VERSION0)  # not ASCII: it would narrow \\p{L} too
    except regex.error:
        return None


def _ascii_classes(text: str) -> str:
    """`\\p{X}` written out as its ASCII members, inside a character class or as one."""
    out, depth, i = [], 0, 0
    while i < len(text):
        match = _PROPERTY.match(text, i)
        if match:
            members = _ASCII_CLASSES[match.group(1)]
            out.append(members if depth else f"[{members}]")
            i = match.end()
            continue
        char = text[i]
        if char == "\\":
            out.append(text[i:i + 2])
            i += 2
            continue
        depth += char == "[" and 1 or (-1 if char == "]" and depth else 0)
        out.append(char)
        i += 1
    return "".join(out)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {_short(value)}"
    return {dict: "a structure", list: "a list"}.get(type(value), type(value).__name__)


def _short(value: str) -> str:
    text = value if len(value) <= 60 else value[:57] + "..."
    return repr(text)
