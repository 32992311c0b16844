"""Where each resource type is defined in the provider's source, and reading it.

The aws provider registers resources by annotations the provider's generator reads
(`// @SDKResource("aws_s3_bucket", ...)` above the function returning the resource,
`// @FrameworkResource("aws_x", ...)` above a framework resource's constructor) or, in
older framework resources, by `response.TypeName = "aws_x"` in the Metadata method.
The awscc provider registers each generated resource with
`registry.AddResourceFactory("awscc_x", factory)`.
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath

from . import framework, sdkv2
from .found import Found
from .golit import Group, Tok, walk
from .gopkg import Resolver

_SDK = re.compile(r'@SDKResource\("([^"]+)"[^\n]*\n(?:[ \t]*//[^\n]*\n)*func (\w+)\(')
_FRAMEWORK = re.compile(r'@FrameworkResource\("([^"]+)"[^\n]*\n(?:[ \t]*//[^\n]*\n)*func (\w+)\(')
_TYPENAME = re.compile(r'func \(\w*\s*\*?(\w+)\) Metadata\([^)]*\)[^{]*\{\s*\w+\.TypeName\s*=\s*"([^"]+)"')
_AWSCC = re.compile(r'registry\.AddResourceFactory\("([^"]+)",\s*(\w+)\)')


def index(res: Resolver, types: set[str]) -> dict[str, tuple[str, str, str]]:
    """type -> (how it is registered: "sdk", "constructor", "type" or "factory",
    package directory, function or struct type name), for the wanted types."""
    out: dict[str, tuple[str, str, str]] = {}
    for path in res.src.all_go("internal"):
        text = res.src.read(path)
        if not any(f'"{t}"' in text for t in types):
            continue
        directory = str(PurePosixPath(path).parent)
        for kind, pattern in (("sdk", _SDK), ("constructor", _FRAMEWORK), ("factory", _AWSCC)):
            for m in pattern.finditer(text):
                if m.group(1) in types:
                    out[m.group(1)] = (kind, directory, m.group(2))
        for m in _TYPENAME.finditer(text):
            if m.group(2) in types:
                out[m.group(2)] = ("type", directory, m.group(1))
    return out


def read(res: Resolver, where: tuple[str, str, str]) -> Found:
    """What the resource's source says about its arguments and replacement."""
    kind, directory, name = where
    pkg = res.package(directory)
    if kind == "sdk":
        return sdkv2.read(res, pkg.funcs[name])
    if kind == "factory":
        return framework.read_attributes(res, pkg.funcs[name])
    type_name = _constructed_type(pkg.funcs[name].body) if kind == "constructor" else name
    method = res.method(pkg, type_name, "Schema") if type_name else None
    if method is None:
        found = Found(f"{directory}/?")
        found.unresolved.add(f"<no Schema method for {type_name or name}>")
        return found
    return framework.read_method(res, method)


def _constructed_type(body: Group) -> str | None:
    """The struct a framework constructor builds (`r := &modelCardResource{}`)."""
    for seq, i in walk(body.items):
        node = seq[i]
        if isinstance(node, Group) and node.open == "{" and i >= 2:
            before, amp = seq[i - 1], seq[i - 2]
            if isinstance(before, Tok) and before.kind == "word" and isinstance(amp, Tok) and amp.text == "&":
                return before.text
    return None
