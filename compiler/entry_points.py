"""The entry points of one group, as importlib.metadata finds them, remembered.

importlib.metadata answers the question, but importing it (email, zipfile, csv) and
reading the metadata of every installed distribution costs about a fifth of `mlops
validate`. So its answer is kept in the cache beside the compiled schemas
(mlops.compiled_schema), under a fingerprint of what it reads: each directory on
sys.path, the distribution metadata folders in it (`*.dist-info`, `*.egg-info`, eggs,
`.pth` files), and the size and modification time of each one's `entry_points.txt`.
Installing, removing, upgrading or editing a distribution changes the fingerprint, and
importlib.metadata is asked again; where it looks elsewhere (a zip or an egg file on
sys.path, an import finder that lists distributions of its own) it is asked every time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from importlib import import_module

# `module`, `module:attr`, `module:object.attr`, each optionally followed by `[extras]`.
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
_METADATA = (".dist-info", ".egg-info", ".egg", ".egg-link", ".pth")
KEEP = 8


class EntryPoint:
    """One entry point: `name = value` in the section `group` (importlib.metadata's names)."""

    __slots__ = ("name", "value", "group")

    def __init__(self, name: str, value: str, group: str):
        self.name, self.value, self.group = name, value, group

    def load(self):
        """The object the value names: the module, or its attribute."""
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"{self.value!r} is not `module` or `module:attr`")
        found = import_module(match.group("module"))
        for attr in filter(None, (match.group("attr") or "").split(".")):
            found = getattr(found, attr)
        return found

    def __repr__(self) -> str:
        return f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"


def entry_points(group: str) -> list:
    """Every entry point of `group` in the installed distributions, as importlib.metadata
    lists them (its own objects when it was asked, these when remembered)."""
    key = _fingerprint(group)
    if key is None:
        return _importlib(group)
    from .compiled_schema import cache_dir

    path = cache_dir() / f"entry-points-{key}.json"
    try:
        return [EntryPoint(name, value, group) for name, value in json.loads(path.read_text("utf-8"))]
    except (OSError, ValueError, TypeError):  # not remembered yet, or unreadable: ask again
        pass
    found = _importlib(group)
    _remember(path, [[ep.name, ep.value] for ep in found])
    return found


def _fingerprint(group: str) -> str | None:
    """What importlib.metadata's answer depends on, hashed; None where it reads what the
    fingerprint cannot see (an import finder of its own, a zip or egg file on sys.path)."""
    from importlib.machinery import PathFinder

    if any(finder is not PathFinder and hasattr(finder, "find_distributions") for finder in sys.meta_path):
        return None
    seen = [group, sys.version]
    for entry in sys.path:
        seen.append(entry)
        try:
            children = sorted(os.scandir(entry or "."), key=lambda d: d.name)
        except NotADirectoryError:
            return None
        except OSError:
            continue
        for child in children:
            if child.name.lower().endswith(_METADATA):
                try:
                    stat = os.stat(os.path.join(child.path, "entry_points.txt"))
                    seen.append(f"{child.name} {stat.st_size} {stat.st_mtime_ns}")
                except OSError:
                    seen.append(child.name)
    return hashlib.sha256("\0".join(seen).encode()).hexdigest()


def _remember(path, pairs: list) -> None:
    """Write atomically; a cache that cannot be written only costs the next run the lookup."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(pairs), "utf-8")
        os.replace(partial, path)
        remembered = sorted(path.parent.glob("entry-points-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in remembered[KEEP:]:  # one per environment and state of its distributions
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _importlib(group: str) -> list:
    from importlib.metadata import entry_points as installed

    return list(installed(group=group))
