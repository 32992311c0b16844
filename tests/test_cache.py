"""The fast path's cache (mlops.cache) runs what it reads, so it is read only where
nobody else can write: never a relative folder (HOME unset), never a file or folder
another user, or anyone, may change. Everything else costs time, never a wrong answer."""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path

import pytest

from mlops import cache, compiled_schema

SCHEMA = {"type": "string"}
ACCEPT_ALL = ("accept", compile("def accept(data):\n    return data\n", "<planted>", "exec"))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("MLOPS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(compiled_schema, "_validators", {})
    return tmp_path / "cache"


def _entry(folder: Path) -> Path:
    compiled_schema.accepts("x", SCHEMA)  # compiles and writes the entry
    [entry] = folder.glob(f"*.{sys.implementation.cache_tag}")
    return entry


def test_without_a_home_there_is_no_cache(tmp_path: Path, monkeypatch) -> None:
    for name in ("MLOPS_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)  # no HOME, no passwd entry: "~" stays
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(compiled_schema, "_validators", {})
    assert cache.directory() is None
    assert compiled_schema.accepts("x", SCHEMA) and not compiled_schema.accepts(1, SCHEMA)
    assert list(tmp_path.iterdir()) == []  # nothing written into the current folder
    monkeypatch.setenv("MLOPS_CACHE_DIR", "relative/cache")
    assert cache.directory() is None


def test_what_the_cache_writes_is_private(folder: Path) -> None:
    entry = _entry(folder)
    assert folder.stat().st_mode & 0o777 == 0o700 and entry.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
@pytest.mark.parametrize("loosen", ["file", "folder"])
def test_an_entry_others_could_have_written_is_never_run(folder: Path, monkeypatch, loosen: str) -> None:
    entry = _entry(folder)
    entry.write_bytes(marshal.dumps(ACCEPT_ALL))  # what a planted entry would hold
    (entry if loosen == "file" else folder).chmod(0o666 if loosen == "file" else 0o777)
    monkeypatch.setattr(compiled_schema, "_validators", {})
    assert not compiled_schema.accepts(1, SCHEMA)  # the planted code would accept it
    # The same planted entry, private: it is read (which shows the permissions are what refused it).
    (entry if loosen == "file" else folder).chmod(0o600 if loosen == "file" else 0o700)
    entry.write_bytes(marshal.dumps(ACCEPT_ALL))
    monkeypatch.setattr(compiled_schema, "_validators", {})
    assert compiled_schema.accepts(1, SCHEMA)
