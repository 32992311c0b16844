"""The checkov gate (compiler/gate.py, gate_exceptions.py): comparison logic on
fabricated checkov results, and one real checkov run on a hand-written insecure stack
(tests/checkov_gate_cases/). The command's formats and exit codes: test_gate_command.py."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sarif_schema
from checkov_support import real_checkov
from mlops import gate
from mlops.gate_exceptions import Finding, compare, load_exceptions

CASES = Path(__file__).resolve().parent / "checkov_gate_cases"

TODAY = dt.date(2026, 6, 1)
BUCKET = "aws_s3_bucket.data_raw"
DEV = Path("generated/dev")
LOGGING = Finding("failed", DEV, "CKV_AWS_18", BUCKET, "Ensure the S3 bucket has access logging enabled")


def exc(check="CKV_AWS_18", resource=BUCKET, reason="log bucket cannot log to itself",
        expires=None, declared_by="module data", **extra):
    return {"check": check, "resource": resource, "reason": reason, "expires": expires,
            "declared_by": declared_by, **extra}


def judge(failed, exceptions, today=TODAY):
    """The report lines and the number excepted, as the text report prints them."""
    judged = compare(DEV, failed, exceptions, today)
    return [f.text for f in judged if f.status != "excepted"], sum(f.status == "excepted" for f in judged)


# --- comparison logic --------------------------------------------------------------

def test_excepted_failure_is_ok():
    assert judge([LOGGING], [exc()]) == ([], 1)


def test_unexcepted_failure_fails():
    problems, excepted = judge([LOGGING], [])
    assert problems == ["generated/dev/cdk.tf.json: aws_s3_bucket.data_raw: CKV_AWS_18 "
                        "Ensure the S3 bucket has access logging enabled (not excepted)"]
    assert excepted == 0


def test_exception_for_other_resource_does_not_cover():
    problems, _ = judge([LOGGING], [exc(resource="aws_s3_bucket.other")])
    assert any("(not excepted)" in p for p in problems)
    assert any("unused exception" in p and "aws_s3_bucket.other" in p for p in problems)


def test_unused_exception_fails():
    problems, _ = judge([], [exc()])
    assert len(problems) == 1
    assert problems[0].startswith("generated/dev/exceptions.json: aws_s3_bucket.data_raw: CKV_AWS_18 unused")
    assert "remove it" in problems[0]


@pytest.mark.parametrize("today, ok", [(dt.date(2027, 6, 30), True), (dt.date(2027, 7, 1), False)])
def test_expiry_is_inclusive(today, ok):
    problems, excepted = judge([LOGGING], [exc(expires="2027-06-30")], today)
    assert (not problems, excepted) == (ok, int(ok))
    if not ok:
        assert "expired on 2027-06-30" in problems[0]
        assert "renew with a new reason or fix the resource" in problems[0]


def test_findings_are_sorted_by_address_then_check_and_unused_come_last():
    other = Finding("failed", DEV, "CKV_AWS_21", "aws_s3_bucket.a", "versioning")
    judged = compare(DEV, [LOGGING, other], [exc(check="CKV_AWS_1")], TODAY)
    assert [(f.status, f.address, f.check) for f in judged] == [
        ("failed", "aws_s3_bucket.a", "CKV_AWS_21"), ("failed", BUCKET, "CKV_AWS_18"), ("unused", BUCKET, "CKV_AWS_1")]


@pytest.mark.parametrize("entry, why", [
    ({k: v for k, v in exc().items() if k != "reason"}, "missing ['reason']"),
    (exc(reason=""), "reason must be a non-empty string"),
    (exc(reason="   "), "reason must be a non-empty string"),
    ({k: v for k, v in exc().items() if k != "expires"}, "missing ['expires']"),
    (exc(expires="2027-02-30"), "expires must be null or YYYY-MM-DD"),
    (exc(expires="30/06/2027"), "expires must be null or YYYY-MM-DD"),
    (exc(expires="20270630"), "expires must be null or YYYY-MM-DD"),
    (exc(expiry="2027-06-30"), "unknown keys ['expiry']"),
    (exc(check=""), "check must be a non-empty string"),
    ("CKV_AWS_18", "must be an object"),
])
def test_malformed_exception_entries(tmp_path, entry, why):
    path = tmp_path / "exceptions.json"
    path.write_text(json.dumps({"exceptions": [entry, exc(check="CKV_AWS_21")]}))
    good, problems = load_exceptions(path)
    assert [e["check"] for e in good] == ["CKV_AWS_21"]
    assert len(problems) == 1 and why in problems[0] and problems[0].startswith("exceptions[0]: ")


@pytest.mark.parametrize("text", ["{not json", "[]", '{"exceptions": {}}', '{"exception": []}'])
def test_malformed_exceptions_file(tmp_path, text):
    path = tmp_path / "exceptions.json"
    path.write_text(text)
    good, problems = load_exceptions(path)
    assert good == [] and len(problems) == 1


def test_duplicate_exception(tmp_path):
    path = tmp_path / "exceptions.json"
    path.write_text(json.dumps({"exceptions": [exc(), exc(reason="again")]}))
    good, problems = load_exceptions(path)
    assert len(good) == 1 and "duplicate" in problems[0]


def test_sanitize_drops_scalar_terraform_settings():
    doc = {"terraform": {"required_version": ">= 1.6", "required_providers": {"aws": {}}}}
    assert gate.sanitize(doc) == {"terraform": {"required_providers": {"aws": {}}}}


DOC = {"provider": {"aws": [{"region": "x"}]},
       "data": {"aws_iam_policy_document": {"p": {"statement": []}}},
       "resource": {"aws_s3_bucket": {"b": {}}, "aws_sqs_queue": {"b": {"name": "q"}}}}


def test_address_index_names_resources_and_data_sources():
    text = json.dumps(DOC, indent=1)
    lines = text.splitlines()
    index = gate.address_index(text)
    assert sorted(index.values()) == ["aws_s3_bucket.b", "aws_sqs_queue.b", "data.aws_iam_policy_document.p"]
    for line, address in index.items():
        assert lines[line - 1].strip().startswith(f'"{address.split(".")[-1]}": {{')


@pytest.mark.parametrize("indent", [1, 2, 4])
def test_block_lines_read_the_file_as_compile_wrote_it(indent):
    text = json.dumps(DOC, indent=indent)
    lines = gate.block_lines(text)
    assert sorted(lines) == ["aws_s3_bucket.b", "aws_sqs_queue.b", "data.aws_iam_policy_document.p"]
    assert text.splitlines()[lines["aws_sqs_queue.b"] - 1] == " " * 3 * indent + '"b": {'


def test_find_checkov_order(tmp_path):
    venv = tmp_path / ".venv-checkov" / "bin" / "checkov"
    venv.parent.mkdir(parents=True)
    venv.write_text("#!/bin/sh\n")
    venv.chmod(0o755)
    other = tmp_path / "other-checkov"
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    env = {"PATH": "", "MLOPS_CHECKOV": str(other)}
    assert gate.find_checkov(sys.executable, env, [tmp_path]) == sys.executable
    assert gate.find_checkov(None, env, [tmp_path]) == str(other)
    assert gate.find_checkov(None, {"PATH": ""}, [tmp_path / "empty", tmp_path]) == str(venv)
    with pytest.raises(gate.UsageError, match=r"checkov not found: .*pip install checkov==3\.3\.30"):
        gate.find_checkov(None, {"PATH": ""}, [tmp_path / "empty"])
    with pytest.raises(gate.UsageError, match="--checkov"):
        gate.find_checkov(str(tmp_path / "nope"), env, [tmp_path])


def test_find_checkov_falls_back_to_path(tmp_path):
    on_path = tmp_path / "bin" / "checkov"
    on_path.parent.mkdir()
    on_path.write_text("#!/bin/sh\n")
    on_path.chmod(0o755)
    assert gate.find_checkov(None, {"PATH": str(on_path.parent)}, [tmp_path / "empty"]) == str(on_path)


def test_find_checkov_looks_beside_the_running_environment_by_default(monkeypatch, tmp_path):
    venv = tmp_path / "project" / ".venv-checkov" / "bin" / "checkov"
    venv.parent.mkdir(parents=True)
    venv.write_text("#!/bin/sh\n")
    venv.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "project" / ".venv"))
    assert gate.find_checkov(None, {"PATH": ""}) == str(venv)


# --- real checkov ------------------------------------------------------------------

# Mixes graph checks (TYPE.NAME) with Python checks that checkov names `resource.NAME`
# and `data.NAME`; the three blocks share the name data_raw on purpose.
EXPECTED = {
    (BUCKET, "CKV_AWS_18"), (BUCKET, "CKV_AWS_21"), (BUCKET, "CKV_AWS_145"), (BUCKET, "CKV2_AWS_6"),
    ("aws_sqs_queue.data_raw", "CKV_AWS_27"),
    ("data.aws_iam_policy_document.data_raw", "CKV_AWS_111"),
}


def insecure_stack(tmp_path) -> Path:
    d = tmp_path / "generated" / "dev"
    d.mkdir(parents=True)
    shutil.copy(CASES / "insecure_stack" / "cdk.tf.json", d / "cdk.tf.json")
    return d


def mlops_gate(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "mlops.cli", "gate", *map(str, args)],
                          capture_output=True, text=True, timeout=600, cwd=cwd)


@pytest.mark.slow  # starts checkov
def test_real_checkov_on_insecure_stack(tmp_path):
    checkov = real_checkov()
    d = insecure_stack(tmp_path)

    report = gate.scan([d], TODAY, checkov)
    line = re.compile(rf"^{re.escape(str(d / 'cdk.tf.json'))}: (\S+): (CKV\S+) .* \(not excepted\)$")
    found = {m.groups() for m in map(line.match, report.problems) if m}
    assert len(found) == len(report.problems), report.problems  # nothing but unexcepted failures
    assert EXPECTED <= found
    assert report.counts["passed"] > 0 and report.counts["failed"] == len(found)
    assert all(f.line is not None for f in report.findings)  # each points at its block in the stack

    (d / "exceptions.json").write_text(json.dumps({"exceptions": [
        exc(check=check, resource=address, reason="test fixture", expires="2099-12-31", declared_by="test")
        for address, check in sorted(found)]}))
    run = mlops_gate(d, "--checkov", checkov)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == (f"mlops gate: 1 stacks, {report.counts['passed']} passed checks, "
                                  f"0 failed, {len(found)} excepted")


@pytest.mark.slow  # starts checkov
def test_real_checkov_findings_as_sarif(tmp_path):
    checkov = real_checkov()
    d = insecure_stack(tmp_path)
    (d / "exceptions.json").write_text(json.dumps({"exceptions": [
        exc(check=check, resource=address, reason="test fixture", expires="2099-12-31", declared_by="test")
        for address, check in sorted(EXPECTED - {(BUCKET, "CKV_AWS_18")})] + [exc(check="CKV_AWS_1")]}))
    run = mlops_gate("generated/dev", "--checkov", checkov, "--format", "sarif", cwd=tmp_path)
    assert run.returncode == 4, run.stdout + run.stderr
    sarif = json.loads(run.stdout)
    assert sarif_schema.errors(sarif) == []
    results = {(r["ruleId"], r["properties"]["status"], r["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"]) for r in sarif["runs"][0]["results"]}
    assert ("CKV_AWS_18", "failed", "generated/dev/cdk.tf.json") in results
    assert ("mlops-gate/unused-exception", "unused", "generated/dev/exceptions.json") in results
    assert {rule for rule, _, _ in results} <= {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
