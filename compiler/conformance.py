"""Check synthesized stacks against the pinned provider schemas, before Terraform does.

A misspelt attribute, a missing required argument, a block written as a scalar, too
many blocks, or a reference to a resource that was never emitted must fail in
`mlops compile`, naming the module and the spec path that produced it -- not hours
later in `terraform plan`. The schemas are slices of the real `hashicorp/aws` and
`hashicorp/awscc` provider schemas (`compiler/schemas/providers/`, `terraform providers
schema -json` shape), extracted from the prebuilt CDK provider packages by
`tools/extract_provider_schema.py`.

Vocabulary: a *block schema* has `attributes` (name -> type and required / optional /
computed) and `block_types` (name -> nesting mode, nested block schema, min/max items).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .errors import SpecError, SpecPath, did_you_mean
from .providers import SCHEMA_DIR
# Terraform meta-arguments: valid on every resource, not part of any provider schema.
META = {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}
LIFECYCLE = {"create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by",
             "precondition", "postcondition"}
# A reference inside an interpolation: [data.]TYPE.NAME.ATTRIBUTE (provider-prefixed types only).
REFERENCE = re.compile(r"(?<![\w.])(data\.)?((?:aws|awscc)_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)\.([a-z_][a-z0-9_]*)")
# A template sequence; `$${` is Terraform's escape for a literal `${`.
INTERPOLATION = re.compile(r"(?<!\$)\$\{([^}]*)\}")
# What mlops writes inside ${...}: a reference to an attribute, with optional indexes.
EXPRESSION = re.compile(r"^(data\.)?(aws|awscc)_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*\.[a-z_][a-z0-9_]*(\[\d+\]|\.[a-z0-9_]+)*$")


@dataclass(frozen=True)
class Origin:
    """Where a resource came from: the module that emitted it and the spec path."""

    module: str
    path: SpecPath


@dataclass(frozen=True)
class Schemas:
    """Resource, data source and provider block schemas by type name, over all providers."""

    resources: Mapping[str, dict]
    data_sources: Mapping[str, dict]
    providers: Mapping[str, dict]

    def block(self, kind: str, type_: str) -> dict | None:
        table = self.resources if kind == "resource" else self.data_sources
        entry = table.get(type_)
        return entry["block"] if entry else None


@cache
def pinned() -> Schemas:
    resources: dict[str, dict] = {}
    data_sources: dict[str, dict] = {}
    providers: dict[str, dict] = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        if path.name.endswith((".resolutions.json", ".index.json", ".replace.json")):
            continue
        doc = json.loads(path.read_text("utf-8"))
        for address, provider in doc["provider_schemas"].items():
            providers[address.rsplit("/", 1)[-1]] = provider["provider"]["block"]
            resources.update(provider.get("resource_schemas", {}))
            data_sources.update(provider.get("data_source_schemas", {}))
    return Schemas(resources, data_sources, providers)


def derive_taggable(schemas: Schemas) -> dict[str, str]:
    found = {}
    for type_, entry in sorted(schemas.resources.items()):
        tags = entry["block"].get("attributes", {}).get("tags")
        if tags:
            found[type_] = "map" if tags["type"][0] == "map" else "list"
    return found


def check(stack: Mapping[str, Any], origins: Mapping[str, Origin], schemas: Schemas) -> list[SpecError]:
    """Every conformance error in one synthesized stack."""
    errors: list[SpecError] = []
    emitted = set(_addresses(stack))
    for kind, type_, name, body in _elements(stack):
        address = f"{'data.' if kind == 'data' else ''}{type_}.{name}"
        origin = origins.get(address, Origin("compiler", ()))

        def report(message: str, hint: str | None = None) -> None:
            errors.append(SpecError(origin.path, f"module {origin.module}: {address}: {message}", hint))

        block = schemas.block("data" if kind == "data" else "resource", type_)
        if block is None:
            report(f"{'data source' if kind == 'data' else 'resource'} type '{type_}' is not in the pinned provider schemas",
                   hint="add it to compiler/schemas/providers/*.types and rerun tools/extract_provider_schema.py")
            continue
        body = dict(body)
        if kind == "resource":
            for meta in META & set(body):
                _check_meta(meta, body.pop(meta), report)
        _check_block(block, body, "", report)
        for expression in _interpolations(body):
            if not EXPRESSION.match(expression):
                report(f"'${{{expression}}}' is not a reference Terraform can resolve",
                       hint="write literal text with mlops.module_api.literal(), which escapes ${ as $${")
        for ref_kind, ref_type, ref_name, attribute in _references(body):
            target = f"{'data.' if ref_kind else ''}{ref_type}.{ref_name}"
            if target not in emitted:
                report(f"refers to {target}, which this stack does not emit",
                       hint=did_you_mean(target, emitted))
                continue
            target_block = schemas.block("data" if ref_kind else "resource", ref_type) or {}
            known = set(target_block.get("attributes", {})) | set(target_block.get("block_types", {}))
            if attribute not in known:
                report(f"refers to {target}.{attribute}, but {ref_type} has no attribute '{attribute}'",
                       hint=did_you_mean(attribute, known))
    for name, output in sorted(stack.get("output", {}).items()):
        for ref_kind, ref_type, ref_name, _ in _references(output.get("value")):
            target = f"{'data.' if ref_kind else ''}{ref_type}.{ref_name}"
            if target not in emitted:
                errors.append(SpecError((), f"output {name}: refers to {target}, which this stack does not emit"))
    for name, configs in stack.get("provider", {}).items():
        block = schemas.providers.get(name)
        for config in configs if isinstance(configs, list) else [configs]:
            if block is None:
                errors.append(SpecError((), f"compiler: provider '{name}' is not in the pinned provider schemas"))
            else:
                def report(message: str, hint: str | None = None, name: str = name) -> None:
                    errors.append(SpecError((), f"compiler: provider {name}: {message}", hint))

                _check_block(block, {k: v for k, v in config.items() if k != "alias"}, "", report)
    return errors


def _check_meta(meta: str, value: Any, report) -> None:
    if meta == "lifecycle":
        unknown = set(value) - LIFECYCLE if isinstance(value, dict) else {"(not a mapping)"}
        for key in sorted(unknown):
            report(f"lifecycle: unknown setting '{key}'", hint=did_you_mean(key, LIFECYCLE))
    elif meta == "depends_on" and not isinstance(value, list):
        report("depends_on must be a list of addresses")


def _check_block(block: Mapping[str, Any], body: Mapping[str, Any], where: str, report) -> None:
    attributes = block.get("attributes", {})
    blocks = block.get("block_types", {})
    for key, value in body.items():
        here = f"{where}{key}"
        if key in attributes:
            spec = attributes[key]
            if spec.get("computed") and not spec.get("optional") and not spec.get("required"):
                report(f"'{here}' is read-only (computed by the provider)")
            elif value is not None and "nested_type" in spec and not (isinstance(value, str) and "${" in value):
                _check_nested_attribute(spec["nested_type"], value, here, report)
            elif value is not None and not _fits(spec["type"], value):
                report(f"'{here}' must be {_describe(spec['type'])}, got {_kind(value)}")
        elif key in blocks:
            _check_nested(blocks[key], value, here, report)
        else:
            report(f"unknown attribute or block '{here}'", hint=did_you_mean(key, set(attributes) | set(blocks)))
    for key, spec in attributes.items():
        if spec.get("required") and body.get(key) is None:
            report(f"missing required argument '{where}{key}'")
    for key, spec in blocks.items():
        if spec.get("min_items", 0) > 0 and key not in body:
            report(f"missing required block '{where}{key}'")


def _check_nested_attribute(nested: Mapping[str, Any], value: Any, here: str, report) -> None:
    """A nested attribute (awscc's objects): its fields checked like a block's."""
    block = {"attributes": nested.get("attributes", {})}
    mode = nested.get("nesting_mode", "single")
    expected = dict if mode in ("single", "map") else list
    if not isinstance(value, expected):
        report(f"'{here}' must be {'an object' if expected is dict else 'a list of objects'}, got {_kind(value)}")
        return
    items = [value] if mode == "single" else list(value.values()) if mode == "map" else value
    for index, item in enumerate(items):
        if isinstance(item, dict):
            _check_block(block, item, f"{here}." if mode == "single" else f"{here}[{index}].", report)


def _check_nested(spec: Mapping[str, Any], value: Any, here: str, report) -> None:
    mode = spec["nesting_mode"]
    if mode in ("single", "group"):
        items = [value] if isinstance(value, dict) else value if isinstance(value, list) and len(value) <= 1 else None
    elif mode == "map":
        items = list(value.values()) if isinstance(value, dict) else None
    else:  # list, set: JSON syntax allows one object or a list of objects
        items = [value] if isinstance(value, dict) else value if isinstance(value, list) else None
    if items is None or not all(isinstance(item, dict) for item in items):
        report(f"'{here}' is a {mode} block: write {'an object' if mode in ('single', 'group', 'map') else 'a list of objects'}, got {_kind(value)}")
        return
    if "max_items" in spec and len(items) > spec["max_items"]:
        report(f"'{here}' allows at most {spec['max_items']} block(s), got {len(items)}")
    if len(items) < spec.get("min_items", 0):
        report(f"'{here}' needs at least {spec['min_items']} block(s), got {len(items)}")
    for index, item in enumerate(items):
        _check_block(spec["block"], item, f"{here}[{index}].", report)


def _fits(type_: Any, value: Any) -> bool:
    """Whether a JSON value can be of a cty type; interpolations fit anything."""
    if isinstance(value, str) and "${" in value:
        return True
    if type_ == "dynamic":
        return True
    if type_ == "string":
        return isinstance(value, str) or (isinstance(value, (int, float)) and not isinstance(value, bool))
    if type_ == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_ == "bool":
        return isinstance(value, bool)
    kind, inner = type_
    if kind in ("list", "set"):
        return isinstance(value, list) and all(v is None or _fits(inner, v) for v in value)
    if kind == "map":
        return isinstance(value, dict) and all(v is None or _fits(inner, v) for v in value.values())
    if kind == "object":
        return isinstance(value, dict) and set(value) <= set(inner) and all(
            v is None or _fits(inner[k], v) for k, v in value.items())
    if kind == "tuple":
        return isinstance(value, list) and len(value) == len(inner)
    return True


def _describe(type_: Any) -> str:
    if isinstance(type_, str):
        return {"string": "a string", "number": "a number", "bool": "a boolean"}.get(type_, type_)
    kind, inner = type_
    return f"an object with {', '.join(sorted(inner))}" if kind == "object" else f"a {kind} of {_describe(inner)}"


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), "null")


def _elements(stack: Mapping[str, Any]) -> Iterator[tuple[str, str, str, dict]]:
    for kind in ("resource", "data"):
        for type_, by_name in sorted(stack.get(kind, {}).items()):
            for name, body in sorted(by_name.items()):
                yield kind, type_, name, body


def _addresses(stack: Mapping[str, Any]) -> Iterable[str]:
    for kind, type_, name, _ in _elements(stack):
        yield f"{'data.' if kind == 'data' else ''}{type_}.{name}"


def _interpolations(value: Any) -> Iterator[str]:
    """The content of every `${...}` in the strings of a value."""
    if isinstance(value, str):
        yield from INTERPOLATION.findall(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _interpolations(item)
    elif isinstance(value, list):
        for item in value:
            yield from _interpolations(item)


def _references(value: Any) -> Iterator[tuple[str, str, str, str]]:
    for expression in _interpolations(value):
        yield from REFERENCE.findall(expression)
