"""Which argument changes replace a resource rather than update it in place.

`mlops diff` warns before Terraform does when a change destroys or replaces a stateful
resource. Replacement is the provider's decision, so it is not written here by hand:
compiler/schemas/providers/<provider>.replace.json lists, for every resource type mlops
emits, the argument paths whose change forces a new resource, read from the provider's
Go source by tools/extract_force_new.py (docs/replacement.md: where from, which version,
how to refresh). This module only reads those tables.

Vocabulary:
- an argument path names an argument as the configuration nests it, blocks and nested
  attributes joined by dots (`primary_container.image`); list positions are not part of
  it (`primary_container.0.image` is read as `primary_container.image`), nor is what is
  inside an argument's value (a map's keys);
- forces new: changing it always replaces the resource;
- conditionally forces new: the provider replaces the resource on some changes of it,
  deciding at plan time (`aws_vpc.instance_tenancy`).
A type without an entry is an error, never "nothing replaces it": see
`types_without_entry`, which the tests run over every committed stack.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache

from .providers import SCHEMA_DIR


class UnknownType(LookupError):
    """A resource type the replacement tables have no entry for."""


def _provider(type_: str) -> str:
    return type_.split("_", 1)[0]


@cache
def table(provider: str) -> dict:
    """The whole table of one provider ("aws", "awscc"): header and `resources`."""
    return json.loads((SCHEMA_DIR / f"{provider}.replace.json").read_text("utf-8"))


def _entry(type_: str) -> dict:
    path = SCHEMA_DIR / f"{_provider(type_)}.replace.json"
    entry = table(_provider(type_))["resources"].get(type_) if path.exists() else None
    if entry is None:
        raise UnknownType(f"{type_}: no entry in the replacement tables (run tools/extract_force_new.py)")
    return entry


def _plain(attribute_path: str | Iterable[str | int]) -> str:
    """`a.0.b`, ["a", 0, "b"] -> "a.b"."""
    parts = attribute_path.split(".") if isinstance(attribute_path, str) else [str(p) for p in attribute_path]
    return ".".join(p for p in parts if not re.fullmatch(r"\d+", p))


def forces_new(type_: str, attribute_path: str | Iterable[str | int]) -> bool:
    """Whether changing this argument of this resource type always replaces the resource.
    Raises UnknownType for a type the tables do not list."""
    return _plain(attribute_path) in _entry(type_)["forces_new"]


def conditionally_forces_new(type_: str, attribute_path: str | Iterable[str | int]) -> bool:
    """Whether the provider replaces the resource on some changes of this argument only."""
    return _plain(attribute_path) in _entry(type_).get("conditional", [])


def types_without_entry(types: Iterable[str]) -> list[str]:
    """The resource types among `types` that the tables do not cover, sorted."""
    missing = []
    for type_ in set(types):
        try:
            _entry(type_)
        except UnknownType:
            missing.append(type_)
    return sorted(missing)
