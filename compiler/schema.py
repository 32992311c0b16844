"""Assemble the bundled JSON Schema from the core fragment and the modules' fragments.

The result is one self-contained draft-07 file that yaml-language-server understands,
committed as `schemas/mlops.schema.json` and tested for drift. Environment overrides
get a *partial* copy of every module's schema (no `required`, no `default`), so an
editor completes and checks override keys exactly like the base keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .module_api import Module

DRAFT = "http://json-schema.org/draft-07/schema#"
SCHEMA_ID = "https://mlops.dev/schemas/mlops.schema.json"
PARTIAL = "partial."


def core_fragment() -> dict[str, Any]:
    # Package data read by its path beside this file (providers.py says why not importlib.resources).
    text = Path(__file__).with_name("core.schema.json").read_text("utf-8")
    return json.loads(text)


def assemble(modules: Iterable[Module]) -> dict[str, Any]:
    core = core_fragment()
    properties = dict(core["properties"])
    definitions = dict(core["definitions"])
    required = list(core["required"])
    override_props: dict[str, Any] = {
        "tags": {
            "type": "object",
            "description": "Tags merged over the top-level tags in this environment.",
            "additionalProperties": {"type": "string", "maxLength": 256},
        }
    }
    for module in modules:
        fragment = _aws_values(dict(module.schema))  # a copy: it rebuilds every dict and list
        own_defs = fragment.pop("definitions", {})
        for part in (fragment, *own_defs.values()):
            _renamable(part, own_defs)
        for name, definition in own_defs.items():
            if name in definitions:
                raise ValueError(f"module {module.name}: definition {name!r} already exists")
            definitions[name] = definition
            definitions[PARTIAL + name] = _partial(definition)
        if module.name in properties:
            raise ValueError(f"module {module.name}: section name already taken")
        properties[module.name] = fragment
        # One partial copy per section, shared by overrides and additions.
        definitions[PARTIAL + module.name] = _partial(fragment)
        override_props[module.name] = {"$ref": f"#/definitions/{PARTIAL}{module.name}"}
        if module.required:
            required.append(module.name)
    definitions["overrides"] = {
        "type": "object",
        "additionalProperties": False,
        "description": "Settings of this environment that differ from the top level; merged key by key (lists replace). "
                       "They change only entries the top level declares (a model, dataset, bucket...): an entry "
                       "this environment alone has goes under additions.",
        "properties": override_props,
    }
    definitions["additions"] = {
        "type": "object",
        "additionalProperties": False,
        "description": "Entries only this environment has (a model, dataset, bucket...), written in full under their "
                       "section, e.g. data: {buckets: {scratch: {}}}; a name the top level declares is an error "
                       "(change it under overrides).",
        "properties": {k: v for k, v in override_props.items() if k != "tags"},
    }
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "mlops.yaml",
        "description": "One file that describes a team's MLOps platform on AWS; `mlops compile` turns it into Terraform.",
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
        "definitions": dict(sorted(definitions.items())),
    }


def deref(schema: Any, root: dict) -> Any:
    """A schema node with its `$ref`s followed into the assembled schema's definitions."""
    while isinstance(schema, dict) and "$ref" in schema:
        schema = root["definitions"][schema["$ref"].removeprefix("#/definitions/")]
    return schema


AWS_SHAPE = "x-aws-shape"
RENAMABLE = "x-mlops-renamable"


def _renamable(schema: Any, definitions: dict[str, Any]) -> None:
    """Every entry of a map marked `"x-mlops-renamable": true` may say what it was called
    before (`renamed_from`, mlops.renames): one name, or the names it had, oldest first.
    Written here once, with the map's own name rule, rather than in each entry's schema;
    the entry schema is the map's `additionalProperties`, inline or a module definition."""
    if not isinstance(schema, dict):
        return
    if schema.get(RENAMABLE):
        entry = schema["additionalProperties"]
        if "$ref" in entry:
            entry = definitions[entry["$ref"].removeprefix("#/definitions/")]
        names = schema["propertyNames"]
        name = {"type": "string", "pattern": names["pattern"], "description": names.get("description", "")}
        entry.setdefault("properties", {})["renamed_from"] = {
            "type": ["string", "array"], "pattern": name["pattern"], "items": name, "minItems": 1, "uniqueItems": True,
            "description": "The name (or the names, oldest first) this entry had before: it keeps the AWS resources "
                           "and names it has, and Terraform moves them to the new addresses. Keep it as long as the "
                           "resources exist. " + name["description"],
            "examples": ["features"],
        }
    children = [*schema.get("properties", {}).values(), schema.get("additionalProperties"), schema.get("items")]
    for child in children:
        if isinstance(child, dict) and "$ref" not in child:
            _renamable(child, definitions)


def _aws_values(schema: Any) -> Any:
    """A fragment's `"x-aws-shape": "sagemaker:TrainingInstanceType"` becomes the `enum`
    of that API shape in AWS's model (mlops.awsapi), so the editor completes exactly the
    values AWS accepts and validate rejects the others at their line."""
    if isinstance(schema, list):
        return [_aws_values(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _aws_values(value) for key, value in schema.items() if key != AWS_SHAPE}
    if AWS_SHAPE in schema:
        from .awsapi import model

        service, shape = schema[AWS_SHAPE].split(":", 1)
        out.pop("pattern", None)
        out["enum"] = sorted(model(service).shape(shape)["enum"])
    return out


def _partial(schema: Any) -> Any:
    """The same schema with nothing required and no defaults, refs to partial copies."""
    if isinstance(schema, list):
        return [_partial(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in ("required", "default", "minProperties"):
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith("#/definitions/"):
            out[key] = "#/definitions/" + PARTIAL + value.removeprefix("#/definitions/")
        elif key in ("properties", "definitions"):
            out[key] = {k: _partial(v) for k, v in value.items()}
        else:
            out[key] = _partial(value)
    return out


def render(schema: dict[str, Any]) -> str:
    """The committed form: stable key order inside objects as written, 2-space indent,
    without the compiler's own annotations (`x-mlops-*`, for mlops.renames), which are
    no editor's business."""
    return json.dumps(_published(schema), indent=2, ensure_ascii=False) + "\n"


def _published(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_published(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {key: _published(value) for key, value in schema.items() if not key.startswith("x-mlops-")}
