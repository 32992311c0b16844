"""Read a provider package: the jsii tarball inside the wheel, streamed once.

The tarball holds package/package.json and one package/lib/<dir> per type (the AWS
provider: about 2,400 dirs, tens of MB of JS). Parsing only what is asked for keeps a
slice extraction to a few seconds: a dir is kept when its index.js holds the provider
class or a wanted resource/data source, and its other files, which may come before
index.js in the tarball, wait in `pending` until that is known.
"""
from __future__ import annotations

import json
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

from .dts import parse_dts
from .js import CLASS_RE, parse_js
from .model import Module, Package, TypeEntry
from .rules import ExtractError

# The CDK base class of a generated class says what it is.
BASE_KINDS = {"TerraformResource": "resource", "TerraformDataSource": "data", "TerraformProvider": "provider"}
INDEX_TYPE_RE = re.compile(r'static tfResourceType = "([^"]+)";')
INDEX_CLASS_RE = re.compile(CLASS_RE.pattern, re.M)

Files = dict[str, list[tuple[str, bytes]]]  # lib dir -> [(tarball path, content)]


def class_kind(base: str) -> str | None:
    """"resource", "data" or "provider" for a class extending `base` (e.g. cdktn.TerraformResource)."""
    return BASE_KINDS.get(base.rsplit(".", 1)[-1])


def _index_kind(text: str) -> tuple[str, str] | None:
    """(kind, tf type) of the resource/data source/provider class of a lib/<dir>/index.js."""
    t = INDEX_TYPE_RE.search(text)
    if not t:
        return None
    for m in INDEX_CLASS_RE.finditer(text):
        kind = class_kind(m.group(2))
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
    try:
        with tarfile.open(fileobj=stream, mode="r|gz") as tar:
            pkg_json, kept = _select_files(tar, wanted)
    finally:
        stream.close()
        if owner is not None:
            owner.close()
    if not pkg_json:
        raise ExtractError(f"{source}: no package/package.json in the jsii tarball")
    modules, types, provider = _parse_modules(kept)
    python_name = pkg_json.get("jsii", {}).get("targets", {}).get("python", {}).get("distName", "?")
    return Package(pkg_json.get("name", "?"), pkg_json.get("version", "?"), python_name, modules, types, provider)


def _select_files(tar: tarfile.TarFile, wanted: set[tuple[str, str]] | None) -> tuple[dict[str, Any], Files]:
    """(package.json, the JS/d.ts files of the kept lib dirs), reading each member at most once."""
    decided: dict[str, bool] = {}  # lib dir -> keep?
    pending: Files = {}
    kept: Files = {}
    pkg_json: dict[str, Any] = {}
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
            keep = info is not None and (wanted is None or info[0] == "provider" or info in wanted)
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
    return pkg_json, kept


def _parse_modules(kept: Files) -> tuple[dict[str, Module], dict[tuple[str, str], TypeEntry], TypeEntry | None]:
    """(modules by lib dir, resource/data source entries by (kind, type), the provider entry)."""
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
            kind = class_kind(cls.base)
            if kind and cls.tf_type:
                entry = TypeEntry(kind, cls.tf_type, lib_dir, cls.name)
                if kind == "provider":
                    provider = entry
                else:
                    types[(kind, cls.tf_type)] = entry
    return modules, types, provider
