#!/usr/bin/env python3
"""Extract a Terraform provider schema from a prebuilt CDK provider package.

The compiler checks every resource it emits against a pinned slice of the real
provider schema (README, "Every resource checked against the real provider schema"). This tool produces that slice from the
prebuilt CDK Terrain provider packages (`cdktn-provider-aws`, `cdktn-provider-awscc`)
without Terraform, without network access to a provider registry and without Node:
it reads the jsii tarball inside the wheel and writes JSON in the shape of
`terraform providers schema -json`.

Usage (from the repository root, with the project venv):

    # the committed slices (inputs: schemas/providers/<name>.types, one type a line,
    # data sources as `data.<type>`); writes schemas/providers/<name>.json and
    # schemas/providers/<name>.resolutions.json
    .venv/bin/python tools/extract_provider_schema.py --wheel cdktn_provider_aws-25.8.1-py3-none-any.whl \\
        --types schemas/providers/aws.types
    .venv/bin/python tools/extract_provider_schema.py --package cdktn-provider-awscc --version 1.8.0 \\
        --types schemas/providers/awscc.types

    # the whole provider, for exploration (tens of MB; not committed)
    .venv/bin/python tools/extract_provider_schema.py --wheel WHEEL --all --out /tmp/aws-full.json

    # CI / tests: exit 1 when the committed files differ from a fresh extraction
    .venv/bin/python tools/extract_provider_schema.py --wheel WHEEL --types schemas/providers/aws.types --check

Regenerating for a new provider version:

1. Pick the prebuilt package release that carries the provider version you want (its
   package.json / README says so; cdktn-provider-aws 25.8.1 carries hashicorp/aws
   6.69.1, cdktn-provider-awscc 1.8.0 carries hashicorp/awscc 1.106.0).
2. Bump the pin in `compiler/providers.py`. It pins the same provider version these
   slices are extracted from: the `required_providers` the compiler emits, the schema it
   checks against and the package must agree, so the tool refuses to write a slice whose
   provider version differs from that pin (`--no-pin-check` overrides; a provider that
   is not pinned there, like awscc today, is not checked).
3. Run the tool with `--package NAME --version VERSION` for each provider. It runs
   `python -m pip download --no-deps` into ~/.cache/mlops/provider-wheels (or
   `--download-dir`; add `--find-links DIR` to work offline from downloaded wheels),
   reads the `_jsii/*.jsii.tgz` inside the wheel and rewrites the slice. Add types to
   the `.types` file first if a module needs new ones.
4. Review the diff of `<name>.json` and `<name>.resolutions.json`, run the tests. The
   test suite compares the committed slices with a fresh extraction whenever the wheels
   are in ~/.cache/mlops/provider-wheels or a directory listed in $MLOPS_PROVIDER_WHEELS.

Where each piece of information comes from (all from the jsii tarball of the package;
the .jsii assembly itself is not needed, the compiled JS and .d.ts say more):

* types and kinds: `static tfResourceType` of the class in package/lib/<dir>/index.js,
  with its base class (TerraformResource / TerraformDataSource / TerraformProvider);
  provider source and version from the provider class (`terraformProviderSource`,
  `providerVersion`); package versions from package/package.json;
* attribute flags: the generator writes `// <name> - computed: X, optional: Y,
  required: Z` above every member of every resource, data source and nested-struct
  class, copied from the provider schema, so required, optional, optional+computed and
  computed-only are exact (aws_s3_bucket `bucket`: optional+computed, `arn`: computed,
  `id`: optional+computed);
* types and block structure: `synthesizeHclAttributes()` / `*ToHclTerraform()` give each
  input's `type` ("simple" | "list" | "set" | "map" | "struct"), `storageClassType` and
  mapper: `listMapperHcl(fn, true)` is a list/set *block*, `listMapperHcl(fn, false)` an
  attribute (aws_route_table `route`: a set of objects); a struct passed without a list
  mapper but with type "list"/"set" is a single-item block (max_items 1); type "struct"
  is a single nested block or attribute, told apart by member order (the generator emits
  attributes sorted, then blocks sorted) and flags (blocks are never computed);
  computed-only members take their type from the getter (`getStringAttribute`,
  `Fn.tolist(getListAttribute(..))` = set of strings, ...) or stored class
  (`new XList(this, "n", wrapsSet)`, `new cdktn.StringMap(..)`);
* nested attributes (`nested_type`, protocol 6) vs cty object attributes: the generator
  copies the parent's flags to every field of a cty object but keeps a nested
  attribute's own flags, so differing flags prove `nested_type`;
* descriptions: the JSDoc of the config/struct interfaces in the `.d.ts` files (the text
  before "Docs at Terraform Registry"; the link anchor names the Terraform attribute);
* write_only: `markWriteOnlyAttribute(...)` in the synthesizers.

What the package cannot say is resolved conservatively (never reject valid config) and
every such decision is listed in `<name>.resolutions.json`: `rules` explains each kind,
`cases` lists each occurrence, `notes` what is never available (sensitive, deprecated,
schema version). Standard library only.
"""
from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, Iterable

REPO = Path(__file__).resolve().parents[1]
SCHEMA_DIR = REPO / "schemas" / "providers"
PROVIDERS_PY = REPO / "compiler" / "providers.py"
DEFAULT_DOWNLOAD_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mlops" / "provider-wheels"
REGISTRY_HOST = "registry.terraform.io"

# Terraform meta-arguments come from the CDK base classes (TerraformMetaArguments), not
# from the provider schema; `alias` is added to every provider by the generator.
RESOURCE_META_ARGUMENTS = frozenset(
    {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "provisioners", "connection"}
)
PROVIDER_META_ARGUMENTS = frozenset({"alias", "version"})

