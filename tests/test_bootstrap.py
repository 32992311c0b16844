"""`mlops bootstrap` against AWS in moto's server on 127.0.0.1: it creates the state
bucket and the deploy role as the README says, a second run changes nothing and says
so, --dry-run makes no call that writes, and an existing weaker bucket is reported and
left exactly as it was."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from aws_server import CREDENTIALS

ACCOUNT = "123456789012"  # moto's
SPEC = f"""\
project: shop
region: eu-west-1
state: {{bucket: BUCKET}}
ci: {{github: {{repository: acme/shop-ml}}}}
environments:
  dev: {{account: "{ACCOUNT}", role: shop-deploy}}
network: {{cidr: 10.20.0.0/16}}
"""

pytestmark = pytest.mark.slow  # moto's server and a CLI process per run


def _run(tmp_path: Path, endpoint: str, bucket: str, *args: str) -> subprocess.CompletedProcess:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(SPEC.replace("BUCKET", bucket))
    env = {"PATH": "/usr/bin", **CREDENTIALS, "AWS_ENDPOINT_URL": endpoint}
    return subprocess.run([sys.executable, "-m", "mlops.cli", "bootstrap", "--env", "dev", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)


def _clients(endpoint: str):
    kw = {"endpoint_url": endpoint, "region_name": "eu-west-1", "aws_access_key_id": "testing",
          "aws_secret_access_key": "testing"}
    return boto3.client("s3", **kw), boto3.client("iam", **kw)


def test_creates_then_changes_nothing(tmp_path: Path, aws_endpoint: str):
    s3, iam = _clients(aws_endpoint)
    first = _run(tmp_path, aws_endpoint, "shop-tfstate-a")
    assert first.returncode == 0, first.stderr
    assert "call: s3.create_bucket(" in first.stdout and "call: iam.create_role(" in first.stdout
    assert s3.get_bucket_versioning(Bucket="shop-tfstate-a")["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket="shop-tfstate-a")["PublicAccessBlockConfiguration"]
    assert all(block.values())
    policy = json.loads(s3.get_bucket_policy(Bucket="shop-tfstate-a")["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    rules = s3.get_bucket_lifecycle_configuration(Bucket="shop-tfstate-a")["Rules"]
    assert rules[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90
    role = iam.get_role(RoleName="shop-deploy")["Role"]
    trust = role["AssumeRolePolicyDocument"]
    subjects = trust["Statement"][0]["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"]
    # Only jobs of the GitHub environment: no pull request, no branch outside its protection.
    assert subjects == ["repo:acme/shop-ml:environment:dev"]
    providers = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert any(p["Arn"].endswith("oidc-provider/token.actions.githubusercontent.com") for p in providers)

    second = _run(tmp_path, aws_endpoint, "shop-tfstate-a")
    assert second.returncode == 0, second.stderr
    assert "call:" not in second.stdout
    assert "nothing to create; nothing changed" in second.stdout


def test_dry_run_makes_no_call_that_writes(tmp_path: Path, aws_endpoint: str):
    s3, iam = _clients(aws_endpoint)
    done = _run(tmp_path, aws_endpoint, "shop-tfstate-dry", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "would call: s3.create_bucket(" in done.stdout
    assert "shop-tfstate-dry" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_an_existing_weaker_bucket_is_reported_and_left_alone(tmp_path: Path, aws_endpoint: str):
    s3, _ = _clients(aws_endpoint)
    s3.create_bucket(Bucket="shop-tfstate-weak", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    done = _run(tmp_path, aws_endpoint, "shop-tfstate-weak")
    assert done.returncode == 1
    assert "state bucket shop-tfstate-weak exists without versioning, a full public access block" in done.stderr
    assert "get_bucket_versioning" not in done.stdout
    assert s3.get_bucket_versioning(Bucket="shop-tfstate-weak").get("Status") is None  # not changed
    assert "s3.put_" not in done.stdout


def test_an_existing_role_that_trusts_more_is_reported_and_nothing_is_created(tmp_path: Path, aws_endpoint: str):
    s3, iam = _clients(aws_endpoint)
    loose = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
             "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
             "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}}]}
    iam.create_role(RoleName="shop-deploy-loose", AssumeRolePolicyDocument=json.dumps(loose))
    spec = SPEC.replace("role: shop-deploy", "role: shop-deploy-loose").replace("BUCKET", "shop-tfstate-loose")
    (tmp_path / "mlops.yaml").write_text(spec)
    env = {"PATH": "/usr/bin", **CREDENTIALS, "AWS_ENDPOINT_URL": aws_endpoint}
    done = subprocess.run([sys.executable, "-m", "mlops.cli", "bootstrap", "--env", "dev"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "role shop-deploy-loose exists without exactly the trust mlops gives it" in done.stderr
    assert "not called (fix the problems first): s3.create_bucket(" in done.stdout
    assert "shop-tfstate-loose" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_credentials_of_another_account_are_refused(tmp_path: Path, aws_endpoint: str):
    spec = SPEC.replace(ACCOUNT, "999999999999")
    (tmp_path / "mlops.yaml").write_text(spec.replace("BUCKET", "shop-tfstate-x"))
    env = {"PATH": "/usr/bin", **CREDENTIALS, "AWS_ENDPOINT_URL": aws_endpoint}
    done = subprocess.run([sys.executable, "-m", "mlops.cli", "bootstrap", "--env", "dev"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert f"the credentials are for account {ACCOUNT}, not dev's 999999999999" in done.stderr
