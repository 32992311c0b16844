"""Validate plain spec data against the bundled schema and report every error at once.

jsonschema finds the problems; this pass rewrites its messages for the person editing
the YAML: `unknown key 'regoin'` with a did-you-mean, `expected a string, got the
integer 11111111111` with a hint to quote it, one message for each problem. Errors on
a value that jsonschema reports several ways (a failed `if/then`, a failed `anyOf`)
are reported once, by their most specific cause.

jsonschema is imported only when the spec has errors: a valid spec is recognised by the
compiled schema (compiled_schema.py), which costs a fraction of jsonschema's import.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import compiled_schema
from .errors import SpecError, did_you_mean

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing",
}
# Words YAML 1.1 read as booleans; YAML 1.2 (what mlops uses) keeps them as strings.
_YAML11_BOOLEANS = {"yes", "no", "on", "off", "y", "n"}
# Longer enums come from AWS's API models and are not spelled out in messages.
_LISTED_CHOICES = 20


def validate(data: Any, schema: dict[str, Any]) -> list[SpecError]:
    if compiled_schema.accepts(data, schema):
        return []
    from jsonschema import Draft7Validator

    validator = Draft7Validator(schema)
    errors: dict[tuple, SpecError] = {}
    for error in _leaves(validator.iter_errors(data)):
        for spec_error in _translate(error):
            errors.setdefault((spec_error.path, spec_error.message), spec_error)
    return list(errors.values())


def _leaves(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    """The most specific errors: the causes inside anyOf/oneOf rather than the umbrella."""
    for error in errors:
        if error.context:
            yield from _leaves(error.context)
        else:
            yield error


def _translate(error: ValidationError) -> list[SpecError]:
    path = tuple(error.absolute_path)
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    if _is_name_schema(error) and isinstance(value, str) and kind == "enum":
        # A mapping key outside a fixed set: point at the key itself.
        choices = [str(c) for c in error.validator_value]
        return [SpecError(path + (value,), f"{_show(value)} is not one of: {', '.join(choices)}",
                          hint=did_you_mean(value, choices), key=True)]
    if kind == "additionalProperties" and isinstance(value, dict):
        return _unknown_keys(path, value, set(schema.get("properties", {})))
    if kind == "required":
        missing = error.validator_value
        names = [m for m in missing if isinstance(value, dict) and m not in value]
        described = schema.get("properties", {})
        return [
            SpecError(path, f"missing required key '{name}'", hint=_describe(described.get(name)))
            for name in names
        ]
    if kind == "type":
        return [SpecError(path, _type_message(error.validator_value, value), hint=_type_hint(error.validator_value, value))]
    if kind == "enum":
        return [_enum_error(path, value, [str(c) for c in error.validator_value])]
    if kind == "pattern" or kind == "propertyNames":
        return [_pattern_error(error, path)]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        word = {"minimum": "at least", "maximum": "at most",
                "exclusiveMinimum": "more than", "exclusiveMaximum": "less than"}[kind]
        return [SpecError(path, f"{_show(value)} must be {word} {error.validator_value}")]
    if kind in ("minLength", "maxLength"):
        word = "at least" if kind == "minLength" else "at most"
        return [SpecError(path, f"must be {word} {error.validator_value} characters long")]
    if kind in ("minItems", "maxItems", "minProperties", "maxProperties"):
        word = "at least" if kind.startswith("min") else "at most"
        what = "entries" if kind.endswith("Items") else "keys"
        return [SpecError(path, f"must have {word} {error.validator_value} {what}")]
    if kind == "uniqueItems":
        return [SpecError(path, "list entries must be unique")]
    if kind == "not":
        return [SpecError(path, schema.get("description", error.message))]
    return [SpecError(path, error.message)]


def _unknown_keys(path: tuple, value: dict, allowed: set[str]) -> list[SpecError]:
    """One error per key the schema does not know, with a did-you-mean or the choices."""
    extras = sorted(set(value) - allowed)
    if not allowed:
        return [SpecError(path + (k,), f"unknown key '{k}'", key=True) for k in extras]
    return [SpecError(path + (key,), f"unknown key '{key}'",
                      hint=did_you_mean(key, allowed) or "allowed here: " + ", ".join(sorted(allowed)), key=True)
            for key in extras]


def _enum_error(path: tuple, value, choices: list[str]) -> SpecError:
    if len(choices) > _LISTED_CHOICES:  # AWS's lists (instance types): too long to print
        return SpecError(path, f"{_show(value)} is not one of the {len(choices)} values AWS accepts here",
                         hint=did_you_mean(str(value), choices) or "your editor completes them from the schema")
    return SpecError(path, f"{_show(value)} is not one of: {', '.join(choices)}", hint=did_you_mean(str(value), choices))


def _pattern_error(error: ValidationError, path: tuple) -> SpecError:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "propertyNames":
        # The failing name is the instance of the nested error; point at the key.
        bad = error.instance
        return SpecError(
            path + (bad,) if isinstance(bad, str) else path,
            f"name {_show(bad)} is not allowed here",
            hint=_describe(schema.get("propertyNames")),
            key=True,
        )
    if isinstance(error.instance, str) and _is_name_schema(error):
        # jsonschema reports a bad mapping key at its parent; point at the key itself.
        return SpecError(path + (error.instance,), f"name {_show(error.instance)} is not allowed here",
                         hint=_describe(schema), key=True)
    return SpecError(path, f"{_show(error.instance)} is not valid here", hint=_describe(schema))


def _is_name_schema(error: ValidationError) -> bool:
    return "propertyNames" in tuple(error.absolute_schema_path)


def _describe(schema: Any) -> str | None:
    if not isinstance(schema, dict):
        return None
    text = schema.get("description")
    examples = schema.get("examples")
    if examples and not isinstance(examples[0], (dict, list)):
        example = f"e.g. {examples[0]}"
        return f"{text} ({example})" if text else example
    return text


def _type_message(expected: Any, value: Any) -> str:
    wanted = expected if isinstance(expected, list) else [expected]
    names = " or ".join(_TYPE_NAMES.get(w, w) for w in wanted)
    return f"expected {names}, got {_kind(value)}"


def _type_hint(expected: Any, value: Any) -> str | None:
    wanted = expected if isinstance(expected, list) else [expected]
    if "string" in wanted and isinstance(value, (int, float)) and not isinstance(value, bool):
        return "quote the value so YAML keeps it as written (e.g. \"0123\" keeps its leading zero)"
    if "string" in wanted and isinstance(value, bool):
        return "quote the value if you mean the word"
    if "boolean" in wanted and isinstance(value, str) and value.lower() in _YAML11_BOOLEANS:
        return f"YAML 1.2 reads '{value}' as a string; write true or false"
    return None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {_show(value)}"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
