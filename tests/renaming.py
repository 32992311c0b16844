"""Rename a spec entry the way a user does, independently of the compiler's own
reference tables: the entry's key, and every string and key equal to its old name, are
replaced everywhere in the document (defaults that name it written out first), and
`renamed_from` is added. Shared by the rename tests (tests/test_renames.py and
tests/test_terraform_renames.py)."""

from __future__ import annotations

import yaml

from mlops import registry
from mlops.resolve import fill_defaults
from mlops.schema import assemble, deref

SCHEMA = assemble(registry.modules())


def _replace_everywhere(value, old: str, new: str, entries: tuple, path: tuple = ()):
    """Every string equal to `old`, and every key `old` of a map whose path ends like the
    entry map's (its overrides and additions too; `monitoring.models` for a model)."""
    if isinstance(value, dict):
        here = path[-len(entries):] == entries
        return {(new if k == old and here else k): _replace_everywhere(v, old, new, entries, (*path, k))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_everywhere(v, old, new, entries, path) for v in value]
    return new if value == old and path[:1] != ("project",) else value


def _explicit_defaults(data: dict, old: str) -> None:
    """Write out, in each environment's overrides and additions, a default that names the
    entry (`capture_bucket: artifacts`) where neither the override nor the base sets it:
    the user renaming that entry must then write the new name there."""
    def fill(node, schema, base):
        schema = deref(schema, SCHEMA)
        if not isinstance(node, dict) or not isinstance(schema, dict):
            return
        for key, sub in schema.get("properties", {}).items():
            sub = deref(sub, SCHEMA)
            if isinstance(sub, dict) and sub.get("default") == old and key not in node and key not in (base or {}):
                node[key] = old
        extra = schema.get("additionalProperties")
        for key, value in node.items():
            child = schema.get("properties", {}).get(key, extra if isinstance(extra, dict) else None)
            fill(value, child, (base or {}).get(key) if isinstance(base, dict) else None)

    for env in data.get("environments", {}).values():
        for kind in ("overrides", "additions"):
            for section, value in (env.get(kind) or {}).items():
                if section in SCHEMA["properties"]:
                    fill(value, SCHEMA["properties"][section], data.get(section))


def _new_name(path: tuple, old: str, data: dict) -> str:
    """A free name of the same shape, within the map's length limit."""
    limit = {("data", "buckets"): 20, ("models",): 30}.get(path, 40)
    for suffix in ("x", "y", "z"):
        name = (old[: limit - 2] + "-" + suffix)
        if name not in str(data):
            return name
    raise AssertionError(f"no free name for {old}")


def renamed(text: str, path: tuple, old: str, earlier: tuple[str, ...] = (), new: str | None = None) -> tuple[str, str]:
    """The spec with entry `old` of map `path` renamed as a user would: (spec, new name).
    `earlier`: the names it had before `old`, for a second rename; `new`: the new name
    (else one made from the old)."""
    data = yaml.safe_load(text)
    for section in list(data):
        if section in SCHEMA["properties"] and section not in ("environments", "exceptions"):
            fill_defaults(data[section], SCHEMA["properties"][section], SCHEMA)
    _explicit_defaults(data, old)
    new = new or _new_name(path, old, data)
    data = _replace_everywhere(data, old, new, path)
    entry = data
    for part in (*path, new):
        entry = entry[part]
    entry["renamed_from"] = [*earlier, old] if earlier else old
    return yaml.safe_dump(data, sort_keys=False), new
