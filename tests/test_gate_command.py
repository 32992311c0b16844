"""`mlops gate` as a command: exit codes, default stacks, and the text, json and sarif
reports, with a fake checkov that prints a fabricated report (the real one runs in
test_checkov_gate.py and over every committed stack in test_checkov_stacks.py)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sarif_schema
from conftest import ROOT
from mlops.cli import main

BUCKET = "aws_s3_bucket.data_raw"
LOGGING = ("CKV_AWS_18", BUCKET, "Ensure the S3 bucket has access logging enabled")
NAT = ROOT / "modules" / "network" / "cases" / "nat"  # a spec that declares an exception, and its stack
FLOW_LOGS = "aws_cloudwatch_log_group.flow_logs"


def exc(check="CKV_AWS_18", resource=BUCKET, expires=None):
    return {"check": check, "resource": resource, "reason": "log bucket cannot log to itself", "expires": expires,
            "declared_by": "module data"}


def stack(tmp_path, exceptions=None, env="dev"):
    d = tmp_path / "generated" / env
    d.mkdir(parents=True)
    (d / "cdk.tf.json").write_text(json.dumps({"resource": {"aws_s3_bucket": {"data_raw": {}}}}, indent=2))
    if exceptions is not None:
        (d / "exceptions.json").write_text(json.dumps({"exceptions": exceptions}, indent=2))
    return d


def fake_checkov(tmp_path, stdout, rc=1):
    path = tmp_path / "fake-checkov"
    path.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write({stdout!r})\nsys.exit({rc})\n")
    path.chmod(0o755)
    return str(path)


def report(failed=(), passed=1, parsing_errors=(), stacks=1):
    def rec(check, resource, name, stack=0):  # line 1 is "{": no index hit, checkov's name is kept
        return {"check_id": check, "check_name": name, "resource": resource,
                "file_path": f"/s{stack}/cdk.tf.json", "file_line_range": [1, 1]}
    return json.dumps({"check_type": "terraform_json", "results": {
        "passed_checks": [rec("CKV_AWS_20", BUCKET, "no public read", s) for s in range(stacks) for _ in range(passed)],
        "failed_checks": [rec(*f) for f in failed], "skipped_checks": [],
        "parsing_errors": list(parsing_errors)}})


def gate(capsys, *argv):
    rc = main(["gate", *map(str, argv)])
    out, err = capsys.readouterr()
    return rc, out, err


# --- exit codes and the text report -------------------------------------------------

def test_excepted_failure_passes(tmp_path, capsys):
    d = stack(tmp_path, [exc(expires="2027-06-30")])
    rc, out, _ = gate(capsys, d, "--today", "2027-06-30", "--checkov", fake_checkov(tmp_path, report([LOGGING])))
    assert (rc, out) == (0, "mlops gate: 1 stacks, 1 passed checks, 0 failed, 1 excepted\n")


def test_expired_exception_is_a_finding(tmp_path, capsys):
    d = stack(tmp_path, [exc(expires="2027-06-30")])
    rc, out, _ = gate(capsys, d, "--today", "2027-07-01", "--checkov", fake_checkov(tmp_path, report([LOGGING])))
    lines = out.splitlines()
    assert rc == 4
    assert lines[0].startswith(f"{d / 'cdk.tf.json'}: {BUCKET}: CKV_AWS_18 ") and "expired on 2027-06-30" in lines[0]
    assert lines[-1] == "mlops gate: 1 stacks, 1 passed checks, 1 failed, 0 excepted"


def test_unexcepted_and_unused_are_findings(tmp_path, capsys):
    d = stack(tmp_path, [exc(check="CKV_AWS_21")])
    rc, out, _ = gate(capsys, d, "--checkov", fake_checkov(tmp_path, report([LOGGING])))
    assert rc == 4
    assert out.splitlines()[:2] == [
        f"{d / 'cdk.tf.json'}: {BUCKET}: CKV_AWS_18 Ensure the S3 bucket has access logging enabled (not excepted)",
        f"{d / 'exceptions.json'}: {BUCKET}: CKV_AWS_21 unused exception (declared by module data): "
        "checkov does not report it, remove it"]


@pytest.mark.parametrize("stdout, rc, why", [
    ("Traceback (most recent call last):\n  boom\n", 1, "checkov output is not JSON"),
    ("", 2, "checkov crashed (exit 2)"),
    (report(passed=0), 0, "checkov scanned no resources"),
    (report(passed=0, parsing_errors=["/tmp/x/s0/cdk.tf.json"]), 0, "could not parse"),
    (json.dumps({"passed": 0, "failed": 0, "parsing_errors": 0}), 0, "checkov scanned nothing"),
])
def test_checkov_trouble_is_never_a_pass(tmp_path, capsys, stdout, rc, why):
    code, out, _ = gate(capsys, stack(tmp_path), "--checkov", fake_checkov(tmp_path, stdout, rc))
    assert code == 1
    assert why in out, out


def test_a_stack_the_gate_cannot_judge_outweighs_findings(tmp_path, capsys):
    d = stack(tmp_path, [exc(), exc(check="CKV_AWS_21", expires="someday")])
    rc, out, _ = gate(capsys, d, "--checkov", fake_checkov(tmp_path, report([LOGGING, ("CKV_AWS_1", BUCKET, "x")])))
    assert rc == 1
    assert f"{d / 'exceptions.json'}: exceptions[1]: expires must be null or YYYY-MM-DD" in out
    assert "CKV_AWS_1 x (not excepted)" in out


def test_usage_errors_exit_2(tmp_path, capsys, monkeypatch):
    d = stack(tmp_path)
    ok = fake_checkov(tmp_path, report())
    assert gate(capsys, tmp_path / "missing", "--checkov", ok)[0] == 2
    assert gate(capsys, d, "--today", "2027-13-01", "--checkov", ok)[0] == 2
    assert gate(capsys, d, "-f", tmp_path / "nope.yaml", "--checkov", ok)[0] == 2
    monkeypatch.setenv("MLOPS_CHECKOV", str(tmp_path / "nope"))
    rc, out, err = gate(capsys, d)
    assert (rc, out) == (2, "") and "MLOPS_CHECKOV" in err
    monkeypatch.chdir(tmp_path / "generated")  # no generated/ below
    rc, _, err = gate(capsys, "--checkov", ok)
    assert rc == 2 and "no stacks in generated/" in err


def test_missing_checkov_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    d = stack(tmp_path)
    monkeypatch.delenv("MLOPS_CHECKOV", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / ".venv"))
    rc, out, err = gate(capsys, d)
    assert (rc, out) == (2, "")
    assert err.startswith("mlops: checkov not found:") and "pip install checkov==3.3.30" in err


def test_default_is_every_environment_in_generated(tmp_path, capsys, monkeypatch):
    stack(tmp_path, env="dev")
    stack(tmp_path, env="prod")
    (tmp_path / "generated" / "notes").mkdir()  # not a stack: no cdk.tf.json
    monkeypatch.chdir(tmp_path)
    rc, out, _ = gate(capsys, "--checkov", fake_checkov(tmp_path, report(stacks=2)))
    assert (rc, out) == (0, "mlops gate: 2 stacks, 2 passed checks, 0 failed, 0 excepted\n")


def test_the_cli_imports_the_gate_only_when_it_runs():
    code = ("import sys\nfrom mlops.cli import main\n"
            "print(sorted(m for m in sys.modules if m.startswith('mlops.gate') and m != 'mlops.gate_cli'))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "[]", run.stdout + run.stderr


def test_the_old_script_runs_the_command(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("checkov_gate_script", ROOT / "tools" / "checkov_gate.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    d = stack(tmp_path, [])
    assert script.main([str(d), "--checkov", fake_checkov(tmp_path, report([LOGGING]))]) == 4
    assert "(not excepted)" in capsys.readouterr().out
    assert callable(script.find_checkov) and issubclass(script.UsageError, Exception)


# --- json and sarif -------------------------------------------------------------------

def nat_stack(tmp_path, monkeypatch) -> Path:
    """The nat case's spec and its dev stack, laid out as a project: mlops.yaml and generated/dev/."""
    shutil.copy(NAT / "mlops.yaml", tmp_path / "mlops.yaml")
    shutil.copytree(NAT / "expected" / "dev", tmp_path / "generated" / "dev")
    monkeypatch.chdir(tmp_path)
    return Path("generated/dev")


