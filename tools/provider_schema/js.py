"""Parse the generated JavaScript of one package/lib/<dir> into a Module.

The generator's output is regular enough to read line by line, without a JS parser:
top-level `function <struct>ToHclTerraform(struct) {` / `...ToTerraform` synthesizers
and `class X extends Y {` blocks end at the first line that is exactly "}"; inside a
class every member is announced by a `// <name> - computed: X, optional: Y, required: Z`
comment, followed by its stored class or getter; `synthesizeHclAttributes()` and
`synthesizeAttributes()` end at the first line that is exactly "    }".
"""
from __future__ import annotations

import re

from .model import HclEntry, JsClass, Member, Module

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
            if f.group(1) == "storageClassType":  # the last field of every entry
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
    """Members (flag comment, then storage/getter/write-only note), synthesizers and type statics."""
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

