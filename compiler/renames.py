"""Renamed entries: what the spec says an entry was called before, and the spec as it was.

A named entry (a bucket, dataset, model, code repository, image, key domain or user:
the maps the schema marks `x-mlops-renamable`) may say `renamed_from: features` (or the
names it had, oldest first). Its AWS resources were made under its first name, and
many of their names cannot change in place (an S3 bucket, a model package group, an
ECR repository, a role), so the entry keeps every AWS name and value it had: the
stack is built from the spec *as it was* (`stages`: the entry back under its first
name, and every reference to it, which the schema marks `x-mlops-refers-to` on a value
and `x-mlops-keys-refer-to` on a map keyed by names), and only its Terraform addresses
and spec paths follow the new name (mlops.moves), with `moved` blocks from each earlier
address. Renaming twice keeps both old names: `renamed_from: [features, curated]`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import SpecError, SpecPath, format_path
from .schema import deref

RENAMABLE, REFERS_TO, KEYS_REFER_TO = "x-mlops-renamable", "x-mlops-refers-to", "x-mlops-keys-refer-to"
FIELD = "renamed_from"


@dataclass(frozen=True)
class Rename:
    """The entry `name` of the map at `entries` (("data", "buckets")), and the names it
    had before, oldest first."""

    entries: SpecPath
    name: str
    history: tuple[str, ...]

    def at(self, stage: int) -> str:
        """Its name at `stage`: 0 is the first name; past its history, its name now."""
        return self.history[stage] if stage < len(self.history) else self.name


@dataclass(frozen=True)
class Stage:
    """The spec as it was at one earlier stage of its renames, and how its spec paths
    read now: (path then, path now) prefixes."""

    spec: dict[str, Any]
    paths: tuple[tuple[SpecPath, SpecPath], ...]
    names: dict[tuple[SpecPath, str], str]  # (map, name now) -> name then, of each entry renamed since

    def name(self, entries: SpecPath, current: str) -> str:
        """What the entry called `current` now was called at this stage."""
        return self.names.get((entries, current), current)

    def then(self, path: SpecPath) -> SpecPath:
        """A spec path as it read at this stage."""
        return now(path, tuple((b, a) for a, b in self.paths))


def found(spec: dict[str, Any], schema: dict) -> list[Rename]:
    """Every entry of the resolved spec that says `renamed_from`."""
    out: list[Rename] = []

    def visit(value: Any, node: dict, path: SpecPath) -> None:
        if node.get(RENAMABLE) and isinstance(value, dict):
            for name, entry in value.items():
                if isinstance(entry, dict) and FIELD in entry:
                    was = entry[FIELD]
                    out.append(Rename(path, name, tuple([was] if isinstance(was, str) else was)))

    walk(spec, schema, schema, (), visit)
    return out


def check(spec: dict[str, Any], schema: dict, origin: Callable[[SpecPath], SpecPath]) -> list[SpecError]:
    """An old name must be free: not the entry's own name (moves cannot lead back to
    where they started), not another entry's name in the same map (its resources would
    be claimed twice), nor another entry's old name. And a rename is the entry's, the
    same in every environment: never an override (`origin`: where a value was written)."""
    errors: list[SpecError] = []
    claimed: dict[tuple[SpecPath, str], str] = {}
    renames = found(spec, schema)
    for rename in renames:
        entries = _get(spec, rename.entries)
        where = (*rename.entries, rename.name, FIELD)
        if origin(where)[2:3] == ("overrides",):
            errors.append(SpecError(where, "renamed_from cannot be overridden: a rename is the same in every environment",
                                    hint=f"write it on {format_path(rename.entries)}.{rename.name} itself (or under "
                                         "additions, for an entry one environment adds)", key=True))
            continue
        for old in rename.history:
            if old == rename.name:
                errors.append(SpecError(where, f"'{old}' is this entry's name now",
                                        hint="an entry cannot take back a name it had (Terraform's moves cannot lead "
                                             "back to where they started): choose a new name"))
            elif old in entries:
                trade = any(r.entries == rename.entries and r.name == old and rename.name in r.history for r in renames)
                errors.append(SpecError(where, f"'{old}' is still an entry of {format_path(rename.entries)}",
                                        hint="two entries cannot trade names (Terraform cannot move two resources "
                                             "onto each other's addresses): give one of them a new name" if trade else
                                             f"an entry renamed from '{old}' takes over its resources: remove or "
                                             f"rename the entry '{old}' first"))
            elif (rename.entries, old) in claimed:
                errors.append(SpecError(where, f"'{claimed[rename.entries, old]}' was renamed from '{old}' too",
                                        hint="one entry keeps the resources of an old name"))
            claimed.setdefault((rename.entries, old), rename.name)
    return errors


def stages(spec: dict[str, Any], schema: dict) -> tuple[Stage, ...]:
    """The spec at each stage of its renames, from the first names on (empty without
    renames). Stage k gives each renamed entry the k-th name of its history."""
    renames = found(spec, schema)
    depth = max((len(r.history) for r in renames), default=0)
    return tuple(_stage(spec, schema, renames, k) for k in range(depth))


def _stage(spec: dict[str, Any], schema: dict, renames: list[Rename], k: int) -> Stage:
    then = copy.deepcopy(spec)
    wanted = {(r.entries, r.name): r.at(k) for r in renames if r.at(k) != r.name}
    paths: list[tuple[SpecPath, SpecPath]] = []
    for (entries, now), was in wanted.items():
        mapping = _get(then, entries)
        renamed = {(was if key == now else key): value for key, value in mapping.items()}
        mapping.clear()
        mapping.update(renamed)
        paths.append(((*entries, was), (*entries, now)))

    def references(value: Any, node: dict, path: SpecPath) -> None:
        target = node.get(REFERS_TO)
        if target and isinstance(value, str):
            key = (tuple(target.split(".")), value)
            if key in wanted:
                _set(then, path, wanted[key])
        target = node.get(KEYS_REFER_TO)
        if target and isinstance(value, dict):
            for now in [k for k in value if (tuple(target.split(".")), k) in wanted]:
                was = wanted[tuple(target.split(".")), now]
                value[was] = value.pop(now)
                paths.append(((*path, was), (*path, now)))

    walk(then, schema, schema, (), references)
    return Stage(then, tuple(paths), wanted)


def entry_of(path: SpecPath, schema: dict) -> tuple[SpecPath, str] | None:
    """The renamable entry a spec path lies in, as (its map, its name), if any."""
    node: Any = schema
    for depth, part in enumerate(path):
        node = deref(node, schema)
        if not isinstance(node, dict):
            return None
        if node.get(RENAMABLE) and isinstance(part, str):
            return path[:depth], part
        extra = node.get("additionalProperties")
        node = node.get("properties", {}).get(part, extra if isinstance(extra, dict) else None)
    return None


def suggested(removed: list[SpecPath], added: list[SpecPath], schema: dict) -> list[tuple[SpecPath, str]]:
    """Entries that look renamed without `renamed_from`: in one map, one entry's resources
    all go and another's all come. Each as (the new entry's path, its old name)."""
    gone: dict[SpecPath, set[str]] = {}
    came: dict[SpecPath, set[str]] = {}
    for paths, into in ((removed, gone), (added, came)):
        for path in paths:
            entry = entry_of(path, schema)
            if entry:
                into.setdefault(entry[0], set()).add(entry[1])
    return [((*entries, next(iter(came[entries]))), next(iter(names)))
            for entries, names in sorted(gone.items()) if len(names) == 1 and len(came.get(entries, ())) == 1]


def now(path: SpecPath, paths: tuple[tuple[SpecPath, SpecPath], ...]) -> SpecPath:
    """A spec path of an earlier stage as it reads in the spec now."""
    for then, current in paths:
        if path[:len(then)] == then:
            return current + path[len(then):]
    return path


def walk(value: Any, node: Any, root: dict, path: SpecPath, visit) -> None:
    """Call `visit(value, schema node, path)` on every value of the spec, depth first,
    with the schema node that describes it (sections of `environments` are skipped:
    the resolved spec has merged them)."""
    node = deref(node, root)
    if not isinstance(node, dict):
        return
    visit(value, node, path)
    if isinstance(value, dict):
        properties = node.get("properties", {})
        extra = node.get("additionalProperties")
        for key in list(value):
            if path == () and key == "environments":
                continue
            child = properties.get(key, extra if isinstance(extra, dict) else None)
            if key in value:
                walk(value[key], child, root, (*path, key), visit)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for index, item in enumerate(value):
            walk(item, node["items"], root, (*path, index), visit)


def _get(spec: Any, path: SpecPath) -> Any:
    for part in path:
        spec = spec[part]
    return spec


def _set(spec: Any, path: SpecPath, value: Any) -> None:
    _get(spec, path[:-1])[path[-1]] = value
