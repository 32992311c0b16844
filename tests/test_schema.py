"""The bundled schema: in sync with the fragments, usable by editors, fully described."""

from __future__ import annotations

import json

from jsonschema import Draft7Validator

from conftest import ROOT
from mlops import registry
from mlops.schema import assemble, render

BUNDLED = ROOT / "schemas" / "mlops.schema.json"
# Keywords yaml-language-server and other draft-07 editors understand.
EDITOR_KEYWORDS = {
    "$schema", "$id", "$ref", "title", "description", "default", "examples", "type",
    "properties", "additionalProperties", "required", "enum", "pattern", "propertyNames",
    "items", "minItems", "maxItems", "uniqueItems", "minimum", "maximum", "minLength",
    "maxLength", "minProperties", "definitions", "if", "then", "else", "not",
}


def test_bundled_schema_matches_the_fragments() -> None:
    assert BUNDLED.read_text("utf-8") == render(assemble(registry.modules())), (
        "schemas/mlops.schema.json is stale: run `mlops schema -o schemas/mlops.schema.json`"
    )


def test_bundled_schema_is_valid_draft_07() -> None:
    schema = json.loads(BUNDLED.read_text("utf-8"))
    Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


def _walk(schema, path=()):
    """Yield (path, subschema) for every schema object in the tree."""
    if not isinstance(schema, dict):
        return
    yield path, schema
    for key in ("properties", "definitions"):
        for name, sub in schema.get(key, {}).items():
            yield from _walk(sub, path + (key, name))
    for key in ("additionalProperties", "items", "propertyNames", "if", "then", "else", "not"):
        if isinstance(schema.get(key), dict):
            yield from _walk(schema[key], path + (key,))


def test_every_property_has_a_description() -> None:
    schema = json.loads(BUNDLED.read_text("utf-8"))
    missing = [
        "/".join(path + ("properties", name))
        for path, sub in _walk(schema)
        for name, prop in sub.get("properties", {}).items()
        if "description" not in prop and "$ref" not in prop
    ]
    assert not missing, f"properties without a description: {missing}"


def test_only_editor_keywords_are_used() -> None:
    schema = json.loads(BUNDLED.read_text("utf-8"))
    used = {key for _, sub in _walk(schema) for key in sub}
    assert used <= EDITOR_KEYWORDS, f"keywords editors may not support: {sorted(used - EDITOR_KEYWORDS)}"


def test_objects_are_closed() -> None:
    """Every object schema says additionalProperties, so a typo is an error, not ignored."""
    schema = json.loads(BUNDLED.read_text("utf-8"))
    open_objects = [
        "/".join(path) for path, sub in _walk(schema)
        if sub.get("type") == "object" and "additionalProperties" not in sub
    ]
    assert not open_objects, f"object schemas without additionalProperties: {open_objects}"
