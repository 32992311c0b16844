"""`mlops init` writes a starter spec that validates, with the schema beside it for the
editor; a bad answer names its flag and writes nothing; it never overwrites a spec
unless told to; at a terminal it asks what the flags did not say."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from conftest import ROOT
from mlops.cli import main
from mlops.starter import TRAINING

FLAGS = ["--project", "acme-ml", "--region", "eu-west-1", "--env", "dev=111111111111", "--env", "prod=222222222222"]


@pytest.mark.parametrize("training", TRAINING)
def test_every_starter_validates_and_brings_its_schema(tmp_path: Path, training: str, capsys):
    spec = tmp_path / "mlops.yaml"
    assert main(["init", "-f", str(spec), *FLAGS, "--training", training]) == 0
    assert spec.read_text().startswith("# yaml-language-server: $schema=mlops.schema.json\n")
    assert (tmp_path / "mlops.schema.json").read_text() == (ROOT / "schemas" / "mlops.schema.json").read_text()
    capsys.readouterr()
    assert main(["validate", "-f", str(spec)]) == 0
    assert "ok (2 environments: dev, prod)" in capsys.readouterr().out


def test_a_bad_answer_names_its_flag_and_writes_nothing(tmp_path: Path, capsys):
    spec = tmp_path / "mlops.yaml"
    assert main(["init", "-f", str(spec), "--project", "Acme", "--region", "eu-west-1", "--env", "dev=123",
                 "--training", "none"]) == 1
    err = capsys.readouterr().err
    assert "mlops: --project: project: 'Acme' is not valid here" in err
    assert "mlops: --env: environments.dev.account: '123' is not valid here" in err
    assert err.endswith("mlops: nothing was written\n")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_spec_is_kept_unless_forced(tmp_path: Path, capsys):
    spec = tmp_path / "mlops.yaml"
    spec.write_text("project: mine\n")
    assert main(["init", "-f", str(spec), *FLAGS, "--training", "none"]) == 2
    assert "exists; choose another --file, or --force" in capsys.readouterr().err
    assert spec.read_text() == "project: mine\n"
    assert main(["init", "-f", str(spec), *FLAGS, "--training", "none", "--force"]) == 0
    assert "project: acme-ml" in spec.read_text()


def test_without_a_terminal_missing_flags_are_an_error(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["init", "-f", str(tmp_path / "mlops.yaml"), "--project", "acme-ml"]) == 2
    assert "init needs --region, --env, --training (or run it at a terminal" in capsys.readouterr().err


def test_at_a_terminal_it_asks(tmp_path: Path, monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("acme-ml\neu-west-1\ndev=111111111111\n\n"))
    spec = tmp_path / "mlops.yaml"
    assert main(["init", "-f", str(spec)]) == 0
    text = spec.read_text()
    assert "project: acme-ml" in text and "algorithm: xgboost" in text  # builtin, the default answer
    assert "how the first model trains (builtin, framework, custom, none) [builtin]: " in capsys.readouterr().out
