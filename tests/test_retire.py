"""Removing an environment is deliberate: retire it (its stack loses prevent_destroy and
RETIRED.md says how to destroy it), destroy it, then remove it from the spec. Removing
it without retiring it first is refused, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from mlops.cli import main

SPEC = (ROOT / "mlops.yaml").read_text()
RETIRED = SPEC.replace('  prod:\n    account: "222222222222"\n', '  prod:\n    account: "222222222222"\n    retired: true\n')
_START, _END = SPEC.index("  prod:\n"), SPEC.index("\nkeys:")
WITHOUT_PROD = (SPEC[:_START] + SPEC[_END:]).replace("  registry_readers: [prod]\n", "").replace(
    "  rules:\n    prod: {manual_approval: true, data_capture: true, min_instances: 2, object_lock: true, no_nat: true}\n", "")


def _compile(tmp_path: Path, text: str) -> int:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(text)
    return main(["compile", "-f", str(spec), "-o", str(tmp_path / "generated")])


def _files(tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "generated"
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_an_environment_is_retired_destroyed_then_removed(tmp_path, capsys):
    assert _compile(tmp_path, SPEC) == 0
    applied = _files(tmp_path)
    assert '"prevent_destroy": true' in applied["prod/cdk.tf.json"].decode()

    # Dropping prod from the spec without retiring it: refused, nothing written.
    capsys.readouterr()
    assert _compile(tmp_path, WITHOUT_PROD) == 1
    err = capsys.readouterr().err
    assert "generated/prod/ holds the stack of environment 'prod', which the spec no longer declares" in err
    assert "hint: put it back with `retired: true`" in err
    assert _files(tmp_path) == applied

    # Retired: the stack is still there, without prevent_destroy, with the instructions.
    assert _compile(tmp_path, RETIRED) == 0
    assert "prod is retired: " in capsys.readouterr().out
    retired = _files(tmp_path)
    stack = json.loads(retired["prod/cdk.tf.json"])
    assert all(not r.get("lifecycle", {}).get("prevent_destroy")
               for resources in stack["resource"].values() for r in resources.values())
    guide = retired["prod/RETIRED.md"].decode()
    assert "terraform plan -destroy -out destroy.tfplan" in guide
    assert "- `aws_s3_bucket.data_raw`: delete every object version first" in guide
    assert retired["dev/cdk.tf.json"] == applied["dev/cdk.tf.json"], "retiring prod changed dev"

    # After the destroy, prod leaves the spec and compile removes its directory.
    assert _compile(tmp_path, WITHOUT_PROD) == 0
    assert sorted(_files(tmp_path)) == sorted(rel for rel in applied if rel.startswith("dev/"))
    assert not (tmp_path / "generated" / "prod").exists(), "its documents/ (or the directory) stayed behind"


def test_a_directory_nobody_generated_is_not_an_environment(tmp_path):
    """Only a directory holding a stack mlops wrote (cdk.tf.json) counts."""
    (tmp_path / "generated" / "notes").mkdir(parents=True)
    (tmp_path / "generated" / "notes" / "README.md").write_text("team notes\n")
    from mlops.retire import unretired_removals

    assert unretired_removals(tmp_path / "generated", {"dev", "prod"}) == []
