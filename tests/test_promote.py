"""`mlops versions` and `mlops promote` against a registry in moto's server on 127.0.0.1.

The registry holds approved, pending, rejected, below-the-gate and unevaluated versions,
each made by a training job that reported its metrics; promote must refuse all but the
approved one whose job's metric passes the model's gate, rewrite only the
one line of mlops.yaml (comments and layout kept), print the change with --dry-run
and write nothing then, and leave the file untouched whenever it refuses.
"""

from __future__ import annotations

import json
import subprocess
import sys

import boto3
import pytest

from aws_server import CREDENTIALS

# moto's server, and the CLI in a new Python process for each command.
pytestmark = pytest.mark.slow

ACCOUNT = "123456789012"  # moto's account
SPEC = f"""\
# The team's spec: comments and layout must survive a promotion.
project: shop
region: eu-west-1
state: {{bucket: shop-tfstate}}
environments:
  dev:
    account: "{ACCOUNT}"   # the training account
    role: mlops-deploy
  prod: {{account: "{ACCOUNT}", role: mlops-deploy, overrides: {{network: {{cidr: 10.21.0.0/16}}}}}}
data:
  buckets:
    raw: {{}}
    artifacts: {{}}
  datasets:
    sales: {{bucket: raw, prefix: sales/}}
    sales-validation: {{bucket: raw, prefix: validation/}}
network: {{cidr: 10.20.0.0/16}}
workspace: {{}}
models:
  churn:
    training:
      algorithm: xgboost
      version: "1.7-1"
      input: sales
      validation: sales-validation
      instance_type: ml.m5.xlarge
    evaluation: {{metric: "validation:auc", min: 0.8}}   # the gate
    endpoint: {{instance_type: ml.m5.large}}   # served once a version is promoted
"""
GROUP = "shop-prod-churn"  # each environment trains into its own registry
# version: (status, validation:auc its training job reported; None: a job that did not report it)
VERSIONS = {1: ("Approved", 0.91), 2: ("PendingManualApproval", 0.93), 3: ("Rejected", 0.95),
            4: ("Approved", 0.75), 5: ("Approved", None)}


