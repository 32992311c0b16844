"""From a read Package and a types selection to the two documents the tool writes.

The schema document has the shape of `terraform providers schema -json`; the
resolutions document says where it came from and lists every conservative decision
(rules.RULES) made while building it.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .builder import Builder
from .model import Package
from .rules import GLOBAL_NOTES, RULES, ExtractError

REGISTRY_HOST = "registry.terraform.io"
# The command that writes the slices, as the resolutions file names it.
GENERATED_BY = "tools/extract_provider_schema.py"

Selection = list[tuple[str, str]]  # [(kind, tf type)], kind "resource" or "data"


def read_types_file(path: Path) -> Selection:
    """[(kind, type)] from a types file: one per line, `data.` prefix for data sources, # comments."""
    out = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("data."):
            out.append(("data", line[len("data.") :]))
        else:
            out.append(("resource", line))
    return out


def provider_identity(package: Package) -> tuple[str, str, str]:
    """(short name, registry address, provider version) from the provider class."""
    if package.provider is None:
        raise ExtractError("the package has no provider class")
    cls = package.modules[package.provider.module_dir].classes[package.provider.class_name]
    source = cls.provider_source
    version = cls.provider_version
    link = re.search(r"registry\.terraform\.io/providers/([^/\s]+)/([^/\s]+)/([^/\s]+)/docs", cls.doc)
    if link:
        source = source or f"{link.group(1)}/{link.group(2)}"
        version = version or link.group(3)
    if not source or not version:
        raise ExtractError("cannot determine the provider source/version from the provider class")
    short = source.rsplit("/", 1)[-1]
    return short, f"{REGISTRY_HOST}/{source}", version


def extract(package: Package, selected: Selection | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(schema document, resolutions document) for the selected types (None: all)."""
    _, address, version = provider_identity(package)
    wanted = selected if selected is not None else sorted(package.types)
    # Plugin-framework nested attributes need protocol 6; a provider either has them
    # (some attribute's fields carry their own flags) or it has none (e.g. hashicorp/aws,
    # protocol 5). Ambiguous struct attributes follow that evidence.
    builder, provider_schema, resources, data_sources, missing = _build(package, wanted, False)
    if builder.nested_evidence:
        builder, provider_schema, resources, data_sources, missing = _build(package, wanted, True)
    doc = {
        "format_version": "1.0",
        "provider_schemas": {
            address: {
                "provider": provider_schema,
                "resource_schemas": resources,
                "data_source_schemas": data_sources,
            }
        },
    }
    return doc, _resolutions(package, address, version, builder, missing)


def _build(
    package: Package, wanted: Selection, prefer_nested: bool
) -> tuple[Builder, dict[str, Any], dict[str, Any], dict[str, Any], list[str]]:
    """One pass: (builder, provider schema, resource schemas, data source schemas, missing types)."""
    assert package.provider is not None
    builder = Builder(package, prefer_nested)
    provider_schema = builder.build_type(package.provider)
    resources: dict[str, Any] = {}
    data_sources: dict[str, Any] = {}
    missing: list[str] = []
    for kind, tf_type in wanted:
        entry = package.types.get((kind, tf_type))
        if entry is None:
            missing.append(("data." if kind == "data" else "") + tf_type)
            continue
        (data_sources if kind == "data" else resources)[tf_type] = builder.build_type(entry)
    return builder, provider_schema, resources, data_sources, missing


def _resolutions(package: Package, address: str, version: str, builder: Builder, missing: list[str]) -> dict[str, Any]:
    """The resolutions document: provenance, the rules that occurred and each case, deduplicated."""
    cases = sorted({(c["path"], c["kind"]): c for c in builder.cases}.values(), key=lambda c: (c["path"], c["kind"]))
    counts: dict[str, int] = {}
    for case in cases:
        counts[case["kind"]] = counts.get(case["kind"], 0) + 1
    used_rules = {k: v for k, v in RULES.items() if k in counts}
    return {
        "provider": address,
        "provider_version": version,
        "package": package.name,
        "python_package": package.python_name,
        "package_version": package.version,
        "generated_by": GENERATED_BY,
        "notes": GLOBAL_NOTES,
        "missing_types": missing,
        "counts": dict(sorted(counts.items())),
        "nested_type_evidence": {
            "count": len(builder.nested_evidence),
            "examples": sorted(builder.nested_evidence)[:5],
        },
        "rules": used_rules,
        "cases": cases,
    }
