"""docs/spec-reference.md: every key of mlops.yaml, written from the bundled schema.

The schema is where each key is described (the editor shows the same text), so the
reference is generated from it rather than written twice; `mlops schema --reference`
prints it and a test fails when the committed copy drifts. Named entries (a bucket, a
model) appear as `<name>`; `overrides` and `additions` mirror the sections and are
described once.
"""

from __future__ import annotations

from typing import Any

_LISTED = 12  # longer enums (AWS's instance types) are summarized


def render(schema: dict[str, Any]) -> str:
    lines = ["# mlops.yaml reference", "",
             "Generated from the bundled JSON Schema by `mlops schema --reference`; do not edit.",
             "Every key, in the order of the schema; `<name>` stands for a name you choose.", ""]
    for key, sub in schema["properties"].items():
        _walk(schema, key, sub, key in schema.get("required", []), lines, depth=0)
    return "\n".join(lines).rstrip() + "\n"


def _resolve(schema: dict, node: dict) -> dict:
    seen = 0
    while "$ref" in node and seen < 10:
        node = schema["definitions"][node["$ref"].split("/")[-1]]
        seen += 1
    return node


def _walk(schema: dict, path: str, node: dict, required: bool, lines: list[str], depth: int) -> None:
    node = _resolve(schema, node)
    if path.endswith(("overrides", "additions")) and path.startswith("environments."):
        lines.append(f"- `{path}`: {node.get('description', '')} Holds the sections below, each key optional.")
        return
    lines.append(f"- `{path}`{_facts(node, required)}: {node.get('description', '').strip()}".rstrip(": "))
    if depth > 8:
        return
    children = node.get("properties", {})
    for key, sub in children.items():
        _walk(schema, f"{path}.{key}", sub, key in node.get("required", []), lines, depth + 1)
    entries = node.get("additionalProperties")
    if isinstance(entries, dict) and not children:
        entry = _resolve(schema, entries)
        if entry.get("type") == "object" or "properties" in entry:
            _walk(schema, f"{path}.<name>", entries, False, lines, depth + 1)
    items = node.get("items")
    if isinstance(items, dict) and ("properties" in _resolve(schema, items)):
        _walk(schema, f"{path}[]", items, False, lines, depth + 1)


def _facts(node: dict, required: bool) -> str:
    facts = []
    kind = node.get("type")
    if kind:
        facts.append(kind if isinstance(kind, str) else " or ".join(kind))
    if required:
        facts.append("required")
    if "default" in node and node["default"] not in ({}, [], ""):
        facts.append(f"default `{_show(node['default'])}`")
    if "enum" in node:
        values = [str(v) for v in node["enum"]]
        shown = ", ".join(f"`{v}`" for v in values[:_LISTED])
        facts.append(f"one of {shown}" + (f" and {len(values) - _LISTED} more" if len(values) > _LISTED else ""))
    for word, key in (("at least", "minimum"), ("at most", "maximum")):
        if key in node:
            facts.append(f"{word} {node[key]}")
    if "pattern" in node and "enum" not in node:
        facts.append(f"pattern `{node['pattern']}`")
    return f" ({'; '.join(facts)})" if facts else ""


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
