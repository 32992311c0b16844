"""The bad-input corpus: each `tests/bad/<case>.yaml` must fail `mlops compile` with
exit 1, exactly the error lines in `<case>.err`, no traceback, and the previous
output left untouched. `pytest --update-golden` rewrites the .err files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from mlops.cli import main
from mlops.loader import MAX_BYTES

BAD = ROOT / "tests" / "bad"
CASES = sorted(BAD.glob("*.yaml"))
PREVIOUS = b'{"previous": "output"}\n'


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


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


@pytest.mark.parametrize("spec", CASES, ids=[p.stem for p in CASES])
def test_bad_spec(spec: Path, tmp_path: Path, update_golden: bool, capsys, monkeypatch) -> None:
    _compile_and_compare(spec, spec.with_suffix(".err"), tmp_path, update_golden, capsys, monkeypatch)


def test_huge_file(tmp_path: Path, update_golden: bool, capsys, monkeypatch) -> None:
    spec = tmp_path / "huge.yaml"
    spec.write_bytes(b"project: demo\n" + b"# padding\n" * (MAX_BYTES // 10 + 1))
    _compile_and_compare(spec, BAD / "huge-file.err", tmp_path, update_golden, capsys, monkeypatch)


@pytest.mark.parametrize("case", ["python-tag", "alias-bomb", "not-utf8"])
def test_a_real_process_exits_1_without_a_traceback(case: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mlops.cli", "validate", "-f", f"{case}.yaml"],
        cwd=BAD, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == (BAD / f"{case}.err").read_text("utf-8").replace("; nothing was written", "")