RULES: dict[str, dict[str, str]] = {
    "block_max_items_unknown": {
        "question": "max_items of a list/set block that is not single-item",
        "chosen": "max_items omitted",
        "why": "the generator only distinguishes max_items == 1 (single-item OutputReference) from "
        "anything else; omitting the bound never rejects valid config",
    },
    "block_min_items_lower_bound": {
        "question": "exact min_items of a required list/set block",
        "chosen": "min_items: 1",
        "why": "the generator only records min_items > 0 (as required: true); 1 is the weakest bound "
        "that keeps the block required",
    },
    "single_block_required_derived": {
        "question": "whether a nesting-mode single block is required",
        "chosen": "no min_items",
        "why": "for single blocks the generator derives required from 'all fields required'; it is not "
        "a schema fact, so the block is left optional (its required fields stay required)",
    },
    "struct_block_or_attribute": {
        "question": "whether a struct-typed member (type 'struct' or a map of structs) is a block or an attribute",
        "chosen": "block for 'timeouts', attribute otherwise",
        "why": "single/map nested blocks and single/map nested attributes look alike in the JS; the member "
        "order (the generator emits attributes, sorted, then blocks, sorted) and the flags (blocks are never "
        "computed) settle most; the rest are rare and both are written as one JSON object",
    },
    "nested_type_or_object": {
        "question": "whether a struct-typed attribute is a plugin-framework nested attribute (nested_type) "
        "or an attribute of cty object type",
        "chosen": "see case",
        "why": "the generator copies the parent's flags onto every field of a cty object but keeps a "
        "nested attribute's own flags; when all fields carry exactly the parent's flags both readings fit. "
        "Chosen: nested_type if any extracted attribute of this provider proves nested attributes exist "
        "(see nested_type_evidence; they need protocol 6), else a cty object",
    },
    "nested_field_computed_forced": {
        "question": "computed flag of a field of a computed nested attribute",
        "chosen": "optional+computed (or required) as shown",
        "why": "the generator marks every field of a computed nested attribute computed, so a field "
        "shown optional+computed may really be optional only; optional+computed accepts the same config",
    },
    "inner_collection_kind": {
        "question": "list or set for a collection nested inside another collection",
        "chosen": "list",
        "why": "only the outer collection kind is recorded (HCL 'type'); JSON arrays are valid for both "
        "and list also allows index references",
    },
    "dynamic_or_map_of_dynamic": {
        "question": "type of a member stored as a map of 'any'",
        "chosen": "dynamic",
        "why": "the generator renders both 'dynamic' and map(dynamic) as a map of any; dynamic accepts "
        "every value map(dynamic) accepts",
    },
    "skipped_by_generator": {
        "question": "type of a member the generator skipped (stored as plain 'any')",
        "chosen": "dynamic",
        "why": "the generator replaces some deeply nested members with an untyped value; dynamic accepts any value",
    },
    "unknown_computed_type": {
        "question": "type of a computed-only member whose getter is untyped (interpolationForAttribute)",
        "chosen": "dynamic",
        "why": "no type information besides 'computed'; dynamic accepts any reference",
    },
    "provider_block_shape": {
        "question": "max_items of a provider configuration block",
        "chosen": "max_items omitted",
        "why": "the generator renders every provider block as a plain list (no single-item classes), "
        "so max_items == 1 is not recorded for the provider",
    },
    "provider_nested_flags": {
        "question": "flags of fields inside provider configuration blocks",
        "chosen": "optional if the .d.ts property is optional ('?'), else required; never computed (one case per block)",
        "why": "provider struct classes carry no flag comments; the interface optionality is what the "
        "generator derived from optional/required",
    },
    "recursion_cut": {
        "question": "shape of a struct the generator made recursive",
        "chosen": "dynamic attribute",
        "why": "the generator folds deep repetitive nesting into a recursive class; the real finite "
        "nesting below that point is not recoverable, so anything is accepted there",
    },
    "meta_argument_excluded": {
        "question": "members named like Terraform meta-arguments",
        "chosen": "excluded",
        "why": "meta-arguments come from the CDK base classes (resources) or the generator (provider alias)",
    },
}

GLOBAL_NOTES = [
    "'sensitive' is not recorded in the assembly: no attribute is marked sensitive.",
    "'deprecated' and 'description_kind' are not recorded: never emitted.",
    "Schema 'version' (state upgrade version) is not recorded: 0 everywhere; do not rely on it.",
    "Block descriptions are not recorded (the generator replaces them with '<name> block'); "
    "attribute descriptions are the JSDoc text of the config interfaces, whitespace may differ.",
    "Optional vs optional+computed, required, and computed-only come from the generator's "
    "flag comments and are exact (including 'id').",
    "write_only is taken from markWriteOnlyAttribute(...) in the synthesizers.",
    "Nested attributes (plugin-framework, protocol 6) carry Terraform's 'nested_type' (with each "
    "field's own flags) and, beyond Terraform's output, the equivalent cty 'type', so every "
    "attribute has a 'type'.",
]


class ExtractError(Exception):
    pass


# ---------------------------------------------------------------------------
# JavaScript / d.ts parsing
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class Member:
    """One member of a generated class, as announced by its flag comment."""

    name: str
    computed: bool
    optional: bool
    required: bool
    storage: str | None = None  # initializer of a stored class: new XList(this, "n", true)
    getter: str | None = None  # return expression of a plain getter
    write_only: bool = False


@dataclasses.dataclass
class HclEntry:
    value: str
    type: str


@dataclasses.dataclass
class JsClass:
    name: str
    base: str
    doc: str = ""
    tf_type: str | None = None
    provider_source: str | None = None
    provider_version: str | None = None
    members: list[Member] = dataclasses.field(default_factory=list)
    hcl: dict[str, HclEntry] | None = None


@dataclasses.dataclass
class DocProp:
    optional: bool
    description: str | None
    is_block: bool


@dataclasses.dataclass
class Module:
    """Everything parsed from the JS and d.ts files of one package/lib/<dir>."""

    classes: dict[str, JsClass] = dataclasses.field(default_factory=dict)
    hcl_functions: dict[str, dict[str, HclEntry]] = dataclasses.field(default_factory=dict)  # key: lowerFirst(struct)
    write_only: set[tuple[str, str]] = dataclasses.field(default_factory=set)  # (struct key or class, tf name)
    interfaces: dict[str, dict[str, DocProp]] = dataclasses.field(default_factory=dict)  # name -> tf name -> prop


FUNC_RE = re.compile(r"^function (\w+)\(struct\) \{$")
CLASS_RE = re.compile(r"^class (\w+) extends ([\w.$]+) \{$")
MEMBER_RE = re.compile(
    r"^\s+// (\S+) - computed: (true|false), optional: (true|false), required: (true|false)$"
)
SECTION_RE = re.compile(r"^\s+// =+$")
HCL_KEY_RE = re.compile(r"""^\s+["']?([A-Za-z0-9_-]+)["']?: \{$""")
HCL_FIELD_RE = re.compile(r"^\s+(value|isBlock|type|storageClassType): (.*?),?$")
TF_ENTRY_RE = re.compile(r"""^\s+["']?([A-Za-z0-9_-]+)["']?: (.*),$""")
STATIC_TYPE_RE = re.compile(r'^\s+static tfResourceType = "([^"]+)";$')
PROVIDER_SOURCE_RE = re.compile(r"^\s+terraformProviderSource: '([^']+)'")
PROVIDER_VERSION_RE = re.compile(r"^\s+providerVersion: '([^']+)'")
STORAGE_RE = re.compile(r"^\s+_\w+ = (new .*);$")
RETURN_RE = re.compile(r"^\s+return (.*);$")
GETTER_RE = re.compile(r"^\s+get (\w+)\(\) \{$")


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _block_end(lines: list[str], start: int, closing: str) -> int:
    """Index of the first line equal to `closing` at or after start."""
    for i in range(start, len(lines)):
        if lines[i] == closing:
            return i
    return len(lines)


