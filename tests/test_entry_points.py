"""The registry's entry points (mlops.entry_points) are what importlib.metadata finds,
asked once and remembered until the installed distributions change: the built-in
modules, and a module a platform team ships as its own distribution."""

from __future__ import annotations

import json
import os
import sys
import zipfile
from importlib.metadata import entry_points as importlib_entry_points
from pathlib import Path

import pytest

from mlops import entry_points, registry

GROUPS = ["mlops.modules", "console_scripts", "pytest11", "distutils.commands", "no.such.group"]


def _pairs(found) -> list[tuple[str, str, str]]:
    return [(ep.name, ep.value, ep.group) for ep in found]


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch) -> None:
    """A cache of this test's own."""
    monkeypatch.setenv("MLOPS_CACHE_DIR", str(tmp_path / "cache"))


def _same_as_importlib(group: str) -> list[tuple[str, str, str]]:
    """Asked (importlib.metadata answers), then remembered: the same both times."""
    asked, remembered = _pairs(entry_points.entry_points(group)), _pairs(entry_points.entry_points(group))
    assert asked == remembered == _pairs(importlib_entry_points(group=group))
    return remembered


@pytest.mark.parametrize("group", GROUPS)
def test_the_installed_distributions_give_what_importlib_metadata_gives(group: str) -> None:
    _same_as_importlib(group)


def test_the_built_in_modules_are_found() -> None:
    names = {name for name, _, _ in _same_as_importlib(registry.GROUP)}
    assert names == {m.name for m in registry.modules()} >= {"keys", "network", "data", "models"}


def _distribution(folder: Path, dist: str, entries: str) -> None:
    info = folder / f"{dist}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist.split('-')[0]}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entries)


@pytest.fixture
def path(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """Two directories first on sys.path."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    monkeypatch.setattr(sys, "path", [str(first), str(second), *sys.path])
    return first, second


def test_the_first_distribution_of_a_name_wins_as_in_importlib_metadata(path) -> None:
    first, second = path
    _distribution(first, "acme_plugin-2.0", "[mlops.modules]\nacme = acme_plugin:MODULE\n")
    _distribution(second, "Acme.Plugin-1.0", "[mlops.modules]\nacme = acme_plugin_old:MODULE\nold = old:MODULE\n")
    _distribution(second, "other-1.0", "# a comment\n[console_scripts]\nx = y:z\n\n[mlops.modules]\n"
                                       "  spaced =  other.module : THING  [extra]  \n[other]\nnot = this:one\n")
    (second / "legacy-1.0-py3.11.egg-info").write_text("Metadata-Version: 1.0\nName: legacy\n")  # a file
    _distribution(second, "noentries-1.0", "")
    (second / "noentries-1.0.dist-info" / "entry_points.txt").unlink()
    found = _same_as_importlib(registry.GROUP)
    assert [(n, v) for n, v, _ in found if n in ("acme", "old", "spaced")] == [
        ("acme", "acme_plugin:MODULE"), ("spaced", "other.module : THING  [extra]")]


def test_the_answer_is_remembered_until_a_distribution_changes(path) -> None:
    first, second = path
    _distribution(second, "acme_plugin-1.0", "[mlops.modules]\nacme = acme_plugin:MODULE\n")
    assert ("acme", "acme_plugin:MODULE", registry.GROUP) in _same_as_importlib(registry.GROUP)
    assert isinstance(entry_points.entry_points(registry.GROUP)[0], entry_points.EntryPoint)  # remembered
    _distribution(first, "later-1.0", "[mlops.modules]\nlater = later:MODULE\n")  # installed since
    assert ("later", "later:MODULE", registry.GROUP) in _same_as_importlib(registry.GROUP)
    edited = second / "acme_plugin-1.0.dist-info" / "entry_points.txt"
    edited.write_text("[mlops.modules]\nacme = acme_plugin.v2:MODULE\n")
    os.utime(edited, ns=(1, 1))  # an edit the clock could not tell apart: its size differs
    assert ("acme", "acme_plugin.v2:MODULE", registry.GROUP) in _same_as_importlib(registry.GROUP)
    (second / "acme_plugin-1.0.dist-info" / "entry_points.txt").unlink()
    assert "acme" not in [n for n, _, _ in _same_as_importlib(registry.GROUP)]


def test_a_zip_on_sys_path_is_read_by_importlib_metadata(path, tmp_path: Path) -> None:
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("zipped-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped\nVersion: 1.0\n")
        zipped.writestr("zipped-1.0.dist-info/entry_points.txt", "[mlops.modules]\nzipped = zipped:MODULE\n")
    sys.path.insert(0, str(archive))
    assert ("zipped", "zipped:MODULE", registry.GROUP) in _same_as_importlib(registry.GROUP)


def test_an_entry_point_loads_its_module_or_attribute() -> None:
    def load(value: str):
        return entry_points.EntryPoint("x", value, "g").load()

    assert load("json") is json
    assert load("json:dumps") is json.dumps
    assert load("os : path.join") is os.path.join
    assert load("json:loads [extra]") is json.loads
    with pytest.raises(ValueError):
        load("not a value")
    with pytest.raises(AttributeError):
        load("json:nothing")


def test_a_module_shipped_as_its_own_distribution_is_registered(path) -> None:
    first, _ = path
    package = first / "acme_feature_store"
    package.mkdir()
    (package / "__init__.py").write_text("from mlops.module_api import module\n\n"
                                        "MODULE = module(__name__, build=lambda ctx: None, after=('data',))\n")
    (package / "schema.json").write_text('{"type": "object", "properties": {"tables": {"type": "array"}}}\n')
    _distribution(first, "acme_mlops_feature_store-0.1",
                  "[mlops.modules]\nacme_feature_store = acme_feature_store:MODULE\n")
    try:
        names = [m.name for m in registry.modules.__wrapped__()]
    finally:
        sys.modules.pop("acme_feature_store", None)
    assert "acme_feature_store" in names and names.index("acme_feature_store") > names.index("data")
