"""The entry points of one group, as importlib.metadata finds them, remembered.

importlib.metadata answers the question, but importing it (email, zipfile, csv) and
reading the metadata of every installed distribution costs about a fifth of `mlops
validate`. So its answer is kept in the cache beside the compiled schemas
(mlops.cache), under a fingerprint of what it reads: each directory on sys.path, the
distribution metadata folders in it (`*.dist-info`, `*.egg-info`, eggs, `.pth` files),
and the contents of each one's `entry_points.txt`.
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
    from . import cache

    key, folder = _fingerprint(group), cache.directory()
    if key is None or folder is None:
        return _importlib(group)
    path = folder / f"entry-points-{key}.json"
    try:
        return [EntryPoint(name, value, group) for name, value in json.loads(cache.read(path))]
    except (ValueError, TypeError):  # not remembered yet, none to trust, or unreadable: ask again
        pass
    found = _importlib(group)
    cache.write(path, json.dumps([[ep.name, ep.value] for ep in found]).encode(), "entry-points-*.json", KEEP)
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
                seen.append(child.name)
                for inside in ("entry_points.txt", os.path.join("EGG-INFO", "entry_points.txt")):
                    try:  # the contents: a same-size edit within the clock's resolution is still seen
                        with open(os.path.join(child.path, inside), "rb") as file:
                            seen.append(hashlib.sha256(file.read()).hexdigest())
                    except OSError:
                        pass
    return hashlib.sha256("\0".join(seen).encode()).hexdigest()


def _importlib(group: str) -> list:
    from importlib.metadata import entry_points as installed

    return list(installed(group=group))