def parse_hcl_entries(lines: list[str]) -> dict[str, HclEntry]:
    """Parse the `name: {value, isBlock, type, storageClassType}` entries of a synthesizer."""
    entries: dict[str, HclEntry] = {}
    current: str | None = None
    fields: dict[str, str] = {}
    for line in lines:
        m = HCL_KEY_RE.match(line)
        if m:
            current, fields = m.group(1), {}
            continue
        if current is None:
            continue
        f = HCL_FIELD_RE.match(line)
        if f:
            fields[f.group(1)] = f.group(2)
            if f.group(1) == "storageClassType":
                entries[current] = HclEntry(value=fields.get("value", ""), type=fields.get("type", "").strip('"'))
                current = None
    return entries


def parse_js(text: str, module: Module) -> None:
    """Add the classes and struct synthesizers of one generated JS file to `module`."""
    lines = text.split("\n")
    i, n = 0, len(lines)
    doc: list[str] = []
    while i < n:
        line = lines[i]
        if line.startswith("/**"):
            end = i
            while end < n and not lines[end].rstrip().endswith("*/"):
                end += 1
            doc = lines[i : end + 1]
            i = end + 1
            continue
        fm = FUNC_RE.match(line)
        if fm:
            end = _block_end(lines, i + 1, "}")
            body = lines[i + 1 : end]
            name = fm.group(1)
            if name.endswith("ToHclTerraform"):
                key = name[: -len("ToHclTerraform")]
                module.hcl_functions[key] = parse_hcl_entries(body)
            elif name.endswith("ToTerraform"):
                key = name[: -len("ToTerraform")]
                for b in body:
                    m = TF_ENTRY_RE.match(b)
                    if m and "markWriteOnlyAttribute(" in m.group(2):
                        module.write_only.add((key, m.group(1)))
            i = end + 1
            doc = []
            continue
        cm = CLASS_RE.match(line)
        if cm:
            end = _block_end(lines, i + 1, "}")
            cls = JsClass(name=cm.group(1), base=cm.group(2), doc="\n".join(doc))
            _parse_class_body(lines[i + 1 : end], cls, module)
            module.classes[cls.name] = cls
            i = end + 1
            doc = []
            continue
        if line and not line.startswith(" "):
            doc = [] if not line.startswith("*") else doc
        i += 1


def _parse_class_body(body: list[str], cls: JsClass, module: Module) -> None:
    current: Member | None = None
    i, n = 0, len(body)
    while i < n:
        line = body[i]
        mm = MEMBER_RE.match(line)
        if mm:
            current = Member(mm.group(1), mm.group(2) == "true", mm.group(3) == "true", mm.group(4) == "true")
            cls.members.append(current)
            i += 1
            continue
        if SECTION_RE.match(line):
            current = None
            i += 1
            continue
        stripped = line.strip()
        if stripped == "synthesizeHclAttributes() {":
            end = _block_end(body, i + 1, "    }")
            cls.hcl = parse_hcl_entries(body[i + 1 : end])
            i = end + 1
            current = None
            continue
        if stripped == "synthesizeAttributes() {":
            end = _block_end(body, i + 1, "    }")
            for b in body[i + 1 : end]:
                m = TF_ENTRY_RE.match(b)
                if m and "markWriteOnlyAttribute(" in m.group(2):
                    module.write_only.add((cls.name, m.group(1)))
            i = end + 1
            current = None
            continue
        m = STATIC_TYPE_RE.match(line)
        if m:
            cls.tf_type = m.group(1)
        m = PROVIDER_SOURCE_RE.match(line)
        if m:
            cls.provider_source = m.group(1)
        m = PROVIDER_VERSION_RE.match(line)
        if m:
            cls.provider_version = m.group(1)
        if current is not None:
            m = STORAGE_RE.match(line)
            if m and current.storage is None:
                current.storage = m.group(1)
            elif "Write-only: the provider never returns this value" in line:
                current.write_only = True
            elif GETTER_RE.match(line) and current.getter is None and i + 1 < n:
                r = RETURN_RE.match(body[i + 1])
                if r:
                    current.getter = r.group(1)
        i += 1


DOCS_LINK_RE = re.compile(r"Docs at Terraform Registry: \{@link (\S+?)#([A-Za-z0-9_-]+) [^}]*\}")
IFACE_RE = re.compile(r"^export interface (\w+)\b.*\{$")
PROP_RE = re.compile(r"^\s+readonly \w+(\?)?:")


def parse_dts(text: str, module: Module) -> None:
    """Collect, per config/struct interface, each property's Terraform name, optionality and description."""
    iface: dict[str, DocProp] | None = None
    doc: list[str] = []
    in_doc = False
    for line in text.split("\n"):
        m = IFACE_RE.match(line)
        if m:
            iface = module.interfaces.setdefault(m.group(1), {})
            doc, in_doc = [], False
            continue
        if iface is None:
            continue
        if line == "}":
            iface = None
            continue
        s = line.strip()
        if s.startswith("/**"):
            in_doc, doc = True, []
            continue
        if in_doc:
            if s.startswith("*/"):
                in_doc = False
            else:
                doc.append(s[1:].removeprefix(" ") if s.startswith("*") else s)
            continue
        pm = PROP_RE.match(line)
        if pm and doc:
            text_doc = "\n".join(doc)
            link = DOCS_LINK_RE.search(text_doc)
            if link:
                tf_name = link.group(2)
                before = text_doc[: link.start()].strip()
                is_block = before == f"{tf_name} block"
                iface[tf_name] = DocProp(
                    optional=bool(pm.group(1)),
                    description=None if (is_block or not before) else before.replace("*\\/", "*/"),
                    is_block=is_block,
                )
            doc = []


# ---------------------------------------------------------------------------
# Reading the package
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class TypeEntry:
    kind: str  # "resource" | "data" | "provider"
    tf_type: str
    module_dir: str
    class_name: str


@dataclasses.dataclass
class Package:
    name: str  # npm name, e.g. @cdktn/provider-aws
    version: str
    python_name: str  # PyPI distribution, e.g. cdktn-provider-aws
    modules: dict[str, Module]
    types: dict[tuple[str, str], TypeEntry]
    provider: TypeEntry | None


def _classify_class(cls: JsClass) -> str | None:
    base = cls.base.rsplit(".", 1)[-1]
    return {"TerraformResource": "resource", "TerraformDataSource": "data", "TerraformProvider": "provider"}.get(base)


INDEX_TYPE_RE = re.compile(r'static tfResourceType = "([^"]+)";')
INDEX_CLASS_RE = re.compile(r"^class (\w+) extends ([\w.$]+) \{$", re.M)