@pytest.fixture(scope="module")
def registry(aws_endpoint):
    """Two groups (dev's and prod's), each version's artifact made by a training job that
    reported the metric given in VERSIONS, as SageMaker records it."""
    env = {**CREDENTIALS, "AWS_ENDPOINT_URL": aws_endpoint}
    client = boto3.client("sagemaker", region_name="eu-west-1", endpoint_url=aws_endpoint,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    for group in (GROUP, "shop-dev-churn"):
        client.create_model_package_group(ModelPackageGroupName=group)
        for number, (status, auc) in VERSIONS.items():
            artifact = _training_job(client, f"{group}-{number}", {"validation:auc": auc} if auc else {})
            created = client.create_model_package(
                ModelPackageGroupName=group, ModelApprovalStatus=status,
                InferenceSpecification={"Containers": [{"Image": f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/x:1",
                                                        "ModelDataUrl": artifact}],
                                        "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]})
            assert created["ModelPackageArn"].endswith(f"/{number}")
    return env


def _training_job(client, name: str, metrics: dict[str, float]) -> str:
    """A completed training job that reported `metrics`; its model artifact's S3 URI.
    moto runs in this process: the metrics are set where its job keeps them, as the
    training container's log lines would have made SageMaker record them."""
    client.create_training_job(
        TrainingJobName=name, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/training",
        AlgorithmSpecification={"TrainingImage": "x:1", "TrainingInputMode": "File"},
        OutputDataConfig={"S3OutputPath": "s3://shop-dev-artifacts/models/churn/training"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        StoppingCondition={"MaxRuntimeInSeconds": 3600})
    from moto.sagemaker.models import sagemaker_backends

    job = sagemaker_backends[ACCOUNT]["eu-west-1"].training_jobs[name]
    job.final_metric_data_list = [{"MetricName": k, "Value": v, "Timestamp": job.creation_time}
                                  for k, v in {"train:progress": 100.0, **metrics}.items()]
    return client.describe_training_job(TrainingJobName=name)["ModelArtifacts"]["S3ModelArtifacts"]


def _mlops(tmp_path, env, *args):
    return subprocess.run([sys.executable, "-m", "mlops.cli", *args], cwd=tmp_path, env={"PATH": "/usr/bin", **env},
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "mlops.yaml"
    path.write_text(SPEC)
    return path


def test_versions_lists_each_version_with_its_status_and_metric(registry, spec, tmp_path):
    done = _mlops(tmp_path, registry, "versions", "churn")
    assert done.returncode == 1 and "more than one environment trains models; choose one with --env" in done.stderr
    done = _mlops(tmp_path, registry, "versions", "churn", "--env", "prod")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"{GROUP} (prod: account {ACCOUNT}, eu-west-1)"
    table = {line.split()[0]: line.split() for line in lines[2:]}
    assert [table[str(n)][1] for n in (5, 4, 3, 2, 1)] == [VERSIONS[n][0] for n in (5, 4, 3, 2, 1)]
    assert table["1"][4] == "validation:auc=0.91" and table["5"][4] == "-"
    listed = json.loads(_mlops(tmp_path, registry, "versions", "churn", "--env", "prod", "--format", "json").stdout)
    assert [v["version"] for v in listed["versions"]] == [5, 4, 3, 2, 1]
    assert listed["gate_metric"] == "validation:auc"
    assert listed["versions"][-1]["training_job"] == f"{GROUP}-1"
    assert listed["versions"][-1]["metrics"] == {"train:progress": 100.0, "validation:auc": 0.91}


def test_promote_rewrites_one_line_and_keeps_comments(registry, spec, tmp_path):
    done = _mlops(tmp_path, registry, "promote", "churn", "1", "--to", "prod")
    assert done.returncode == 0, done.stderr
    after = spec.read_text()
    assert after == SPEC.replace(
        'overrides: {network: {cidr: 10.21.0.0/16}}}',
        'overrides: {network: {cidr: 10.21.0.0/16}, models: {churn: {endpoint: {model_version: 1}}}}}')
    # Promoting again changes that value in place, and nothing else.
    assert _mlops(tmp_path, registry, "promote", "churn", "1", "--to", "prod").stdout.startswith("prod already serves")
    assert _mlops(tmp_path, registry, "validate").returncode == 0


def test_promote_into_a_block_environment_adds_its_override_lines(registry, spec, tmp_path):
    done = _mlops(tmp_path, registry, "promote", "churn", "1", "--to", "dev")
    assert done.returncode == 0, done.stderr
    assert spec.read_text() == SPEC.replace(
        "    role: mlops-deploy\n  prod",
        "    role: mlops-deploy\n    overrides:\n      models:\n        churn:\n          endpoint: {model_version: 1}\n  prod")


def test_dry_run_prints_the_change_and_writes_nothing(registry, spec, tmp_path):
    done = _mlops(tmp_path, registry, "promote", "churn", "1", "--to", "prod", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "+  prod: {account" in done.stdout and "model_version: 1" in done.stdout
    assert spec.read_text() == SPEC


@pytest.mark.parametrize("version, reason", [
    (2, "its approval status is PendingManualApproval; only Approved versions are promoted"),
    (3, "its approval status is Rejected"),
    (4, "validation:auc was 0.75, below the gate's minimum of 0.8"),
    (5, f"validation:auc, the model's gate, is not among the metrics of training job {GROUP}-5"),
    (9, "shop-prod-churn has no version 9"),
])
def test_promote_refuses_and_leaves_the_file_untouched(registry, spec, tmp_path, version, reason):
    done = _mlops(tmp_path, registry, "promote", "churn", str(version), "--to", "prod")
    assert done.returncode == 1
    assert reason in done.stderr
    assert spec.read_text() == SPEC


def test_a_typo_in_the_model_or_environment_names_the_choices(registry, spec, tmp_path):
    done = _mlops(tmp_path, registry, "promote", "chrun", "1", "--to", "prod")
    assert done.returncode == 1 and "no model named 'chrun' in prod (did you mean 'churn'?)" in done.stderr
    done = _mlops(tmp_path, registry, "promote", "churn", "1", "--to", "prd")
    assert done.returncode == 1 and "no environment named 'prd' (did you mean 'prod'?)" in done.stderr
    assert spec.read_text() == SPEC


def test_an_unreachable_registry_is_an_error_not_a_traceback(spec, tmp_path):
    env = {**CREDENTIALS, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}
    done = _mlops(tmp_path, env, "promote", "churn", "1", "--to", "prod")
    assert done.returncode == 1
    assert done.stderr.startswith("mlops: cannot read the registry of prod: ") and "Traceback" not in done.stderr
    assert spec.read_text() == SPEC



def test_a_serving_environment_promotes_a_version_of_the_training_registry(registry, spec, tmp_path):
    """prod serves dev's versions (serves_from): promote and versions ask dev's group,
    and the override pinned is prod's."""
    served = SPEC.replace("role: mlops-deploy, overrides:", "role: mlops-deploy, serves_from: dev, overrides:")
    assert served != SPEC
    spec.write_text(served)
    done = _mlops(tmp_path, registry, "promote", "churn", "4", "--to", "prod")
    assert done.returncode == 1 and "validation:auc was 0.75" in done.stderr and spec.read_text() == served
    done = _mlops(tmp_path, registry, "promote", "churn", "1", "--to", "prod")
    assert done.returncode == 0, done.stderr
    assert "model-package/shop-dev-churn/1" in done.stdout
    assert "models: {churn: {endpoint: {model_version: 1}}}" in spec.read_text()
    listed = _mlops(tmp_path, registry, "versions", "churn")  # only dev trains now
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("shop-dev-churn (dev: account") and listed.stdout.splitlines()[-1].endswith("prod")


def test_a_model_without_an_endpoint_is_not_given_one_by_promote(registry, tmp_path):
    spec = tmp_path / "mlops.yaml"
    text = SPEC.replace("    endpoint: {instance_type: ml.m5.large}   # served once a version is promoted\n", "")
    spec.write_text(text)
    done = _mlops(tmp_path, registry, "promote", "churn", "1", "--to", "prod")
    assert done.returncode == 1
    assert "churn has no endpoint in prod: promote sets the version an endpoint serves" in done.stderr
    assert spec.read_text() == text
