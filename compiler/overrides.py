"""Merge one environment's `overrides` and `additions` over the base spec.

Why two keys: a named entry -- a key of a mapping whose values are mappings (a model,
dataset, bucket, image, user, key domain) -- that `overrides` mistypes would otherwise
become a new entry in that environment alone (`overrides.data.buckets.rwa` a second,
empty bucket next to `raw`), and a model renamed in `models` but not in the overrides
would be half a model. So `overrides` only change entries the base spec declares (an
unknown one is an error with did-you-mean), and an entry that exists in one environment
only is written under `additions`, which may only add entries the base does not have.
Settings (fixed keys, tags, hyperparameters) merge key by key as before; lists replace.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .errors import SpecError, SpecPath, did_you_mean, format_path
from .schema import deref


def merge(spec: dict, env: str, overrides: Mapping, additions: Mapping, schema: dict,
          origins: dict[SpecPath, SpecPath]) -> list[SpecError]:
    """Apply `additions` then `overrides` of environment `env` to `spec` in place,
    recording in `origins` where each merged value was written; the errors say which
    override names no entry, or which addition names one that exists."""
    merging = _Merge(env, schema, origins)
    merging.walk(spec, additions, schema, (), ("environments", env, "additions"), adding=True)
    merging.walk(spec, overrides, schema, (), ("environments", env, "overrides"), adding=False)
    return merging.errors


class _Merge:
    def __init__(self, env: str, root: dict, origins: dict[SpecPath, SpecPath]):
        self.env, self.root, self.origins = env, root, origins
        self.errors: list[SpecError] = []

    def walk(self, base: dict, over: Mapping, schema: Any, path: SpecPath, source: SpecPath, adding: bool) -> None:
        schema = deref(schema, self.root)
        entries = _entry_map(schema, self.root)
        for key, value in over.items():
            here, there = path + (key,), source + (key,)
            if entries and key not in schema.get("properties", {}):
                self._entry(base, key, value, _child(schema, key), path, (here, there), adding)
            elif isinstance(value, Mapping) and (isinstance(base.get(key), dict) or key not in base):
                if key not in base:
                    base[key] = {}
                    self.origins[here] = there
                self.walk(base[key], value, _child(schema, key), here, there, adding)
            elif adding:
                self.errors.append(SpecError(there, f"additions only add named entries; {format_path(here)} is a setting",
                                             hint=f"change it under environments.{self.env}.overrides", key=True))
            else:
                base[key] = copy.deepcopy(value)
                self.origins[here] = there

    def _entry(self, base: dict, key: str, value: Any, schema: Any, path: SpecPath,
               places: tuple[SpecPath, SpecPath], adding: bool) -> None:
        here, there = places
        where = format_path(path)
        if adding and key in base:
            self.errors.append(SpecError(there, f"{where} already has an entry named '{key}'",
                                         hint=f"change it under environments.{self.env}.overrides", key=True))
        elif adding:
            base[key] = copy.deepcopy(value)
            self.origins[here] = there
        elif key not in base:
            hint = did_you_mean(key, base) or (f"to add it in {self.env} only, write it under "
                                               f"environments.{self.env}.additions")
            self.errors.append(SpecError(there, f"no entry named '{key}' in {where} to override", hint=hint, key=True))
        elif isinstance(value, Mapping) and isinstance(base[key], dict):
            self.walk(base[key], value, schema, here, there, adding)
        else:
            base[key] = copy.deepcopy(value)
            self.origins[here] = there


def _child(schema: Any, key: str | int) -> Any:
    if not isinstance(schema, dict):
        return None
    if key in schema.get("properties", {}):
        return schema["properties"][key]
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def _entry_map(schema: Any, root: dict) -> bool:
    """A mapping of named entries: any key, each value a mapping."""
    if not isinstance(schema, dict):
        return False
    extra = deref(schema.get("additionalProperties"), root)
    return isinstance(extra, dict) and extra.get("type") == "object"
