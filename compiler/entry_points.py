"""The entry points of one group, read from the installed distributions' metadata.

importlib.metadata answers the same question, but importing it (email, zipfile, csv)
and parsing the entry points of every installed distribution costs a tenth of `mlops
validate`. The contract is the packaging specification's, which importlib.metadata
implements: each directory on sys.path may hold distributions, `<name>-<version>.dist-info`
or `.egg-info` directories, and each lists its entry points in `entry_points.txt`, an
INI file with one section per group and one `name = module:attr` line per entry point.
They are read here as importlib.metadata reads them: sys.path in order, within a
directory in its listing order, and only the first distribution of a name (normalized:
lowercase, runs of `-_.` as `_`) counts. Where importlib.metadata would look elsewhere --
a zip file or an egg on sys.path, an import finder that lists distributions of its own
-- it is asked instead, so every distribution it finds is still found.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from importlib import import_module

# `module`, `module:attr`, `module:object.attr`, each optionally followed by `[extras]`.
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
_METADATA = (".dist-info", ".egg-info")
# What importlib.metadata shrugs off when a distribution has no readable entry_points.txt.
_UNREADABLE = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)


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
    """Every entry point of `group` in the installed distributions, in importlib.metadata's order."""
    if _elsewhere():
        return _importlib(group)
    found: list[EntryPoint] = []
    seen: set[str] = set()
    for entry in sys.path:
        try:
            children = os.listdir(entry or ".")
        except NotADirectoryError:  # a zip file: importlib.metadata reads inside it
            return _importlib(group)
        except OSError:
            continue
        if os.path.basename(entry).lower().endswith(".egg"):
            return _importlib(group)
        for child in children:
            low = child.lower()
            if not low.endswith(_METADATA):
                continue
            name = normalize(low.rpartition(".")[0].partition("-")[0])
            if name not in seen:
                seen.add(name)
                found += _read(os.path.join(entry, child, "entry_points.txt"), group)
    return found


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _read(path: str, group: str) -> Iterable[EntryPoint]:
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except _UNREADABLE:
        return []
    if f"[{group}]" not in text:
        return []
    section, found = None, []
    for line in map(str.strip, text.splitlines()):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
        elif section == group:
            name, value = line.split("=", 1)
            found.append(EntryPoint(name.strip(), value.strip(), group))
    return found


def _elsewhere() -> bool:
    """Whether an import finder other than the standard one lists distributions."""
    from importlib.machinery import PathFinder

    return any(finder is not PathFinder and hasattr(finder, "find_distributions") for finder in sys.meta_path)


def _importlib(group: str) -> list:
    from importlib.metadata import entry_points as installed

    return list(installed(group=group))
