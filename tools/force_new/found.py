"""What reading one resource's source finds: its arguments and which of them replace it.

Vocabulary:
- an argument path names an argument the configuration sets, nested blocks and nested
  attributes joined with dots (`primary_container.image`);
- forces new: changing the argument always destroys and recreates the resource
  (SDKv2 `ForceNew: true`; framework `RequiresReplace()`, `RequiresReplaceIfConfigured()`);
- conditional: the resource's code replaces it on a change of this argument only under a
  condition it computes (SDKv2 `customdiff.ForceNewIf...`, `d.ForceNew(...)` in
  CustomizeDiff; framework `RequiresReplaceIf...`);
- unresolved: a schema piece the reader could not follow (a call or name it cannot see);
  listed so that a reviewer knows where the table may be incomplete.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .golit import element, split, text

if TYPE_CHECKING:
    from .golit import Group
    from .gopkg import Func, Resolver


@dataclass
class Found:
    file: str
    arguments: set[str] = field(default_factory=set)
    force_new: set[str] = field(default_factory=set)
    conditional: set[str] = field(default_factory=set)
    unresolved: set[str] = field(default_factory=set)


def plain_path(path: str) -> str:
    """A path as the table writes it: SDK list indexes dropped (`a.0.b` -> `a.b`)."""
    return re.sub(r"\.\d+(?=\.|$)", "", path)


def entries(res: Resolver, ctx: Func, schema_map: Group, prefix: str, found: Found,
            entry: Callable[[Resolver, Func, list], tuple[Func, dict] | None],
            unseen: Callable[[list], bool] = lambda value: False) -> Iterator[tuple[str, Func, dict]]:
    """Each `"key": value` of a schema map as (argument path, the function its fields are
    in, its fields), read by the framework's `entry`; a key or value it cannot follow is
    recorded as unresolved, unless `unseen` says it is deliberately not followed."""
    for part in split(schema_map.items):
        key, value = element(part)
        name = res.name(ctx.package, ctx.file, key or [])
        if name is None:
            found.unresolved.add(prefix + text(key or part))
            continue
        got = entry(res, ctx, value)
        if got is None:
            if not unseen(value):
                found.unresolved.add(f"{prefix}{name}: {text(value)}")
            continue
        yield prefix + name, *got
