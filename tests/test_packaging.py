"""mlops as an installed package, as a release ships it (tools/release.py).

Slow: the sdist and, from it, the wheel are built as a release builds them, the wheel
is installed with its dependencies into a fresh virtual environment in a temporary
directory outside the checkout, and there `mlops --version`, `validate` and `compile`
run on a copy of the bundled spec (the compiled stacks must be generated/, byte for
byte), `gate` passes them, and `init` starts a spec that compiles. Before the pinned provider slices were
package data, every validate and compile there failed.
Fast: `--version` names pyproject.toml's version and what the committed stacks pin;
CHANGELOG.md has a dated section for that version; every directory of code or data
under compiler/ and modules/ is a package of the wheel.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from checkov_support import real_checkov
from conftest import ROOT
from golden import GENERATED_STACKS, STACKS
from mlops.cli import main

_spec = importlib.util.spec_from_file_location("release", ROOT / "tools" / "release.py")
release = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(release)

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


def test_the_changelog_has_a_dated_section_for_this_version() -> None:
    assert release.changelog_problems((ROOT / "CHANGELOG.md").read_text("utf-8"), VERSION) == []


@pytest.mark.parametrize("text", [
    "# Changelog\n\n## [Unreleased]\n",
    "## [1.2.3]\n",
    "## [1.2.3] - soon\n",
    "## [1.2.3] - 2026-11-30\n\n## [1.2.3] - 2026-12-01\n",
    "## [1.2.30] - 2026-11-30\n",
])
def test_the_release_refuses_a_version_the_changelog_does_not_date(text: str) -> None:
    assert release.changelog_problems(text, "1.2.3")
    assert release.changelog_problems(text + "## [1.2.4] - 2026-12-24\n", "1.2.4") == []


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


@pytest.mark.slow  # builds an sdist and a wheel, installs them and their dependencies into a new venv
def test_the_wheel_installs_and_compiles_outside_the_checkout(tmp_path: Path) -> None:
    assert not tmp_path.resolve().is_relative_to(ROOT)
    sdist, wheel = release.build(tmp_path / "dist")
    assert sdist.is_file() and wheel.is_file()
    bindir = release.install(wheel, tmp_path / "venv")
    where = subprocess.run([str(bindir / "python"), "-c", "import mlops; print(mlops.__file__)"], cwd=tmp_path,
                           env=release.isolated_env(), capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()).is_relative_to(tmp_path / "venv"), f"mlops imported from {where}"

    work = tmp_path / "work"
    work.mkdir()
    shutil.copy2(ROOT / "mlops.yaml", work / "mlops.yaml")
    shown = release.run_installed(bindir, work, "--version")
    assert shown.returncode == 0 and shown.stdout.splitlines()[0] == f"mlops {VERSION}", shown
    validated = release.run_installed(bindir, work, "validate")
    assert validated.returncode == 0 and validated.stdout.startswith("mlops.yaml: ok"), validated
    compiled = release.run_installed(bindir, work, "compile")
    assert compiled.returncode == 0, compiled.stderr
    expected = {p.relative_to(ROOT / "generated"): p.read_bytes() for p in (ROOT / "generated").rglob("*") if p.is_file()}
    got = {p.relative_to(work / "generated"): p.read_bytes() for p in (work / "generated").rglob("*") if p.is_file()}
    assert len(expected) >= 2 * len(GENERATED_STACKS)
    assert sorted(got) == sorted(expected)
    assert [rel for rel in sorted(got) if got[rel] != expected[rel]] == []

    # The checkov gate of the installed package passes what it compiled.
    gated = release.run_installed(bindir, work, "gate", "--checkov", real_checkov())
    assert gated.returncode == 0, gated.stdout + gated.stderr

    # A platform started from nothing there: init's spec validates, its schema beside it, and compiles.
    starter = tmp_path / "starter"
    starter.mkdir()
    init = release.run_installed(bindir, starter, "init", "--project", "acme-ml", "--region", "eu-west-1",
                                 "--env", "dev=111111111111", "--training", "builtin")
    assert init.returncode == 0, init.stderr
    assert (starter / "mlops.schema.json").read_bytes() == (ROOT / "schemas" / "mlops.schema.json").read_bytes()
    assert release.run_installed(bindir, starter, "compile").returncode == 0
    assert (starter / "generated" / "dev" / "cdk.tf.json").is_file()

    # The release tool's own check of the same install passes, and fails on a wrong version or output.
    assert release.smoke(bindir, tmp_path / "smoke", VERSION) == []
    assert release.smoke(bindir, tmp_path / "smoke-version", VERSION + ".1")[0].startswith("mlops --version printed")
    tampered = tmp_path / "tampered"
    shutil.copytree(ROOT / "generated", tampered)
    (tampered / "dev" / "cdk.tf.json").write_text("{}\n", "utf-8")
    assert release.smoke(bindir, tmp_path / "smoke-tampered", VERSION, expected=tampered) == [
        "compiled output: differs dev/cdk.tf.json"]
