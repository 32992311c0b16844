"""mlops as an installed package.

`--version` names pyproject.toml's version and what the committed stacks pin; every
directory of code or data under compiler/ and modules/ is a package of the wheel, so an
installed mlops reads what a checkout reads.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT
from golden import STACKS
from mlops.cli import main

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
VERSION = PYPROJECT["project"]["version"]


def _version_lines(capsys) -> list[str]:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code in (0, None)
    return capsys.readouterr().out.splitlines()


def test_version_names_the_release_and_what_the_stacks_pin(capsys) -> None:
    lines = _version_lines(capsys)
    stacks = [json.loads(p.read_text("utf-8"))["terraform"] for p in STACKS]
    pinned = {f"provider {pin['source']} {pin['version']}" for s in stacks for pin in s["required_providers"].values()}
    assert lines[0] == f"mlops {VERSION}", "the installed metadata is stale: run tools/setup.sh after a version bump"
    assert lines[1:2] == [f"terraform {v}" for v in {s['required_version'] for s in stacks}]
    assert set(lines[2:]) == pinned and len(lines[2:]) == len(pinned)


def _package_dirs() -> dict[str, Path]:
    """Each directory of code or data the compiler and the modules read, by the dotted
    name it is installed as. Golden cases (cases/) are test data, not package data."""
    found = {}
    for name, folder in PYPROJECT["tool"]["setuptools"]["package-dir"].items():
        root = ROOT / folder
        for path in [root, *(p for p in root.rglob("*") if p.is_dir())]:
            rel = path.relative_to(root).parts
            if "cases" in rel or "__pycache__" in rel or not any(path.glob("*.py")) and not any(path.glob("*.json")):
                continue
            found[".".join((name, *rel))] = path
    return found


def test_every_directory_of_code_or_data_is_a_package_of_the_wheel() -> None:
    dirs = _package_dirs()
    assert {"mlops", "mlops.schemas.providers", "mlops_modules.monitoring.engine"} <= set(dirs)
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert sorted(set(dirs) - listed) == [], "add them to [tool.setuptools] packages in pyproject.toml"
    assert sorted(listed - set(dirs)) == [], "pyproject.toml lists packages that do not exist"
