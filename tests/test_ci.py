"""`mlops ci github|gitlab` writes workflows that the CI systems accept (their schemas,
as check-jsonschema vendors them), that a workflow linter finds nothing in (zizmor,
offline), and that do what the README says: check, then plan every environment on a
pull request, apply them in order on the main branch, prod behind its environment, OIDC
credentials only."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from mlops.cli import main

BIN = Path(sys.executable).parent
INSTALL = "mlops @ git+https://github.com/acme/mlops@0123456789abcdef0123456789abcdef01234567"


def _write(tmp_path: Path, system: str) -> Path:
    out = tmp_path / ("mlops.yml" if system == "github" else ".gitlab-ci.yml")
    assert main(["ci", system, "-f", str(ROOT / "mlops.yaml"), "-o", str(out), "--install", INSTALL]) == 0
    return out


@pytest.mark.slow  # check-jsonschema and zizmor are processes
@pytest.mark.parametrize("system, schema", [("github", "vendor.github-workflows"), ("gitlab", "vendor.gitlab-ci")])
def test_the_workflow_passes_its_ci_systems_schema(tmp_path: Path, system: str, schema: str):
    out = _write(tmp_path, system)
    done = subprocess.run([BIN / "check-jsonschema", "--builtin-schema", schema, str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_the_github_workflow_has_no_linter_findings(tmp_path: Path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy(_write(tmp_path, "github"), workflows / "mlops.yml")
    done = subprocess.run([BIN / "zizmor", "--offline", "--no-progress", str(workflows / "mlops.yml")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_github_plans_every_environment_and_applies_them_in_order(tmp_path: Path):
    flow = yaml.safe_load(_write(tmp_path, "github").read_text())
    jobs = flow["jobs"]
    assert sorted(jobs) == ["apply-dev", "apply-prod", "check", "plan-dev", "plan-prod"]
    assert jobs["apply-dev"]["needs"] == "check" and jobs["apply-prod"]["needs"] == "apply-dev"
    assert jobs["apply-prod"]["environment"] == "prod"
    assert jobs["plan-prod"]["environment"] == "prod"  # the role trusts only jobs of its environment
    assert flow["permissions"] == {"contents": "read"}
    for name in ("plan-prod", "apply-prod"):
        assert jobs[name]["permissions"]["id-token"] == "write"
        credentials = [s for s in jobs[name]["steps"] if "configure-aws-credentials" in s.get("uses", "")]
        assert credentials[0]["with"]["role-to-assume"] == "arn:aws:iam::222222222222:role/mlops-deploy"
    runs = [s.get("run", "") for s in jobs["check"]["steps"]]
    for command in ("mlops validate", "mlops compile --check", "mlops diff", "mlops gate"):
        assert any(command in run for run in runs), command
    text = (tmp_path / "mlops.yml").read_text()
    assert "secrets." not in text and "aws-access-key-id" not in text
    assert f"pip install '{INSTALL}'" in text
    plan = [s for s in jobs["plan-dev"]["steps"] if "terraform -chdir=generated/dev plan" in s.get("run", "")][0]
    assert plan["shell"] == "bash"  # pipefail: a failed plan is not hidden by tee


def test_gitlab_applies_in_order_and_waits_for_someone_before_the_last(tmp_path: Path):
    flow = yaml.safe_load(_write(tmp_path, "gitlab").read_text())
    assert flow["apply-prod"]["needs"] == ["apply-dev"]
    assert flow["apply-prod"]["rules"][0]["when"] == "manual"
    assert "when" not in flow["apply-dev"]["rules"][0]
    assert flow["plan-dev"]["id_tokens"] == {"AWS_TOKEN": {"aud": "sts.amazonaws.com"}}
    assert flow["plan-dev"]["rules"] == [{"if": '$CI_COMMIT_BRANCH == "main"'}]  # the only ref the role trusts


def test_an_environment_without_a_role_cannot_be_deployed_by_ci(tmp_path: Path, capsys):
    from mlops.starter import Answers, render

    spec = tmp_path / "mlops.yaml"  # a platform without models, whose environments need no role
    spec.write_text(render(Answers("acme-ml", "eu-west-1", (("dev", "111111111111"),), "none"), "s.json")
                    .replace(", role: mlops-deploy", ""))
    assert main(["ci", "github", "-f", str(spec), "-o", str(tmp_path / "w.yml"), "--install", INSTALL]) == 1
    assert "dev names none; set environments.<env>.role" in capsys.readouterr().err
    assert not (tmp_path / "w.yml").exists()


def test_the_ci_system_and_branch_are_the_ones_the_roles_trust(tmp_path: Path, capsys):
    spec = tmp_path / "mlops.yaml"
    spec.write_text((ROOT / "mlops.yaml").read_text() + "ci: {github: {repository: acme/ml, branch: release}}\n")
    out = tmp_path / "w.yml"
    assert main(["ci", "gitlab", "-f", str(spec), "-o", str(out), "--install", INSTALL]) == 1
    assert "names github, whose identity the roles trust, not gitlab" in capsys.readouterr().err
    assert main(["ci", "github", "-f", str(spec), "-o", str(out), "--install", INSTALL, "--branch", "main"]) == 1
    assert main(["ci", "github", "-f", str(spec), "-o", str(out), "--install", INSTALL]) == 0
    assert "branches: [release]" in out.read_text()