def located(capsys, address: str) -> dict:
    """What `mlops locate` says about an address in dev: the place the gate must agree with."""
    assert main(["locate", address, "--env", "dev", "--format", "json"]) == 0
    (match,) = json.loads(capsys.readouterr().out)["matches"]
    return match


def test_json_report(tmp_path, capsys, monkeypatch):
    d = nat_stack(tmp_path, monkeypatch)
    failed = [("CKV_AWS_18", "aws_s3_bucket.data_raw", "logging"), ("CKV_AWS_1", "aws_vpc.main", "made up")]
    rc, out, err = gate(capsys, "--format", "json", "--checkov", fake_checkov(tmp_path, report(failed)))
    doc = json.loads(out)
    assert (rc, err) == (4, "")
    assert doc["summary"] == {"stacks": 1, "passed": 1, "failed": 2, "excepted": 0}
    assert doc["errors"] == [] and doc["excepted"] == []
    by_check = {f["check"]: f for f in doc["findings"]}
    assert [(f["status"], f["check"]) for f in doc["findings"]] == [
        ("failed", "CKV_AWS_18"), ("failed", "CKV_AWS_1"), ("unused", "CKV_AWS_338"),
        ("unused", "CKV_AWS_109"), ("unused", "CKV_AWS_111"), ("unused", "CKV_AWS_356")]
    assert [f["message"] for f in doc["findings"]][:2] == [
        f"{d / 'cdk.tf.json'}: aws_s3_bucket.data_raw: CKV_AWS_18 logging (not excepted)",
        f"{d / 'cdk.tf.json'}: aws_vpc.main: CKV_AWS_1 made up (not excepted)"]

    vpc = by_check["CKV_AWS_1"]
    assert (vpc["environment"], vpc["address"], vpc["file"]) == ("dev", "aws_vpc.main", str(d / "cdk.tf.json"))
    assert (d / "cdk.tf.json").read_text().splitlines()[vpc["line"] - 1].strip() == '"main": {'
    where = located(capsys, "aws_vpc.main")
    assert vpc["spec"] == {"file": "mlops.yaml", "line": where["line"], "column": where["column"],
                           "path": where["spec_path"]}
    assert by_check["CKV_AWS_18"]["spec"] is None  # not an address of the spec's stack: the stack's own line

    declared = by_check["CKV_AWS_338"]  # by the spec: its entry of `exceptions:`
    spec_line = Path("mlops.yaml").read_text().splitlines().index("  - check: CKV_AWS_338") + 1
    assert (declared["spec"]["line"], declared["spec"]["path"]) == (spec_line, "exceptions[0]")
    by_module = by_check["CKV_AWS_111"]  # by a module: its entry of exceptions.json
    assert by_module["spec"] is None and by_module["file"] == str(d / "exceptions.json")
    entry = (d / "exceptions.json").read_text().splitlines()[by_module["line"] - 1:]
    assert entry[0].strip() == "{" and '"check": "CKV_AWS_111",' in entry[1]


