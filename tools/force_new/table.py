"""The table for one provider: every resource type mlops emits, what forces it new.

The types are those of the committed stacks and golden stacks (generated/*/ and
modules/*/cases/*/expected/*/), so the file lists what mlops emits and nothing else.
Each type's entry is what its source says, held against the pinned schema slice
(compiler/schemas/providers/<provider>.json) so that a source of another version shows
where it differs:
- forces_new: arguments that replace the resource when they change, those the pinned
  schema has;
- conditional: arguments whose change replaces it only under a condition its code
  computes (omitted when none);
- not_in_source: arguments of the pinned schema the source does not define (newer than
  the source: their replacement is unknown here), a new block named once, omitted when none;
- not_in_pinned_schema: arguments the source forces new that the pinned schema lacks
  (removed or renamed since), omitted when none;
- unresolved: schema pieces the reader could not follow, omitted when none.
Provider-wide rules that no resource file states are applied here and named in the
header (`rules`).
"""
from __future__ import annotations

import json
from pathlib import Path

from . import REPO, locate
from .found import Found
from .gopkg import Resolver
from .source import Source, SourceError

ADDRESSES = {"aws": "registry.terraform.io/hashicorp/aws", "awscc": "registry.terraform.io/hashicorp/awscc"}
STACKS = ("generated/*/cdk.tf.json", "modules/*/cases/*/expected/*/cdk.tf.json")
IGNORED = {"timeouts", "id"}  # a meta block, and the resource ID every SDKv2 schema has implicitly
RULES = {
    "forces_new": "SDKv2 `ForceNew: true`; plugin framework `RequiresReplace()` or "
    "`RequiresReplaceIfConfigured()`; a path is `block.argument`, and an argument inside a block "
    "that forces new forces new too",
    "conditional": "SDKv2 `customdiff.ForceNewIf*` or `ResourceDiff.ForceNew` in CustomizeDiff; "
    "framework `RequiresReplaceIf*`",
}
REGION_RULE = (
    "aws 6.0.0 adds a top-level `region` argument to every Region-aware resource and changing it "
    "forces replacement (website/docs/guides/enhanced-region-support.html.markdown, 'How region "
    "works'); added to every type whose pinned schema has an optional top-level `region`"
)


def emitted_types(short: str, root: Path = REPO) -> set[str]:
    """Resource types of one provider in every committed stack and golden stack."""
    types: set[str] = set()
    for pattern in STACKS:
        for stack in root.glob(pattern):
            types |= set(json.loads(stack.read_text("utf-8")).get("resource", {}))
    return {t for t in types if t.split("_", 1)[0] == short}


def slice_resources(short: str, root: Path = REPO) -> dict:
    """The pinned schema slice's resource schemas (compiler/schemas/providers/<short>.json)."""
    doc = json.loads((root / "compiler" / "schemas" / "providers" / f"{short}.json").read_text("utf-8"))
    return doc["provider_schemas"][ADDRESSES[short]]["resource_schemas"]


def schema_arguments(block: dict, prefix: str = "") -> set[str]:
    """Argument paths of a schema block: attributes a configuration may set (required or
    optional), nested attributes, and nested blocks with their contents."""
    out = set()
    for name, attr in block.get("attributes", {}).items():
        if not prefix and name in IGNORED:
            continue
        if attr.get("required") or attr.get("optional"):
            out.add(prefix + name)
            out |= schema_arguments(attr.get("nested_type", {}), f"{prefix}{name}.")
    for name, nested in block.get("block_types", {}).items():
        if prefix or name not in IGNORED:
            out.add(prefix + name)
            out |= schema_arguments(nested.get("block", {}), f"{prefix}{name}.")
    return out


def build(src: Source, short: str, pin: str | None) -> dict:
    """The table document for one provider (see the module docstring)."""
    wanted = emitted_types(short)
    res = Resolver(src)
    where = locate.index(res, wanted)
    missing = sorted(wanted - set(where))
    if missing:
        raise SourceError("not defined in this source: " + ", ".join(missing) + " (add an overlay, see docs/replacement.md)")
    schemas = slice_resources(short)
    resources, region_types = {}, 0
    for type_ in sorted(wanted):
        found = locate.read(res, where[type_])
        region = short == "aws" and schemas[type_]["block"].get("attributes", {}).get("region", {}).get("optional")
        region_types += bool(region)
        resources[type_] = _entry(found, schema_arguments(schemas[type_]["block"]), bool(region))
    identity = src.identity()
    rules = dict(RULES, region=REGION_RULE) if region_types else dict(RULES)
    header = {
        "provider": ADDRESSES[short],
        "pinned_version": pin,
        "source": identity,
        "source_is_pinned_version": identity.get("describe") == f"v{pin}",
        "rules": rules,
        "generated_by": "tools/extract_force_new.py (see docs/replacement.md)",
    }
    return {**header, "resources": resources}


def _entry(found: Found, pinned: set[str], region: bool) -> dict:
    """One type's entry, the source's findings held against the pinned arguments."""
    force_new = set(found.force_new) | ({"region"} if region else set())
    known = set(found.arguments) | force_new
    entry = {"file": found.file, "forces_new": sorted(force_new & pinned)}
    extra = {
        "conditional": sorted((found.conditional & pinned) - force_new),
        "not_in_source": _topmost(p for p in pinned - known if p.split(".")[0] not in IGNORED),
        "not_in_pinned_schema": sorted(force_new - pinned),
        "unresolved": sorted(found.unresolved),
    }
    return entry | {k: v for k, v in extra.items() if v}


def _topmost(paths) -> list[str]:
    """The paths without those inside another listed one (a whole new block is named once)."""
    ordered = sorted(paths)
    return [p for p in ordered if not any(p.startswith(q + ".") for q in ordered)]
