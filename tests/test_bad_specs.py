"""The bad-input corpus: each bad spec must fail `mlops compile` with exit 1, exactly the
error lines in the `.err` file beside it, no traceback, and the previous output left
untouched. `pytest --update-golden` rewrites the .err files.

A module keeps the bad specs of its own section in `modules/<module>/cases/bad/` (the
errors its schema fragment or its check reports); `tests/bad/` keeps the cross-cutting
ones: the loader and YAML itself, the core sections (project, region, tags, state,
environments, exceptions), overrides and additions, names that meet across entries, and
what the CLI prints. Each spec is compiled from its own folder, so the `.err` names the
file alone, wherever it lives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from mlops.cli import main
from mlops.loader import MAX_BYTES

BAD = ROOT / "tests" / "bad"
MODULE_BAD = sorted(ROOT.glob("modules/*/cases/bad"))
FOLDERS = [BAD, *MODULE_BAD]
CASES = sorted((p for folder in FOLDERS for p in folder.glob("*.yaml")), key=lambda p: (p.parent != BAD, p))
PREVIOUS = b'{"previous": "output"}\n'


def _case_id(spec: Path) -> str:
    """`<module>/<case>` for a module's case, `<case>` for a cross-cutting one."""
    return spec.stem if spec.parent == BAD else f"{spec.parent.parent.parent.name}/{spec.stem}"


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len(MODULE_BAD) >= 2, "the modules' bad cases were not found"


def test_every_bad_spec_has_its_output_and_every_output_its_spec() -> None:
    """A .yaml without .err would fail only at its own test; an .err without .yaml (a case
    renamed or moved without its output) would never run at all."""
    for folder in FOLDERS:
        specs = {p.stem for p in folder.glob("*.yaml")}
        outputs = {p.stem for p in folder.glob("*.err")} - ({"huge-file"} if folder == BAD else set())
        assert specs == outputs, f"{folder.relative_to(ROOT)}: unpaired {sorted(specs ^ outputs)}"
        assert {p.suffix for p in folder.iterdir()} <= {".yaml", ".err"}, f"{folder.relative_to(ROOT)}: other files"


def test_bad_cases_sit_in_a_module() -> None:
    for folder in MODULE_BAD:
        assert (folder.parent.parent / "schema.json").is_file(), f"{folder.relative_to(ROOT)} is in no module"


def _compile_and_compare(spec: Path, expected: Path, tmp_path: Path, update: bool, capsys, monkeypatch) -> None:
    out = tmp_path / "generated"
    (out / "dev").mkdir(parents=True)
    (out / "dev" / "cdk.tf.json").write_bytes(PREVIOUS)
    monkeypatch.chdir(spec.parent)
    code = main(["compile", "-f", spec.name, "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert [p.name for p in out.rglob("*")] == ["dev", "cdk.tf.json"], "a failed compile wrote files"
    assert (out / "dev" / "cdk.tf.json").read_bytes() == PREVIOUS
    if update:
        expected.write_text(captured.err, encoding="utf-8")
    assert captured.err == expected.read_text("utf-8")


@pytest.mark.parametrize("spec", CASES, ids=[_case_id(p) for p in CASES])
def test_bad_spec(spec: Path, tmp_path: Path, update_golden: bool, capsys, monkeypatch) -> None:
    _compile_and_compare(spec, spec.with_suffix(".err"), tmp_path, update_golden, capsys, monkeypatch)


def test_huge_file(tmp_path: Path, update_golden: bool, capsys, monkeypatch) -> None:
    spec = tmp_path / "huge.yaml"
    spec.write_bytes(b"project: demo\n" + b"# padding\n" * (MAX_BYTES // 10 + 1))
    _compile_and_compare(spec, BAD / "huge-file.err", tmp_path, update_golden, capsys, monkeypatch)


@pytest.mark.slow  # a new Python process each
@pytest.mark.parametrize("case", ["python-tag", "alias-bomb", "not-utf8"])
def test_a_real_process_exits_1_without_a_traceback(case: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mlops.cli", "validate", "-f", f"{case}.yaml"],
        cwd=BAD, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == (BAD / f"{case}.err").read_text("utf-8").replace("; nothing was written", "")