def test_json_lists_excepted_findings_with_their_reasons(tmp_path, capsys, monkeypatch):
    d = stack(tmp_path, [exc()]).relative_to(tmp_path)
    monkeypatch.chdir(tmp_path)  # no mlops.yaml here: findings point at the stack
    rc, out, _ = gate(capsys, d, "--format", "json", "--checkov", fake_checkov(tmp_path, report([LOGGING])))
    doc = json.loads(out)
    assert rc == 0 and doc["findings"] == []
    (one,) = doc["excepted"]
    assert (one["status"], one["exception"]["reason"], one["spec"]) == ("excepted", "log bucket cannot log to itself",
                                                                        None)


def sarif(capsys, *argv) -> tuple[int, dict]:
    rc, out, _ = gate(capsys, *argv, "--format", "sarif")
    doc = json.loads(out)
    assert sarif_schema.errors(doc) == []
    return rc, doc


def test_sarif_points_at_the_spec_line(tmp_path, capsys, monkeypatch):
    nat_stack(tmp_path, monkeypatch)
    rc, doc = sarif(capsys, "--checkov", fake_checkov(tmp_path, report([("CKV_AWS_1", "aws_vpc.main", "made up")])))
    assert rc == 4
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["CKV_AWS_1", "CKV_AWS_20", "mlops-gate/unused-exception"]
    assert all(r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"] for r in rules)
    vpc, unused = run["results"][:2]  # then the module's exceptions nothing matched
    assert [r["ruleId"] for r in run["results"][2:]] == ["mlops-gate/unused-exception"] * 3
    assert rules[vpc["ruleIndex"]]["id"] == vpc["ruleId"] == "CKV_AWS_1" and vpc["level"] == "error"
    where = located(capsys, "aws_vpc.main")
    physical = vpc["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "mlops.yaml"},
                        "region": {"startLine": where["line"], "startColumn": where["column"]}}
    assert vpc["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "generated/dev/cdk.tf.json"
    assert vpc["message"]["text"] == "dev: aws_vpc.main fails CKV_AWS_1 (made up): not excepted"
    assert rules[unused["ruleIndex"]]["id"] == unused["ruleId"] == "mlops-gate/unused-exception"
    assert unused["locations"][0]["physicalLocation"]["region"]["startLine"] == \
        Path("mlops.yaml").read_text().splitlines().index("  - check: CKV_AWS_338") + 1
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_without_a_spec_points_at_the_stack(tmp_path, capsys, monkeypatch):
    d = stack(tmp_path, [exc(check="CKV_AWS_21")])
    monkeypatch.chdir(tmp_path)
    rc, doc = sarif(capsys, "--checkov", fake_checkov(tmp_path, report([LOGGING])))
    assert rc == 4
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]]
    assert uris == ["generated/dev/cdk.tf.json", "generated/dev/exceptions.json"]
    assert "relatedLocations" not in doc["runs"][0]["results"][0]
    assert d.is_dir()


