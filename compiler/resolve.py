"""Resolve a valid document into one spec per environment.

For each environment: apply its `additions` and `overrides` over the top-level sections
(compiler/overrides.py), fill the schema's defaults, validate the merged sections, and
only then run the modules' semantic checks, so no check ever sees data the schema
rejects. Each resolved value remembers where it was written, so an error about a value
that came from `environments.prod.overrides` points at that line, not at the base
value it replaced.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from . import arns, declared, renames, serving
from .awsapi import tags
from .errors import SpecError, SpecPath
from .environment import Environment, environment
from .module_api import Module
from .overrides import merge
from .renames import Stage
from .schema import deref
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
    # The spec as it was before its entries were renamed, stage by stage (mlops.renames).
    stages: tuple[Stage, ...] = ()

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
    # Modules' checks may rely on serves_from naming an environment that trains.
    served = serving.check(data)
    for error in served:
        errors.setdefault((error.path, error.message), error)
    for name in sorted(data["environments"]):
        one, found = _resolve_one(data, name, schema)
        if not found:
            found = (arns.check(one.spec, one.env) + tags.check(one.spec) + renames.check(one.spec, schema, one.origin)
                     + ([] if served else _checks(one, modules)))
        if not found:
            one, found = _renamed(one, schema, modules)
        for error in found:
            error = moved(one, error)
            errors.setdefault((error.path, error.message), error)
        resolved.append(one)
    for error in declared.entries(data):
        errors.setdefault((error.path, error.message), error)
    if not errors:
        by_name = {one.env.name: one for one in resolved}
        specs = {one.env.name: one.spec for one in resolved}
        for module in modules:
            for env_name, error in module.check_environments(specs):
                error = moved(by_name[env_name], error)
                errors.setdefault((error.path, error.message), error)
    return resolved, list(errors.values())


def _checks(one: Resolved, modules: tuple[Module, ...]) -> list[SpecError]:
    """Every module's check on a spec that passed the schema, each module only when the
    modules it reads (`after`) found nothing wrong: a check may then index any name
    another module's check vouched for (a dataset's bucket, a model's image) without
    guarding against the reference that check has just reported missing."""
    found: list[SpecError] = []
    failed: set[str] = set()
    for module in modules:
        if module.name not in one.spec:
            continue
        if failed & set(module.after):
            failed.add(module.name)
            continue
        errors = module.check(one.spec, one.env)
        if errors:
            failed.add(module.name)
            found += errors
    return found


def _renamed(one: Resolved, schema: dict, modules: tuple[Module, ...]) -> tuple[Resolved, list[SpecError]]:
    """`one` with the stages of its renames. Each stage must pass the checks the spec as
    written passed: a reference the schema does not mark would point at a name the stage
    no longer has, and is reported at the rename rather than crashing the build."""
    stages = renames.stages(one.spec, schema)
    for stage in stages:
        for error in _checks(Resolved(one.env, stage.spec, {}), modules):
            entries, now = next(iter(stages[0].names))
            return one, [SpecError((*entries, now, renames.FIELD),
                                   f"mlops cannot rebuild the spec as it was before this rename: {error.message}",
                                   hint="a reference mlops does not follow; please report it, and keep the old name "
                                        "until it is fixed")]
    return replace(one, stages=stages), []


def moved(one: Resolved, error: SpecError) -> SpecError:
    """The same error, pointing at the line of mlops.yaml that wrote the value."""
    return SpecError(one.origin(error.path), error.message, error.hint, error.position, error.key)


def _resolve_one(data: Mapping[str, Any], name: str, schema: dict) -> tuple[Resolved, list[SpecError]]:
    """The environment's spec, and what is wrong with it before any module check runs:
    an override naming no entry, or a merged section the schema rejects."""
    spec = {k: copy.deepcopy(v) for k, v in data.items() if k not in _NOT_SECTIONS}
    origins: dict[SpecPath, SpecPath] = {}
    settings = data["environments"][name]
    overrides, additions = settings.get("overrides") or {}, settings.get("additions") or {}
    errors = merge(spec, name, overrides, additions, schema, origins)
    kept = [(i, e) for i, e in enumerate(data.get("exceptions", [])) if name in e.get("environments", [name])]
    spec["exceptions"] = [e for _, e in kept]
    origins.update({("exceptions", j): ("exceptions", i) for j, (i, _) in enumerate(kept)})
    fill_defaults(spec, schema, schema)
    one = Resolved(environment(data, name), spec, origins)
    if not errors:
        errors = _validate_merged(spec, set(overrides) | set(additions), schema)
    return one, errors


def _validate_merged(spec: dict, sections: set[str], schema: dict) -> list[SpecError]:
    """Validate the sections an environment's overrides or additions changed, merged as
    they now are. Each override was already checked against the partial schemas; this
    catches what only the merged value can break (an addition without a required key,
    an `if/then` on a key the override did not set). Untouched sections were validated
    with the document, so they are skipped."""
    errors = []
    for section in sorted(sections):
        subschema = dict(schema["properties"][section], definitions=schema["definitions"])
        for error in validate(spec[section], subschema):
            errors.append(SpecError((section, *error.path), error.message, error.hint, error.position, error.key))
    return errors


def fill_defaults(value: Any, schema: Any, root: dict) -> None:
    """Set every missing property that has a `default`, depth first."""
    schema = deref(schema, root)
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        for key, sub in schema.get("properties", {}).items():
            sub = deref(sub, root)
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

