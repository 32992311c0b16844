"""Resolve a valid document into one spec per environment.

For each environment: apply its `overrides` over the top-level sections (mappings merge
key by key, anything else replaces), fill the schema's defaults, then run every
module's semantic checks. Each resolved value remembers where it was written, so an
error about a value that came from `environments.prod.overrides` points at that line,
not at the base value it replaced.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import arns, declared
from .errors import SpecError, SpecPath
from .module_api import Environment, Module, partition
from .validate import validate

# Not module sections; `environments` stays in each resolved spec (read-only) so a
# module can name other environments' accounts (registry readers, say).
_NOT_SECTIONS = ("exceptions", "$schema")


@dataclass(frozen=True)
class Resolved:
    """One environment's spec, and where each overridden value came from."""

    env: Environment
    spec: dict[str, Any]
    origins: dict[SpecPath, SpecPath]

    def origin(self, path: SpecPath) -> SpecPath:
        """The path in mlops.yaml that wrote the value at `path` of this resolved spec."""
        for cut in range(len(path), 0, -1):
            source = self.origins.get(path[:cut])
            if source is not None:
                return source + path[cut:]
        return path


def resolve(data: Mapping[str, Any], schema: dict, modules: Iterable[Module]) -> tuple[list[Resolved], list[SpecError]]:
    modules = tuple(modules)
    resolved: list[Resolved] = []
    errors: dict[tuple, SpecError] = {}
    for name in sorted(data["environments"]):
        one = _resolve_one(data, name, schema)
        found = _validate_overridden(one.spec, data["environments"][name].get("overrides") or {}, schema)
        found += arns.check(one.spec, one.env)
        for module in modules:
            if module.name in one.spec:
                found += module.check(one.spec, one.env)
        for error in found:
            moved = _moved(one, error)
            errors.setdefault((moved.path, moved.message), moved)
        resolved.append(one)
    for error in declared.entries(data):
        errors.setdefault((error.path, error.message), error)
    if not errors:
        by_name = {one.env.name: one for one in resolved}
        specs = {one.env.name: one.spec for one in resolved}
        for module in modules:
            for env_name, error in module.check_environments(specs):
                moved = _moved(by_name[env_name], error)
                errors.setdefault((moved.path, moved.message), moved)
    return resolved, list(errors.values())


def _moved(one: Resolved, error: SpecError) -> SpecError:
    """The same error, pointing at the line of mlops.yaml that wrote the value."""
    return SpecError(one.origin(error.path), error.message, error.hint, error.position, error.key)


def environment(data: Mapping[str, Any], name: str) -> Environment:
    env = data["environments"][name]
    region = env.get("region") or data["region"]
    role = env.get("role")
    if role and not role.startswith("arn:"):
        role = f"arn:{partition(region)}:iam::{env['account']}:role/{role}"
    return Environment(name=name, account=env["account"], region=region, role_arn=role)


def _resolve_one(data: Mapping[str, Any], name: str, schema: dict) -> Resolved:
    spec = {k: copy.deepcopy(v) for k, v in data.items() if k not in _NOT_SECTIONS}
    origins: dict[SpecPath, SpecPath] = {}
    overrides = data["environments"][name].get("overrides") or {}
    _merge(spec, overrides, (), ("environments", name, "overrides"), origins)
    kept = [(i, e) for i, e in enumerate(data.get("exceptions", [])) if name in e.get("environments", [name])]
    spec["exceptions"] = [e for _, e in kept]
    origins.update({("exceptions", j): ("exceptions", i) for j, (i, _) in enumerate(kept)})
    fill_defaults(spec, schema, schema)
    return Resolved(environment(data, name), spec, origins)


def _validate_overridden(spec: dict, overrides: Mapping[str, Any], schema: dict) -> list[SpecError]:
    """Validate the sections an environment's overrides changed, merged as they now are.

    Each override was already checked against the partial schemas; this catches what
    only the merged value can break (an `if/then` on a key the override did not set).
    Untouched sections were validated with the document, so they are skipped."""
    errors = []
    for section in sorted(overrides):
        subschema = dict(schema["properties"][section], definitions=schema["definitions"])
        for error in validate(spec[section], subschema):
            errors.append(SpecError((section, *error.path), error.message, error.hint, error.position, error.key))
    return errors


def _merge(base: dict, over: Mapping, path: SpecPath, source: SpecPath, origins: dict) -> None:
    for key, value in over.items():
        here, there = path + (key,), source + (key,)
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value, here, there, origins)
        else:
            base[key] = copy.deepcopy(value)
            origins[here] = there


def fill_defaults(value: Any, schema: Any, root: dict) -> None:
    """Set every missing property that has a `default`, depth first."""
    schema = _deref(schema, root)
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        for key, sub in schema.get("properties", {}).items():
            sub = _deref(sub, root)
            if key not in value and isinstance(sub, dict) and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
            if key in value:
                fill_defaults(value[key], sub, root)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key in value:
                if key not in schema.get("properties", {}):
                    fill_defaults(value[key], extra, root)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            fill_defaults(item, schema["items"], root)


def _deref(schema: Any, root: dict) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = root["definitions"][schema["$ref"].removeprefix("#/definitions/")]
    return schema