def _index_kind(text: str) -> tuple[str, str] | None:
    """(kind, tf type) of the resource/data source/provider class of a lib/<dir>/index.js."""
    t = INDEX_TYPE_RE.search(text)
    if not t:
        return None
    for m in INDEX_CLASS_RE.finditer(text):
        kind = {"TerraformResource": "resource", "TerraformDataSource": "data", "TerraformProvider": "provider"}.get(
            m.group(2).rsplit(".", 1)[-1]
        )
        if kind:
            return kind, t.group(1)
    return None


def open_jsii_tarball(source: Path) -> tuple[BinaryIO, Any]:
    """A readable stream of the jsii .tgz inside a wheel, an installed package dir, or a .tgz path."""
    if source.is_dir():
        tgzs = sorted(source.glob("**/_jsii/*.jsii.tgz")) or sorted(source.glob("**/*.jsii.tgz"))
        if not tgzs:
            raise ExtractError(f"no *.jsii.tgz under {source}")
        return open(tgzs[0], "rb"), None
    if source.suffix == ".whl" or zipfile.is_zipfile(source):
        zf = zipfile.ZipFile(source)
        names = [n for n in zf.namelist() if n.endswith(".jsii.tgz") and "/_jsii/" in n]
        if not names:
            raise ExtractError(f"{source}: no _jsii/*.jsii.tgz inside the wheel")
        return zf.open(names[0]), zf
    return open(source, "rb"), None


def read_package(source: Path, wanted: set[tuple[str, str]] | None) -> Package:
    """Stream the jsii tarball once, keeping the JS/d.ts of the wanted types and the provider.

    wanted: {(kind, tf_type)} with kind "resource" or "data"; None keeps everything.
    """
    stream, owner = open_jsii_tarball(source)
    decided: dict[str, bool] = {}  # lib dir -> keep?
    pending: dict[str, list[tuple[str, bytes]]] = {}
    kept: dict[str, list[tuple[str, bytes]]] = {}
    pkg_json: dict[str, Any] = {}
    try:
        with tarfile.open(fileobj=stream, mode="r|gz") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                path = member.name
                if path == "package/package.json":
                    pkg_json = json.loads(tar.extractfile(member).read())
                    continue
                if not path.startswith("package/lib/") or not (path.endswith(".js") or path.endswith(".d.ts")):
                    continue
                parts = path.split("/")
                if len(parts) < 4:
                    continue
                lib_dir = parts[2]
                if decided.get(lib_dir) is False:
                    continue
                data = tar.extractfile(member).read()
                if path == f"package/lib/{lib_dir}/index.js":
                    info = _index_kind(data.decode("utf-8"))
                    keep = info is not None and (
                        wanted is None or info[0] == "provider" or (info[0], info[1]) in wanted
                    )
                    decided[lib_dir] = keep
                    if keep:
                        kept.setdefault(lib_dir, []).extend(pending.pop(lib_dir, []))
                        kept[lib_dir].append((path, data))
                    else:
                        pending.pop(lib_dir, None)
                    continue
                if decided.get(lib_dir):
                    kept[lib_dir].append((path, data))
                else:
                    pending.setdefault(lib_dir, []).append((path, data))
    finally:
        stream.close()
        if owner is not None:
            owner.close()
    if not pkg_json:
        raise ExtractError(f"{source}: no package/package.json in the jsii tarball")

    modules: dict[str, Module] = {}
    types: dict[tuple[str, str], TypeEntry] = {}
    provider: TypeEntry | None = None
    for lib_dir, files in kept.items():
        module = Module()
        # JS first (classes), then d.ts (docs); order within each is irrelevant.
        for path, data in sorted(files, key=lambda f: (f[0].endswith(".d.ts"), f[0])):
            text = data.decode("utf-8")
            if path.endswith(".d.ts"):
                parse_dts(text, module)
            else:
                parse_js(text, module)
        modules[lib_dir] = module
        for cls in module.classes.values():
            kind = _classify_class(cls)
            if kind and cls.tf_type:
                entry = TypeEntry(kind, cls.tf_type, lib_dir, cls.name)
                if kind == "provider":
                    provider = entry
                else:
                    types[(kind, cls.tf_type)] = entry
    python_name = pkg_json.get("jsii", {}).get("targets", {}).get("python", {}).get("distName", "?")
    return Package(pkg_json.get("name", "?"), pkg_json.get("version", "?"), python_name, modules, types, provider)


# ---------------------------------------------------------------------------
# Schema building
# ---------------------------------------------------------------------------

MODULE_PREFIX_RE = re.compile(r"^[A-Za-z_$][\w$]*_\d+\.")
FN_RE = re.compile(r"^(cdktn\.)?([\w$]+?)To(?:Hcl)?Terraform")


def parse_mapper(expr: str) -> tuple[tuple, str]:
    """Parse a synthesizer mapper expression into a small tree.

    ("prim", "string"|"number"|"boolean"|"any") | ("struct", key) |
    ("list", inner, is_block) | ("map", inner); returns (tree, rest of the string).
    """
    for prefix, kind in (
        ("cdktn.listMapperHcl(", "list"),
        ("cdktn.listMapper(", "list"),
        ("cdktn.hashMapperHcl(", "map"),
        ("cdktn.hashMapper(", "map"),
    ):
        if expr.startswith(prefix):
            inner, rest = parse_mapper(expr[len(prefix) :])
            if kind == "list":
                m = re.match(r", (true|false)\)", rest)
                if not m:
                    raise ExtractError(f"cannot parse list mapper: {expr}")
                return ("list", inner, m.group(1) == "true"), rest[m.end() :]
            if not rest.startswith(")"):
                raise ExtractError(f"cannot parse map mapper: {expr}")
            return ("map", inner), rest[1:]
    if expr.startswith("(0, "):
        node, rest = parse_mapper(expr[4:])
        if not rest.startswith(")"):
            raise ExtractError(f"cannot parse call: {expr}")
        return node, rest[1:]
    expr = MODULE_PREFIX_RE.sub("", expr)
    m = FN_RE.match(expr)
    if not m:
        raise ExtractError(f"cannot parse mapper: {expr}")
    if m.group(1) and m.group(2) in ("string", "number", "boolean", "any"):
        return ("prim", m.group(2)), expr[m.end() :]
    return ("struct", m.group(2)), expr[m.end() :]


def normalize_value(value: str) -> tuple[str, bool]:
    """Strip CUSTOM_DEFAULTS null-checks and the write-only marker; returns (mapper expr, write_only)."""
    write_only = False
    value = re.sub(r"^struct\.\w+ === undefined \? null : ", "", value)
    if value.startswith("this.markWriteOnlyAttribute("):
        write_only = True
        value = value[len("this.markWriteOnlyAttribute(") :]
    return value, write_only


PRIM_CTY = {"string": "string", "number": "number", "boolean": "bool"}


