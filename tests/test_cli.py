"""The CLI contract (docs/architecture.md, Contracts): exit codes, error formats, --check, atomic writes,
and no CDK runtime for commands that do not synthesize."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from mlops.cli import main

SPEC = ROOT / "mlops.yaml"
BAD = ROOT / "tests" / "bad"


def test_validate_ok(capsys) -> None:
    assert main(["validate", "-f", str(SPEC)]) == 0
    assert "ok (2 environments: dev, prod)" in capsys.readouterr().out


def test_generated_matches_the_bundled_spec(capsys) -> None:
    code = main(["compile", "--check", "-f", str(SPEC), "-o", str(ROOT / "generated")])
    assert code == 0, capsys.readouterr().err


def test_json_errors(capsys, monkeypatch) -> None:
    monkeypatch.chdir(BAD)
    assert main(["validate", "--format", "json", "-f", "many-errors-at-once.yaml"]) == 1
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert [(e["line"], e["column"], e["path"]) for e in errors] == [
        (2, 9, "region"), (7, 9, "network.cidr"), (10, 11, "data.buckets.raw.versioning")]
    assert errors[2]["message"] == "unknown key 'versioning'"
    assert errors[0]["file"] == "many-errors-at-once.yaml"


def test_json_ok(capsys) -> None:
    assert main(["validate", "--format", "json", "-f", str(SPEC)]) == 0
    assert json.loads(capsys.readouterr().out) == {"errors": []}


@pytest.mark.parametrize("argv", [["compile", "--bogus"], ["frobnicate"], []])
def test_usage_errors_exit_2(argv) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2


def test_missing_file_is_a_usage_error(capsys, tmp_path) -> None:
    assert main(["validate", "-f", str(tmp_path / "nope.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled spec compiled once (a compile costs seconds); tests that only read
    its output use it as is."""
    target = tmp_path_factory.mktemp("compiled") / "generated"
    assert main(["compile", "-f", str(SPEC), "-o", str(target)]) == 0
    return target


@pytest.fixture
def out(compiled: Path, tmp_path: Path) -> Path:
    """A copy of that output (modes kept), for a test that changes it or compiles over it."""
    target = tmp_path / "generated"
    shutil.copytree(compiled, target)
    return target


DOCUMENTS = {  # what each environment of the bundled spec writes to documents/ (mlops.documents)
    "dev": ["aws_cloudwatch_dashboard/fraud_xgb.json", "aws_sagemaker_pipeline/fraud_torch.json",
            "aws_sagemaker_pipeline/fraud_xgb.json", "aws_sfn_state_machine/train_fraud_custom.json"],
    "prod": ["aws_cloudwatch_dashboard/fraud_xgb.json", "aws_sagemaker_pipeline/fraud_torch.json",
             "aws_sagemaker_pipeline/fraud_xgb.json", "aws_sagemaker_pipeline/fraud_xgb_monitor.json",
             "aws_sfn_state_machine/baseline_fraud_xgb.json", "aws_sfn_state_machine/retrain_fraud_xgb.json",
             "aws_sfn_state_machine/train_fraud_custom.json"],
}
WRITTEN = sorted(f"{env}/{rel}" for env, docs in DOCUMENTS.items()
                 for rel in ["cdk.tf.json", "exceptions.json", "documents/.gitattributes", "documents/README.md", *(f"documents/{d}" for d in docs)])


def test_compile_writes_every_environment(compiled: Path) -> None:
    assert sorted(str(p.relative_to(compiled)) for p in compiled.rglob("*") if p.is_file()) == WRITTEN


def test_check_names_stale_missing_and_orphaned_files(out: Path, capsys) -> None:
    (out / "dev" / "cdk.tf.json").write_text("{}\n")
    (out / "prod" / "exceptions.json").unlink()
    (out / "old").mkdir()  # an environment retired, destroyed, then dropped from the spec
    (out / "old" / "cdk.tf.json").write_text("{}\n")
    (out / "old" / "RETIRED.md").write_text("# Environment old is retired\n")
    capsys.readouterr()
    assert main(["compile", "--check", "-f", str(SPEC), "-o", str(out)]) == 4
    err = capsys.readouterr().err
    assert "dev/cdk.tf.json: stale (differs)" in err
    assert "prod/exceptions.json: stale (missing)" in err
    assert "old/cdk.tf.json: stale (no longer generated)" in err
    assert (out / "dev" / "cdk.tf.json").read_text() == "{}\n", "--check wrote something"


def test_compile_keeps_terraform_files_and_removes_orphans(out: Path) -> None:
    (out / "dev" / ".terraform.lock.hcl").write_text("# lock\n")
    (out / "old").mkdir()  # retired, destroyed, then dropped from the spec
    (out / "old" / "cdk.tf.json").write_text("{}\n")
    (out / "old" / "RETIRED.md").write_text("# Environment old is retired\n")
    assert main(["compile", "-f", str(SPEC), "-o", str(out)]) == 0
    assert (out / "dev" / ".terraform.lock.hcl").read_text() == "# lock\n"
    assert not (out / "old").exists()
    assert not list(out.rglob(".mlops-*")), "temporary files were left behind"


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.slow  # a new Python process each
@pytest.mark.parametrize("argv", [["validate"], ["--help"], ["compile", "--help"], ["compile", "-f", "tests/bad/custom-tag.yaml"],
                                  ["locate", "aws_s3_bucket.data_raw"]])
def test_no_cdk_runtime_without_synthesis(argv) -> None:
    result = _run(
        "import sys\nfrom mlops.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('jsii', 'cdktn', 'cdktf', 'constructs'))\n"
        "print('LOADED', loaded)\n"
    )
    assert "LOADED []" in result.stdout, result.stdout + result.stderr


