"""`mlops diff` on pairs of specs: the bundled spec before, an edit of it after, and the
exact output (text, with the warnings and the exit code of `--fail-on destroy`) pinned
in tests/diff/<case>.txt; `--update-golden` rewrites them after an intended change.
And the command itself against a git repository, as CI runs it."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from mlops import pipeline
from mlops.cli_diff import report

SPEC = (ROOT / "mlops.yaml").read_text()
GOLDEN = ROOT / "tests" / "diff"
_PROD = SPEC[SPEC.index("  prod:\n"):SPEC.index("\nkeys:")]
NEW_MODEL = """\
  churn:
    training: {algorithm: xgboost, version: "1.7-1", input: transactions, validation: transactions-validation, instance_type: ml.m5.large}
    evaluation: {metric: "validation:auc", min: 0.8}
"""
# case -> what the change does to the bundled spec: (old text, new text) replacements.
CASES = {
    "add-a-model": [("models:\n  fraud-xgb:\n", "models:\n" + NEW_MODEL + "  fraud-xgb:\n")],
    "change-an-instance-type": [("instance_type: ml.m5.2xlarge", "instance_type: ml.m5.4xlarge")],
    "promote-a-version": [("endpoint: {model_version: 3, min_instances: 2", "endpoint: {model_version: 5, min_instances: 2")],
    "remove-an-environment": [(_PROD, ""), ("  registry_readers: [prod]\n", ""),
                              ("  rules:\n    prod: {manual_approval: true, data_capture: true, min_instances: 2, "
                               "object_lock: true, no_nat: true}\n", "")],
    "rename-a-bucket": [("    features:\n      infrequent_access_days: 90\n",
                         "    curated:\n      renamed_from: features\n      infrequent_access_days: 90\n")],
    "rename-a-bucket-forgetting-renamed-from": [("    features:\n      infrequent_access_days: 90\n",
                                                 "    curated:\n      infrequent_access_days: 90\n")],
    # the model, and every place that names it: its overrides in dev and prod, its monitoring
    "rename-a-model": [("        fraud-xgb:\n", "        fraud-scorer:\n"), ("        fraud-xgb:\n", "        fraud-scorer:\n"),
                       ("          fraud-xgb:\n", "          fraud-scorer:\n"),
                       ("models:\n  fraud-xgb:\n", "models:\n  fraud-scorer:\n    renamed_from: fraud-xgb\n"),
                       ("  models:\n    fraud-xgb:\n", "  models:\n    fraud-scorer:\n")],
    "change-a-forces-new-argument": [("    features:\n      infrequent_access_days: 90\n",
                                      "    features:\n      infrequent_access_days: 90\n      object_lock_days: 7\n")],
}


def _edited(case: str) -> str:
    text = SPEC
    for old, new in CASES[case]:
        assert old in text, f"{case}: the bundled spec no longer contains {old!r}"
        text = text.replace(old, new, 1)
    return text


def _run(before: str, after: str, fmt: str = "text") -> tuple[int, str, str]:
    checked = pipeline.check(after.encode(), "mlops.yaml")
    assert checked.errors == [], [e.message for e in checked.errors]
    args = argparse.Namespace(base="HEAD", file="mlops.yaml", format=fmt, fail_on="destroy")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = report(args, before.encode(), checked)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("case", sorted(CASES))
def test_diff_of_a_change(case: str, update_golden: bool):
    code, out, err = _run(SPEC, _edited(case))
    got = f"{out}--- stderr\n{err}--- exit {code}\n"
    golden = GOLDEN / f"{case}.txt"
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got)
    assert got == golden.read_text()


def test_what_destroys_data_fails_the_check_and_the_rest_passes():
    assert _run(SPEC, _edited("rename-a-bucket-forgetting-renamed-from"))[0] == 4
    assert _run(SPEC, _edited("rename-a-bucket"))[0] == 0
    assert _run(SPEC, _edited("rename-a-model"))[0] == 0
    assert _run(SPEC, _edited("change-a-forces-new-argument"))[0] == 4
    assert _run(SPEC, _edited("remove-an-environment"))[0] == 4
    assert _run(SPEC, _edited("change-an-instance-type"))[0] == 0
    assert _run(SPEC, _edited("add-a-model"))[0] == 0


def test_no_change_is_an_empty_diff():
    code, out, err = _run(SPEC, SPEC)
    assert code == 0 and err == ""
    assert "0 to add, 0 to change, 0 to replace, 0 to destroy" in out


def test_json_and_github_formats_carry_the_same_changes():
    after = _edited("rename-a-bucket-forgetting-renamed-from")
    _, out, _ = _run(SPEC, after, "json")
    found = json.loads(out)
    removed = [c for env in found["environments"] for c in env["changes"] if c["action"] == "remove"]
    assert {c["address"] for c in removed} >= {"aws_s3_bucket.data_features"}
    assert found["destroys"] == sum(c["destroys"] for env in found["environments"] for c in env["changes"])
    assert found["looks_renamed"] == [{"entry": "data.buckets.curated", "renamed_from": "features"}]
    _, out, _ = _run(SPEC, after, "github")
    lines = out.splitlines()
    assert len(lines) == sum(len(env["changes"]) for env in found["environments"])
    assert any(line.startswith("::warning file=mlops.yaml,line=") and "aws_s3_bucket.data_features destroyed" in line
               for line in lines)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.mark.slow  # three new Python processes
def test_the_command_compares_with_a_git_revision(tmp_path: Path):
    _git(tmp_path, "init", "-q")
    spec = tmp_path / "mlops.yaml"
    spec.write_text(SPEC)
    _git(tmp_path, "add", "mlops.yaml")
    _git(tmp_path, "commit", "-q", "-m", "spec")
    spec.write_text(_edited("rename-a-bucket-forgetting-renamed-from"))

    def mlops(*args):
        return subprocess.run([sys.executable, "-m", "mlops.cli", "diff", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)

    done = mlops("--fail-on", "destroy")
    assert done.returncode == 4, done.stderr
    assert "aws_s3_bucket.data_features destroyed" in done.stdout
    assert "WARNING: dev: aws_s3_bucket.data_features (bucket) will be destroyed" in done.stderr
    assert mlops().returncode == 0  # without --fail-on, a report only
    done = mlops("--base", "no-such-revision")
    assert done.returncode == 2 and done.stderr.startswith("mlops: cannot read mlops.yaml at no-such-revision")


def test_json_says_where_a_renamed_entry_moves_from():
    _, out, _ = _run(SPEC, _edited("rename-a-bucket"), "json")
    changes = [c for env in json.loads(out)["environments"] for c in env["changes"]]
    bucket = [c for c in changes if c["address"] == "aws_s3_bucket.data_curated"]
    assert [c["moved_from"] for c in bucket] == ["aws_s3_bucket.data_features"] * 2  # dev and prod
    assert {c["action"] for c in changes} <= {"move", "change"} and not any(c["destroys"] for c in changes)