def test_sarif_of_a_clean_run_has_no_results_but_every_rule(tmp_path, capsys, monkeypatch):
    d = stack(tmp_path, [exc()])
    monkeypatch.chdir(tmp_path)
    rc, doc = sarif(capsys, d, "--checkov", fake_checkov(tmp_path, report([LOGGING])))
    (run,) = doc["runs"]
    assert rc == 0 and run["results"] == []
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"CKV_AWS_18", "CKV_AWS_20"}


def test_sarif_reports_errors_as_a_failed_invocation(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, doc = sarif(capsys, stack(tmp_path), "--checkov", fake_checkov(tmp_path, "", 2))
    (invocation,) = doc["runs"][0]["invocations"]
    assert rc == 1 and invocation["executionSuccessful"] is False
    assert "checkov crashed (exit 2)" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_an_invalid_spec_leaves_locations_in_the_stack(tmp_path, capsys, monkeypatch):
    nat_stack(tmp_path, monkeypatch)
    Path("mlops.yaml").write_text(Path("mlops.yaml").read_text() + "bogus: 1\n")
    rc, out, err = gate(capsys, "--format", "json", "--checkov", fake_checkov(tmp_path, report()))
    assert rc == 4 and "mlops.yaml does not validate" in err
    assert [f["spec"] for f in json.loads(out)["findings"]] == [None] * 4  # the unused exceptions


@pytest.mark.parametrize("breakage", ["level", "version", "region"])
def test_the_schema_check_can_fail(tmp_path, capsys, monkeypatch, breakage):
    d = stack(tmp_path, [])
    monkeypatch.chdir(tmp_path)
    _, out, _ = gate(capsys, d, "--format", "sarif", "--checkov", fake_checkov(tmp_path, report([LOGGING])))
    doc = json.loads(out)
    result = doc["runs"][0]["results"][0]
    if breakage == "level":
        result["level"] = "fatal"
    elif breakage == "version":
        doc["version"] = "2.0.0"
    else:
        result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert sarif_schema.errors(doc) != []