@pytest.mark.slow  # a new Python process
def test_validate_needs_no_numpy() -> None:
    """The monitoring module builds alarms from the engine's metrics table; numpy is the
    engine's (the processing image ships it), not a dependency of the compiler."""
    result = _run(
        "import sys\nsys.modules['numpy'] = None  # importing it now fails\n"
        "from mlops.cli import main\n"
        "print('EXIT', main(['validate']))\n"
    )
    assert "EXIT 0" in result.stdout, result.stdout + result.stderr


@pytest.mark.slow  # a new Python and Node process
def test_compile_prints_no_node_banner(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JSII_NODE"}
    result = subprocess.run([sys.executable, "-m", "mlops.cli", "compile", "-f", str(SPEC), "-o", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_internal_errors_are_reported_without_a_traceback(monkeypatch, capsys) -> None:
    import mlops.pipeline

    def broken(*_):
        raise KeyError("boom")

    monkeypatch.setattr(mlops.pipeline, "targets", broken)
    assert main(["compile", "--check", "-f", str(SPEC)]) == 3
    err = capsys.readouterr().err
    assert "internal error: KeyError" in err and "Traceback" not in err


def test_schema_command_prints_the_bundled_schema(capsys) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == (ROOT / "schemas" / "mlops.schema.json").read_text("utf-8")


def test_console_script_is_installed() -> None:
    assert shutil.which("mlops", path=str(Path(sys.executable).parent))


def test_locate_maps_an_address_back_to_the_spec(capsys) -> None:
    assert main(["locate", "-f", str(SPEC), "aws_s3_bucket.data_raw"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "dev: aws_s3_bucket.data_raw: data.buckets.raw (module data)",
        "prod: aws_s3_bucket.data_raw: data.buckets.raw (module data)",
    ]
    assert lines[0].startswith(f"{SPEC}:") and lines[0] == lines[1].replace("prod:", "dev:")


def test_locate_follows_overrides(capsys) -> None:
    assert main(["locate", "-f", str(SPEC), "--env", "prod", "aws_sagemaker_model.fraud_xgb"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("prod: aws_sagemaker_model.fraud_xgb: "
                        "environments.prod.overrides.models.fraud-xgb.endpoint.model_version (module models)\n")


def test_locate_follows_a_rename_from_the_old_address(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(SPEC.read_text().replace("    features:\n", "    curated:\n      renamed_from: features\n", 1))
    assert main(["locate", "-f", str(spec), "--env", "dev", "aws_s3_bucket.data_features"]) == 0
    assert capsys.readouterr().out.split(": ", 1)[1] == (
        "dev: aws_s3_bucket.data_curated (moved from aws_s3_bucket.data_features): data.buckets.curated (module data)\n")


def test_locate_unknown_address(capsys) -> None:
    assert main(["locate", "-f", str(SPEC), "aws_s3_bucket.nope"]) == 1
    assert "no environment" in capsys.readouterr().err


def test_check_in_json(out: Path, capsys) -> None:
    (out / "dev" / "cdk.tf.json").write_text("{}\n")
    capsys.readouterr()
    assert main(["compile", "--check", "--format", "json", "-f", str(SPEC), "-o", str(out)]) == 4
    assert json.loads(capsys.readouterr().out) == {"stale": [{"file": str(out / "dev" / "cdk.tf.json"), "reason": "differs"}]}


def test_check_tells_an_invalid_spec_from_stale_output(out: Path, tmp_path: Path, capsys) -> None:
    """Like `terraform plan -detailed-exitcode`: CI can tell "fix the spec" (1) from
    "run mlops compile" (4); up to date is 0."""
    assert main(["compile", "--check", "-f", str(SPEC), "-o", str(out)]) == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text(SPEC.read_text().replace("region: eu-west-1", "regoin: eu-west-1", 1))
    assert main(["compile", "--check", "-f", str(broken), "-o", str(out)]) == 1
    (out / "dev" / "cdk.tf.json").write_text("{}\n")
    assert main(["compile", "--check", "-f", str(SPEC), "-o", str(out)]) == 4


def test_compile_and_locate_speak_json(tmp_path: Path, capsys) -> None:
    target = tmp_path / "json-out"
    assert main(["compile", "--format", "json", "-f", str(SPEC), "-o", str(target)]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written["files"] == WRITTEN
    assert sorted(written["changed"]) == written["files"]
    assert main(["locate", "--format", "json", "-f", str(SPEC), "--env", "prod", "aws_sagemaker_model.fraud_xgb"]) == 0
    [match] = json.loads(capsys.readouterr().out)["matches"]
    assert (match["env"], match["spec_path"], match["module"]) == (
        "prod", "environments.prod.overrides.models.fraud-xgb.endpoint.model_version", "models")


def test_generated_files_are_readable_like_ordinary_files(compiled: Path) -> None:
    mode = (compiled / "dev" / "cdk.tf.json").stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_a_conformance_failure_leaves_the_output_untouched(out: Path, monkeypatch, capsys) -> None:
    """Errors found after synthesis (the provider-schema check) must not write either."""
    import mlops.conformance
    from mlops.errors import SpecError

    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(mlops.conformance, "check",
                        lambda stack, origins, schemas: [SpecError(("data",), "module data: aws_s3_bucket.x: broken")])
    (out / "dev" / "cdk.tf.json").write_text("{}\n")
    before[out / "dev" / "cdk.tf.json"] = b"{}\n"
    capsys.readouterr()
    assert main(["compile", "-f", str(SPEC), "-o", str(out)]) == 1
    assert "module data: aws_s3_bucket.x: broken" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