@dataclasses.dataclass
class Shape:
    """What one member is, before the block/attribute and nested/object decisions."""

    kind: str  # "prim" | "coll" | "struct"
    cty: Any = None  # for prim/coll
    collection: str | None = None  # for struct: "single" | "list" | "set" | "map"
    struct: str | None = None  # struct key (lowerFirst name)
    is_block: bool | None = None  # True/False when the JS says so, None when undecided
    single_item: bool = False
    note: str | None = None  # resolution kind to record for prim/coll


class Builder:
    def __init__(self, package: Package, prefer_nested: bool = False):
        self.package = package
        self.prefer_nested = prefer_nested
        self.cases: list[dict[str, Any]] = []
        self.nested_evidence: list[str] = []  # struct attributes whose fields prove nested_type

    # -- resolutions -------------------------------------------------------
    def resolve(self, kind: str, path: str, chosen: Any, detail: str | None = None) -> None:
        case = {"kind": kind, "path": path, "chosen": chosen}
        if detail:
            case["detail"] = detail
        self.cases.append(case)

    # -- shapes ------------------------------------------------------------
    def _prim_tree_to_cty(self, tree: tuple, outer: str | None, path: str, notes: list[str]) -> Any:
        kind = tree[0]
        if kind == "prim":
            if tree[1] == "any":
                notes.append("skipped_by_generator")
                return "dynamic"
            return PRIM_CTY[tree[1]]
        if kind == "list":
            inner = self._prim_tree_to_cty(tree[1], None, path, notes)
            if outer is None:
                notes.append("inner_collection_kind")
                return ["list", inner]
            return [outer, inner]
        if kind == "map":
            if tree[1] == ("prim", "any"):
                notes.append("dynamic_or_map_of_dynamic")
                return "dynamic"
            return ["map", self._prim_tree_to_cty(tree[1], None, path, notes)]
        raise ExtractError(f"{path}: unexpected struct inside a primitive collection")

    def shape_from_hcl(self, entry: HclEntry, path: str) -> tuple[Shape, bool]:
        value, write_only = normalize_value(entry.value)
        tree, _ = parse_mapper(value)
        if tree[0] == "struct":
            if entry.type in ("list", "set"):
                return Shape("struct", collection=entry.type, struct=tree[1], is_block=True, single_item=True), write_only
            if entry.type == "struct":
                return Shape("struct", collection="single", struct=tree[1]), write_only
            raise ExtractError(f"{path}: struct with HCL type {entry.type}")
        if tree[0] == "list" and tree[1][0] == "struct":
            if entry.type not in ("list", "set"):
                raise ExtractError(f"{path}: list mapper with HCL type {entry.type}")
            return Shape("struct", collection=entry.type, struct=tree[1][1], is_block=tree[2]), write_only
        if tree[0] == "map" and tree[1][0] == "struct":
            return Shape("struct", collection="map", struct=tree[1][1]), write_only
        notes: list[str] = []
        if tree[0] == "prim" and tree[1] == "any":
            return Shape("prim", cty="dynamic", note="skipped_by_generator"), write_only
        outer = entry.type if entry.type in ("list", "set") else None
        if tree[0] == "list" and outer is None:
            raise ExtractError(f"{path}: list mapper with HCL type {entry.type}")
        cty = self._prim_tree_to_cty(tree, outer, path, notes)
        return Shape("coll" if isinstance(cty, list) else "prim", cty=cty, note=",".join(notes) or None), write_only

    def shape_from_member(self, member: Member, path: str) -> Shape:
        """Shape of a member that has no synthesizer entry (computed-only)."""
        if member.storage:
            m = re.match(r'new ([\w$]+\.)?(\w+)\(this, "[^"]*"(?:, (true|false))?\)', member.storage)
            if not m:
                raise ExtractError(f"{path}: cannot parse stored class {member.storage}")
            module_prefix, cls, wraps_set = m.group(1), m.group(2), m.group(3)
            if module_prefix == "cdktn.":
                return _core_collection_shape(cls, wraps_set == "true")
            if cls.endswith("OutputReference"):
                return Shape("struct", collection="single", struct=lower_first(cls[: -len("OutputReference")]))
            if cls.endswith("List"):
                return Shape(
                    "struct",
                    collection="set" if wraps_set == "true" else "list",
                    struct=lower_first(cls[:-4]),
                    is_block=False if member.computed else None,
                )
            if cls.endswith("Map"):
                return Shape("struct", collection="map", struct=lower_first(cls[:-3]))
            raise ExtractError(f"{path}: unknown stored class {cls}")
        getter = member.getter or ""
        getters = [
            ("cdktn.Token.asNumberList(cdktn.Fn.tolist(this.getNumberListAttribute(", ["set", "number"]),
            ("cdktn.Fn.tolist(this.getListAttribute(", ["set", "string"]),
            ("this.getListAttribute(", ["list", "string"]),
            ("this.getNumberListAttribute(", ["list", "number"]),
            ("this.getStringMapAttribute(", ["map", "string"]),
            ("this.getNumberMapAttribute(", ["map", "number"]),
            ("this.getBooleanMapAttribute(", ["map", "bool"]),
            ("this.getStringAttribute(", "string"),
            ("this.getNumberAttribute(", "number"),
            ("this.getBooleanAttribute(", "bool"),
        ]
        for prefix, cty in getters:
            if getter.startswith(prefix):
                return Shape("coll" if isinstance(cty, list) else "prim", cty=cty)
        if getter.startswith("this.getAnyMapAttribute("):
            return Shape("prim", cty="dynamic", note="dynamic_or_map_of_dynamic")
        if getter.startswith("cdktn.Token.asAny(cdktn.Fn.tolist(this.interpolationForAttribute("):
            return Shape("coll", cty=["set", "dynamic"], note="unknown_computed_type")
        return Shape("prim", cty="dynamic", note="unknown_computed_type")

    # -- blocks ------------------------------------------------------------
    def build_type(self, entry: TypeEntry) -> dict[str, Any]:
        module = self.package.modules[entry.module_dir]
        cls = module.classes[entry.class_name]
        prefix = ("data." if entry.kind == "data" else "") + entry.tf_type
        members = cls.members
        if entry.kind == "provider":
            prefix = f"provider.{entry.tf_type}"
        excluded_names = PROVIDER_META_ARGUMENTS if entry.kind == "provider" else RESOURCE_META_ARGUMENTS
        kept = []
        for m in members:
            if m.name in excluded_names:
                self.resolve("meta_argument_excluded", f"{prefix}.{m.name}", "excluded")
            else:
                kept.append(m)
        ctx = _Ctx(module=module, provider=entry.kind == "provider", iface=f"{cls.name}Config")
        block = self.build_block(ctx, kept, cls.hcl or {}, cls.name, prefix, stack=())
        return {"version": 0, "block": block}

    def build_block(
        self,
        ctx: "_Ctx",
        members: list[Member],
        hcl: dict[str, HclEntry],
        owner: str,
        path: str,
        stack: tuple[str, ...],
    ) -> dict[str, Any]:
        docs = ctx.module.interfaces.get(ctx.iface, {})
        shapes: list[Shape] = []
        for m in members:
            mpath = f"{path}.{m.name}"
            if m.name in hcl:
                shape, wo = self.shape_from_hcl(hcl[m.name], mpath)
                m.write_only = m.write_only or wo
            else:
                shape = self.shape_from_member(m, mpath)
            if (owner, m.name) in ctx.module.write_only or (lower_first(owner), m.name) in ctx.module.write_only:
                m.write_only = True
            shapes.append(shape)
        self._decide_blocks(members, shapes, path, ctx)

        attributes: dict[str, Any] = {}
        block_types: dict[str, Any] = {}
        for m, shape in zip(members, shapes):
            mpath = f"{path}.{m.name}"
            desc = docs.get(m.name).description if m.name in docs else None
            if shape.kind == "struct" and shape.is_block and shape.struct in stack:
                # A recursive class: the real (finite) nesting below is unknown; accept anything.
                self.resolve("recursion_cut", mpath, "dynamic attribute")
                attributes[m.name] = {"type": "dynamic", "required" if m.required else "optional": True}
                continue
            if shape.kind == "struct" and shape.is_block:
                block_types[m.name] = self.build_block_type(ctx, m, shape, mpath, stack)
                continue
            attr = self.build_attribute(ctx, m, shape, mpath, stack, desc)
            attributes[m.name] = attr
        out: dict[str, Any] = {}
        if attributes:
            out["attributes"] = attributes
        if block_types:
            out["block_types"] = block_types
        return out

    def _decide_blocks(self, members: list[Member], shapes: list[Shape], path: str, ctx: "_Ctx") -> None:
        """Settle is_block for struct members the JS leaves open (type 'struct', maps of structs)."""
        undecided = [i for i, s in enumerate(shapes) if s.kind == "struct" and s.is_block is None]
        if not undecided:
            return
        definite: list[str | None] = []
        for m, s in zip(members, shapes):
            if s.kind != "struct" or m.computed:
                definite.append("attr")
            elif s.is_block is True:
                definite.append("block")
            elif s.is_block is False:
                definite.append("attr")
            else:
                definite.append(None)
        names = [m.name for m in members]
        breaks = [i for i in range(1, len(names)) if names[i] < names[i - 1]]
        lo, hi = 0, len(names)  # members < lo are attributes, >= hi are blocks
        if len(breaks) == 1:
            lo = hi = breaks[0]
        attr_idx = [i for i, d in enumerate(definite) if d == "attr"]
        block_idx = [i for i, d in enumerate(definite) if d == "block"]
        if attr_idx:
            lo = max(lo, attr_idx[-1] + 1) if len(breaks) != 1 else lo
        if block_idx:
            hi = min(hi, block_idx[0]) if len(breaks) != 1 else hi
        consistent = len(breaks) <= 1 and all(i < hi for i in attr_idx) and all(i >= lo for i in block_idx)
        for i in undecided:
            m, s = members[i], shapes[i]
            mpath = f"{path}.{m.name}"
            if m.computed:
                s.is_block = False  # blocks are never computed in the generator's flags
                continue
            if s.collection == "map" and not (m.optional or m.required):
                s.is_block = True  # map blocks are the only members with no flag set
                continue
            if consistent and i < lo:
                s.is_block = False
                continue
            if consistent and i >= hi:
                s.is_block = True
                continue
            # Order does not settle it: a single block's flags are derived from its fields.
            children = self.struct_members(ctx, s.struct, mpath)
            if s.collection == "single" and children:
                derived_opt = all(c.optional for c in children)
                derived_req = all(c.required for c in children)
                if not derived_opt and not derived_req:
                    derived_opt = any(c.optional or c.required for c in children)
                fits_block = (m.optional, m.required) == (derived_opt, derived_req)
            else:
                fits_block = False
            # Besides timeouts, single/map nested *blocks* are rare (SDKv2 has none) while
            # nested attributes are common in protocol-6 providers; in Terraform JSON both are
            # written as an object, so the attribute reading rejects nothing the block would accept.
            choice = m.name == "timeouts"
            s.is_block = choice
            self.resolve(
                "struct_block_or_attribute",
                mpath,
                "block" if choice else "attribute",
                "member order does not separate attributes from blocks here; "
                + (
                    "'timeouts' is always a block"
                    if choice
                    else "flags also fit a single block" if fits_block else "flags do not fit a single block"
                ),
            )

    def struct_members(self, ctx: "_Ctx", key: str, path: str) -> list[Member]:
        cls = ctx.module.classes.get(key[:1].upper() + key[1:] + "OutputReference")
        if cls is None:
            # tolerate odd capitalization: match case-insensitively on the first letter
            for name, c in ctx.module.classes.items():
                if name.endswith("OutputReference") and lower_first(name[: -len("OutputReference")]) == key:
                    cls = c
                    break
        if cls is not None:
            return [dataclasses.replace(m) for m in cls.members]
        if ctx.provider and key in ctx.module.hcl_functions:
            # Provider structs have no classes: fields from the synthesizer, flags from the d.ts.
            iface = ctx.module.interfaces.get(key[:1].upper() + key[1:], {})
            out = []
            for name in ctx.module.hcl_functions[key]:
                prop = iface.get(name)
                optional = prop.optional if prop else True
                out.append(Member(name, False, optional, not optional))
            required = sorted(m.name for m in out if m.required)
            self.resolve(
                "provider_nested_flags",
                path,
                "never computed; " + (f"required: {', '.join(required)}" if required else "all optional"),
                f"{len(out)} fields",
            )
            return out
        raise ExtractError(f"{path}: no class for struct {key}")

    def build_block_type(self, ctx: "_Ctx", m: Member, shape: Shape, path: str, stack: tuple[str, ...]) -> dict[str, Any]:
        key = shape.struct
        assert key is not None
        children = self.struct_members(ctx, key, path)
        hcl = ctx.module.hcl_functions.get(key, {})
        inner_ctx = dataclasses.replace(ctx, iface=key[:1].upper() + key[1:])
        block = self.build_block(inner_ctx, children, hcl, key, path, stack + (key,))
        out: dict[str, Any] = {"block": block}
        if shape.collection == "single":
            out["nesting_mode"] = "single"
            if m.required:
                self.resolve("single_block_required_derived", path, "no min_items")
            return out
        if shape.collection == "map":
            out["nesting_mode"] = "map"
            return out
        out["nesting_mode"] = shape.collection
        if shape.single_item:
            out["max_items"] = 1
        elif ctx.provider:
            self.resolve("provider_block_shape", path, "max_items omitted")
        else:
            self.resolve("block_max_items_unknown", path, "max_items omitted")
        if m.required:
            out["min_items"] = 1
            self.resolve("block_min_items_lower_bound", path, 1)
        return out

    def build_attribute(
        self, ctx: "_Ctx", m: Member, shape: Shape, path: str, stack: tuple[str, ...], desc: str | None
    ) -> dict[str, Any]:
        attr: dict[str, Any] = {}
        if m.required:
            attr["required"] = True
        else:
            if m.optional:
                attr["optional"] = True
            if m.computed:
                attr["computed"] = True
        if not (m.required or m.optional or m.computed):
            attr["optional"] = True  # never happens for real attributes; keep the checker permissive
        if desc:
            attr["description"] = desc
        if m.write_only:
            attr["write_only"] = True
        if shape.kind in ("prim", "coll"):
            attr["type"] = shape.cty
            for note in (shape.note or "").split(","):
                if note:
                    self.resolve(note, path, shape.cty)
            return attr
        # struct-typed attribute: nested_type or cty object
        key = shape.struct
        assert key is not None
        if key in stack:
            self.resolve("recursion_cut", path, "dynamic")
            attr["type"] = "dynamic"
            return attr
        children = self.struct_members(ctx, key, path)
        if ctx.in_nested:
            # Inside a nested attribute the generator keeps each field's own flags; a cty
            # object there gets fields with neither optional nor required.
            nested = not (
                children and (m.optional or m.required) and all(not (c.optional or c.required) for c in children)
            )
        elif not all((c.computed, c.optional, c.required) == (m.computed, m.optional, m.required) for c in children):
            nested = True
            self.nested_evidence.append(path)
        else:
            nested = self.prefer_nested
            self.resolve(
                "nested_type_or_object",
                path,
                "nested_type" if nested else "object",
                "every field carries the parent's flags; "
                + (
                    "this provider has attributes that prove nested_type (protocol 6), so nested_type"
                    if nested
                    else "no attribute of the extracted types proves nested_type, so a cty object"
                ),
            )
        if nested:
            inner_ctx = dataclasses.replace(ctx, iface=key[:1].upper() + key[1:], in_nested=True)
            hcl = ctx.module.hcl_functions.get(key, {})
            nested_attrs = self._nested_attributes(inner_ctx, children, hcl, key, path, stack + (key,), m)
            attr["nested_type"] = {
                "attributes": nested_attrs,
                "nesting_mode": shape.collection,
            }
            # Terraform prints only nested_type here; the equivalent cty type is added so
            # that consumers reading `type` on every attribute keep working.
            attr["type"] = _wrap(shape.collection, ["object", {k: v["type"] for k, v in nested_attrs.items()}])
            return attr
        attr["type"] = self._object_type(ctx, key, shape.collection, path, stack)
        return attr

    def _nested_attributes(
        self,
        ctx: "_Ctx",
        children: list[Member],
        hcl: dict[str, HclEntry],
        key: str,
        path: str,
        stack: tuple[str, ...],
        parent: Member,
    ) -> dict[str, Any]:
        docs = ctx.module.interfaces.get(key[:1].upper() + key[1:], {})
        out: dict[str, Any] = {}
        for c in children:
            cpath = f"{path}.{c.name}"
            if c.name in hcl:
                shape, wo = self.shape_from_hcl(hcl[c.name], cpath)
                c.write_only = c.write_only or wo
            else:
                shape = self.shape_from_member(c, cpath)
            if shape.kind == "struct":
                shape.is_block = False
            if parent.computed and c.computed and (c.optional or c.required):
                self.resolve("nested_field_computed_forced", cpath, "required" if c.required else "optional+computed")
            desc = docs[c.name].description if c.name in docs else None
            out[c.name] = self.build_attribute(ctx, c, shape, cpath, stack, desc)
        return out

    def _object_type(self, ctx: "_Ctx", key: str, collection: str | None, path: str, stack: tuple[str, ...]) -> Any:
        if key in stack:
            self.resolve("recursion_cut", path, "dynamic")
            return "dynamic"
        children = self.struct_members(ctx, key, path)
        hcl = ctx.module.hcl_functions.get(key, {})
        fields: dict[str, Any] = {}
        for c in children:
            cpath = f"{path}.{c.name}"
            shape = self.shape_from_hcl(hcl[c.name], cpath)[0] if c.name in hcl else self.shape_from_member(c, cpath)
            if shape.kind == "struct":
                fields[c.name] = self._object_type(ctx, shape.struct, shape.collection, cpath, stack + (key,))
            else:
                for note in (shape.note or "").split(","):
                    if note:
                        self.resolve(note, cpath, shape.cty)
                fields[c.name] = shape.cty
        return _wrap(collection, ["object", fields])


