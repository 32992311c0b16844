"""tools/checkov_gate.py: comparison logic on fabricated checkov results, and one real
checkov run on a hand-written insecure stack (tests/checkov_gate_cases/)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checkov_support import SCRIPT, gate, real_checkov

CASES = Path(__file__).resolve().parent / "checkov_gate_cases"

TODAY = dt.date(2026, 6, 1)
BUCKET = "aws_s3_bucket.data_raw"
LOGGING = ("CKV_AWS_18", BUCKET, "Ensure the S3 bucket has access logging enabled")


def exc(check="CKV_AWS_18", resource=BUCKET, reason="log bucket cannot log to itself",
        expires=None, declared_by="module data", **extra):
    return {"check": check, "resource": resource, "reason": reason, "expires": expires,
            "declared_by": declared_by, **extra}


# --- comparison logic --------------------------------------------------------------

def test_excepted_failure_is_ok():
    problems, excepted = gate.compare("c", "e", [LOGGING], [exc()], TODAY)
    assert (problems, excepted) == ([], 1)


def test_unexcepted_failure_fails():
    problems, excepted = gate.compare("generated/dev/cdk.tf.json", "e", [LOGGING], [], TODAY)
    assert problems == ["generated/dev/cdk.tf.json: aws_s3_bucket.data_raw: CKV_AWS_18 "
                        "Ensure the S3 bucket has access logging enabled (not excepted)"]
    assert excepted == 0


def test_exception_for_other_resource_does_not_cover():
    problems, _ = gate.compare("c", "e", [LOGGING], [exc(resource="aws_s3_bucket.other")], TODAY)
    assert any("(not excepted)" in p for p in problems)
    assert any("unused exception" in p and "aws_s3_bucket.other" in p for p in problems)


def test_unused_exception_fails():
    problems, _ = gate.compare("c", "generated/dev/exceptions.json", [], [exc()], TODAY)
    assert len(problems) == 1
    assert problems[0].startswith("generated/dev/exceptions.json: aws_s3_bucket.data_raw: CKV_AWS_18 unused")
    assert "remove it" in problems[0]


@pytest.mark.parametrize("today, ok", [(dt.date(2027, 6, 30), True), (dt.date(2027, 7, 1), False)])
def test_expiry_is_inclusive(today, ok):
    problems, excepted = gate.compare("c", "e", [LOGGING], [exc(expires="2027-06-30")], today)
    assert (not problems, excepted) == (ok, int(ok))
    if not ok:
        assert "expired on 2027-06-30" in problems[0]
        assert "renew with a new reason or fix the resource" in problems[0]


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
    good, problems = gate.load_exceptions(path)
    assert [e["check"] for e in good] == ["CKV_AWS_21"]
    assert len(problems) == 1 and why in problems[0] and "exceptions[0]" in problems[0]


@pytest.mark.parametrize("text", ["{not json", "[]", '{"exceptions": {}}', '{"exception": []}'])
def test_malformed_exceptions_file(tmp_path, text):
    path = tmp_path / "exceptions.json"
    path.write_text(text)
    good, problems = gate.load_exceptions(path)
    assert good == [] and len(problems) == 1


def test_duplicate_exception(tmp_path):
    path = tmp_path / "exceptions.json"
    path.write_text(json.dumps({"exceptions": [exc(), exc(reason="again")]}))
    good, problems = gate.load_exceptions(path)
    assert len(good) == 1 and "duplicate" in problems[0]


def test_sanitize_drops_scalar_terraform_settings():
    doc = {"terraform": {"required_version": ">= 1.6", "required_providers": {"aws": {}}}}
    assert gate.sanitize(doc) == {"terraform": {"required_providers": {"aws": {}}}}


def test_address_index_names_resources_and_data_sources():
    doc = {"provider": {"aws": [{"region": "x"}]},
           "data": {"aws_iam_policy_document": {"p": {"statement": []}}},
           "resource": {"aws_s3_bucket": {"b": {}}, "aws_sqs_queue": {"b": {"name": "q"}}}}
    text = json.dumps(doc, indent=1)
    lines = text.splitlines()
    index = gate.address_index(text)
    assert sorted(index.values()) == ["aws_s3_bucket.b", "aws_sqs_queue.b", "data.aws_iam_policy_document.p"]
    for line, address in index.items():
        assert lines[line - 1].strip().startswith(f'"{address.split(".")[-1]}": {{')


# --- whole gate with a fake checkov (fabricated reports, crashes) -------------------

def stack(tmp_path, exceptions=None):
    d = tmp_path / "generated" / "dev"
    d.mkdir(parents=True)
    (d / "cdk.tf.json").write_text(json.dumps({"resource": {"aws_s3_bucket": {"data_raw": {}}}}))
    if exceptions is not None:
        (d / "exceptions.json").write_text(json.dumps({"exceptions": exceptions}))
    return d


def fake_checkov(tmp_path, stdout, rc=1):
    path = tmp_path / "fake-checkov"
    path.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write({stdout!r})\nsys.exit({rc})\n")
    path.chmod(0o755)
    return str(path)


def report(failed=(), passed=1, parsing_errors=()):
    def rec(check, resource, name):  # line 1 is "{": no index hit, checkov's name is kept
        return {"check_id": check, "check_name": name, "resource": resource,
                "file_path": "/s0/cdk.tf.json", "file_line_range": [1, 1]}
    return json.dumps({"check_type": "terraform_json", "results": {
        "passed_checks": [rec("CKV_AWS_20", BUCKET, "no public read")] * passed,
        "failed_checks": [rec(*f) for f in failed], "skipped_checks": [],
        "parsing_errors": list(parsing_errors)}})


def run_main(capsys, *argv):
    rc = gate.main([str(a) for a in argv])
    return rc, capsys.readouterr().out.splitlines()


def test_main_excepted_failure_passes(tmp_path, capsys):
    d = stack(tmp_path, [exc(expires="2027-06-30")])
    rc, out = run_main(capsys, d, "--today", "2027-06-30", "--checkov", fake_checkov(tmp_path, report([LOGGING])))
    assert (rc, out) == (0, ["checkov gate: 1 stacks, 1 passed checks, 0 failed, 1 excepted"])


def test_main_expired_exception_fails_with_today(tmp_path, capsys):
    d = stack(tmp_path, [exc(expires="2027-06-30")])
    rc, out = run_main(capsys, d, "--today", "2027-07-01", "--checkov", fake_checkov(tmp_path, report([LOGGING])))
    assert rc == 1
    assert out[0].startswith(f"{d / 'cdk.tf.json'}: {BUCKET}: CKV_AWS_18 ")
    assert "expired on 2027-06-30" in out[0]
    assert out[-1] == "checkov gate: 1 stacks, 1 passed checks, 1 failed, 0 excepted"


def test_main_unexcepted_and_unused(tmp_path, capsys):
    d = stack(tmp_path, [exc(check="CKV_AWS_21")])
    rc, out = run_main(capsys, d, "--checkov", fake_checkov(tmp_path, report([LOGGING])))
    assert rc == 1
    assert any(line.endswith("(not excepted)") for line in out)
    assert any("exceptions.json: aws_s3_bucket.data_raw: CKV_AWS_21 unused exception" in line for line in out)


@pytest.mark.parametrize("stdout, rc, why", [
    ("Traceback (most recent call last):\n  boom\n", 1, "checkov output is not JSON"),
    ("", 2, "checkov crashed (exit 2)"),
    (report(passed=0), 0, "checkov scanned no resources"),
    (report(passed=0, parsing_errors=["/tmp/x/s0/cdk.tf.json"]), 0, "could not parse"),
    (json.dumps({"passed": 0, "failed": 0, "parsing_errors": 0}), 0, "checkov scanned nothing"),
])
def test_checkov_trouble_is_never_a_pass(tmp_path, capsys, stdout, rc, why):
    code, out = run_main(capsys, stack(tmp_path), "--checkov", fake_checkov(tmp_path, stdout, rc))
    assert code == 1
    assert any(why in line for line in out), out


def test_usage_errors_exit_2(tmp_path, capsys, monkeypatch):
    d = stack(tmp_path)
    assert gate.main([str(tmp_path / "missing")]) == 2
    assert gate.main([str(d), "--today", "2027-13-01", "--checkov", sys.executable]) == 2
    monkeypatch.setenv("MLOPS_CHECKOV", str(tmp_path / "nope"))
    assert gate.main([str(d)]) == 2
    assert "MLOPS_CHECKOV" in capsys.readouterr().err


def test_find_checkov_order(tmp_path):
    venv = tmp_path / ".venv-checkov" / "bin" / "checkov"
    venv.parent.mkdir(parents=True)
    venv.write_text("#!/bin/sh\n")
    venv.chmod(0o755)
    other = tmp_path / "other-checkov"
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    env = {"PATH": "", "MLOPS_CHECKOV": str(other)}
    assert gate.find_checkov(sys.executable, env, tmp_path) == sys.executable
    assert gate.find_checkov(None, env, tmp_path) == str(other)
    assert gate.find_checkov(None, {"PATH": ""}, tmp_path) == str(venv)
    with pytest.raises(gate.UsageError, match="checkov not found"):
        gate.find_checkov(None, {"PATH": ""}, tmp_path / "empty")
    with pytest.raises(gate.UsageError, match="--checkov"):
        gate.find_checkov(str(tmp_path / "nope"), env, tmp_path)


# --- real checkov ------------------------------------------------------------------

# Mixes graph checks (TYPE.NAME) with Python checks that checkov names `resource.NAME`
# and `data.NAME`; the three blocks share the name data_raw on purpose.
EXPECTED = {
    (BUCKET, "CKV_AWS_18"), (BUCKET, "CKV_AWS_21"), (BUCKET, "CKV_AWS_145"), (BUCKET, "CKV2_AWS_6"),
    ("aws_sqs_queue.data_raw", "CKV_AWS_27"),
    ("data.aws_iam_policy_document.data_raw", "CKV_AWS_111"),
}


@pytest.mark.slow  # starts checkov
def test_real_checkov_on_insecure_stack(tmp_path):
    checkov = real_checkov()
    d = tmp_path / "generated" / "dev"
    d.mkdir(parents=True)
    shutil.copy(CASES / "insecure_stack" / "cdk.tf.json", d / "cdk.tf.json")

    problems, counts = gate.gate([d], TODAY, checkov)
    line = re.compile(rf"^{re.escape(str(d / 'cdk.tf.json'))}: (\S+): (CKV\S+) .* \(not excepted\)$")
    found = {m.groups() for m in map(line.match, problems) if m}
    assert len(found) == len(problems), problems  # nothing but unexcepted failures
    assert EXPECTED <= found
    assert counts["passed"] > 0 and counts["failed"] == len(found)

    (d / "exceptions.json").write_text(json.dumps({"exceptions": [
        exc(check=check, resource=address, reason="test fixture", expires="2099-12-31", declared_by="test")
        for address, check in sorted(found)]}))
    run = subprocess.run([sys.executable, str(SCRIPT), str(d), "--checkov", checkov],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == (f"checkov gate: 1 stacks, {counts['passed']} passed checks, "
                                  f"0 failed, {len(found)} excepted")
