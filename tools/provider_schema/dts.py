"""Parse the d.ts files of one package/lib/<dir>: descriptions and interface optionality.

Every property of a config/struct interface carries JSDoc ending in "Docs at Terraform
Registry: {@link ...#<tf_name> ...}"; the anchor is the only place the Terraform name
sits beside the camelCase one. The text before the link is the attribute description,
or "<tf_name> block" for blocks (whose real descriptions the generator drops).
Provider structs have no classes, so their fields' required/optional comes from the
`?` here (see Builder.struct_members).
"""
from __future__ import annotations

import re

from .model import DocProp, Module

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