def _wrap(collection: str | None, obj: list) -> Any:
    """The cty type of a struct in a collection ("single" or None: the object itself)."""
    return [collection, obj] if collection in ("list", "set", "map") else obj


@dataclasses.dataclass
class _Ctx:
    module: Module
    provider: bool
    iface: str
    in_nested: bool = False


def _core_collection_shape(cls: str, wraps_set: bool) -> Shape:
    """Shape of a cdktn core collection class: StringMap, NumberList, StringMapList, AnyMapList, ...

    The name reads inside-out (StringMapList = list(map(string))); only the outermost
    list knows whether it wraps a set; an Any element is an untyped (collapsed) remainder.
    """
    m = re.fullmatch(r"(String|Number|Boolean|Any)((?:List|Map)+)", cls)
    if not m:
        return Shape("prim", cty="dynamic", note="unknown_computed_type")
    suffixes = re.findall(r"List|Map", m.group(2))
    notes = []
    cty: Any = {"String": "string", "Number": "number", "Boolean": "bool", "Any": "dynamic"}[m.group(1)]
    if m.group(1) == "Any":
        if len(suffixes) == 1 and suffixes[0] == "Map":
            return Shape("prim", cty="dynamic", note="dynamic_or_map_of_dynamic")
        notes.append("unknown_computed_type")
    for i, suffix in enumerate(suffixes):
        outermost = i == len(suffixes) - 1
        if suffix == "Map":
            cty = ["map", cty]
        elif outermost:
            cty = ["set" if wraps_set else "list", cty]
        else:
            notes.append("inner_collection_kind")
            cty = ["list", cty]
    return Shape("coll", cty=cty, note=",".join(notes) or None)


# ---------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------


def read_types_file(path: Path) -> list[tuple[str, str]]:
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


def extract(package: Package, selected: list[tuple[str, str]] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(schema document, resolutions document) for the selected types (None: all)."""
    short, address, version = provider_identity(package)
    assert package.provider is not None
    wanted = selected if selected is not None else sorted(package.types)

    def build(prefer_nested: bool) -> tuple[Builder, dict[str, Any], dict[str, Any], dict[str, Any], list[str]]:
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

    # Plugin-framework nested attributes need protocol 6; a provider either has them
    # (some attribute's fields carry their own flags) or it has none (e.g. hashicorp/aws,
    # protocol 5). Ambiguous struct attributes follow that evidence.
    builder, provider_schema, resources, data_sources, missing = build(False)
    if builder.nested_evidence:
        builder, provider_schema, resources, data_sources, missing = build(True)
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
    cases = sorted({(c["path"], c["kind"]): c for c in builder.cases}.values(), key=lambda c: (c["path"], c["kind"]))
    counts: dict[str, int] = {}
    for case in cases:
        counts[case["kind"]] = counts.get(case["kind"], 0) + 1
    used_rules = {k: v for k, v in RULES.items() if k in counts}
    resolutions = {
        "provider": address,
        "provider_version": version,
        "package": package.name,
        "python_package": package.python_name,
        "package_version": package.version,
        "generated_by": "tools/extract_provider_schema.py",
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
    return doc, resolutions


def dump_json(obj: Any) -> str:
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def pinned_version(short: str) -> str | None:
    """The provider version compiler/providers.py pins for `short`, read without importing it."""
    if not PROVIDERS_PY.exists():
        return None
    tree = ast.parse(PROVIDERS_PY.read_text())
    for node in tree.body:
        target = None
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, value = node.target.id, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target, value = node.targets[0].id, node.value
        if target == "PROVIDERS" and value is not None:
            try:
                providers = ast.literal_eval(value)
            except ValueError:
                return None
            entry = providers.get(short)
            return entry.get("version") if isinstance(entry, dict) else None
    return None


def find_local_wheel(package: str, version: str, dirs: Iterable[Path]) -> Path | None:
    stem = f"{re.sub(r'[-_.]+', '_', package).lower()}-{version}-"
    for d in dirs:
        if d.is_dir():
            for p in sorted(d.glob("*.whl")):
                if p.name.lower().startswith(stem):
                    return p
    return None


def download_wheel(package: str, version: str, dest: Path, find_links: list[str]) -> Path:
    """The wheel for package==version in dest, fetched with `pip download --no-deps` if absent."""
    existing = find_local_wheel(package, version, [dest])
    if existing:
        return existing
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", str(dest)]
    for fl in find_links:
        cmd += ["--no-index", "--find-links", fl]
    cmd.append(f"{package}=={version}")
    print("running:", " ".join(cmd), file=sys.stderr)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ExtractError(f"pip download failed:\n{proc.stdout}\n{proc.stderr}")
    wheel = find_local_wheel(package, version, [dest])
    if wheel is None:
        raise ExtractError(f"pip download succeeded but no {package}-{version} wheel in {dest}")
    return wheel


def wheel_search_dirs() -> list[Path]:
    """Where tests and --check look for already-downloaded wheels."""
    dirs = [Path(p) for p in os.environ.get("MLOPS_PROVIDER_WHEELS", "").split(os.pathsep) if p]
    return dirs + [DEFAULT_DOWNLOAD_DIR]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="extract_provider_schema.py",
        description="Extract a Terraform provider schema (terraform providers schema -json shape) "
        "from a prebuilt CDK Terrain provider package.",
    )
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--wheel", type=Path, help="the provider wheel (or its jsii .tgz, or an installed package dir)")
    src.add_argument("--package", help="PyPI package to download with pip, e.g. cdktn-provider-aws")
    ap.add_argument("--version", help="package version for --package, e.g. 25.8.1")
    ap.add_argument("--download-dir", type=Path, default=DEFAULT_DOWNLOAD_DIR, help="where --package keeps wheels")
    ap.add_argument("--find-links", action="append", default=[], help="offline: pip --no-index --find-links DIR")
    sel = ap.add_mutually_exclusive_group(required=True)
    sel.add_argument("--types", type=Path, help="types file: one type a line, data sources as data.<type>")
    sel.add_argument("--all", action="store_true", help="every resource and data source (needs --out)")
    ap.add_argument("--out", type=Path, help="schema output (default schemas/providers/<provider>.json with --types)")
    ap.add_argument("--resolutions", type=Path, help="resolutions output (default: <out stem>.resolutions.json)")
    ap.add_argument("--check", action="store_true", help="compare with the existing files instead of writing; exit 1 on a difference")
    ap.add_argument("--no-pin-check", action="store_true", help="allow a provider version other than compiler/providers.py's pin")
    args = ap.parse_args(argv)

    if args.package and not args.version:
        ap.error("--package needs --version")
    if args.all and not args.out:
        ap.error("--all needs --out (the full schema is not committed)")
    try:
        t0 = time.perf_counter()
        wheel = args.wheel or download_wheel(args.package, args.version, args.download_dir, args.find_links)
        selected = read_types_file(args.types) if args.types else None
        wanted = {(k, t) for k, t in selected} if selected is not None else None
        package = read_package(wheel, wanted)
        t_read = time.perf_counter() - t0
        doc, resolutions = extract(package, selected)
        short, address, version = provider_identity(package)
        pin = pinned_version(short)
        if pin is not None and pin != version and not args.no_pin_check:
            raise ExtractError(
                f"{package.name} {package.version} carries {address} {version}, but compiler/providers.py "
                f"pins {pin}; bump the pin first or pass --no-pin-check"
            )
        if args.types:
            resolutions["types_file"] = os.path.relpath(args.types.resolve(), REPO) if args.types.resolve().is_relative_to(REPO) else str(args.types)
        out = args.out or (SCHEMA_DIR / f"{short}.json")
        res_path = args.resolutions or out.with_name(out.name.removesuffix(".json") + ".resolutions.json")
        schema_text, res_text = dump_json(doc), dump_json(resolutions)
        elapsed = time.perf_counter() - t0
        n_res = len(doc["provider_schemas"][address]["resource_schemas"])
        n_data = len(doc["provider_schemas"][address]["data_source_schemas"])
        summary = (
            f"{address} {version} (from {package.name} {package.version}): {n_res} resources, {n_data} data sources, "
            f"{len(resolutions['cases'])} conservative resolutions; read {t_read:.1f}s, total {elapsed:.1f}s"
        )
        if resolutions["missing_types"]:
            print("missing (not in this provider version): " + ", ".join(resolutions["missing_types"]), file=sys.stderr)
        if args.check:
            stale = [
                p
                for p, text in ((out, schema_text), (res_path, res_text))
                if not p.exists() or p.read_text(encoding="utf-8") != text
            ]
            if stale:
                print("out of date: " + ", ".join(str(p) for p in stale), file=sys.stderr)
                return 1
            print("up to date: " + summary, file=sys.stderr)
            return 0
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(schema_text, encoding="utf-8")
        res_path.write_text(res_text, encoding="utf-8")
        print(f"wrote {out} ({len(schema_text)} bytes) and {res_path}: {summary}", file=sys.stderr)
        return 0
    except ExtractError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
