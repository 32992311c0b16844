"""The evaluation report script (modules/models/scripts/evaluation_report.py) runs as
AWS would run it, `python3 evaluation_report.py` in a processing container, against
SageMaker served by moto on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources

import boto3
import pytest
from aws_server import CREDENTIALS

SCRIPT = resources.files("mlops_modules.models.scripts").joinpath("evaluation_report.py")


@pytest.fixture(scope="module")
def training_job(aws_endpoint) -> str:
    """A training job as SageMaker describes it once it has finished."""
    client = boto3.client("sagemaker", endpoint_url=aws_endpoint, **_boto(CREDENTIALS))
    client.create_training_job(
        TrainingJobName="pipelines-abc123-Train-x1",
        AlgorithmSpecification={"TrainingImage": "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                                "TrainingInputMode": "File"},
        RoleArn="arn:aws:iam::123456789012:role/training",
        OutputDataConfig={"S3OutputPath": "s3://artifacts/models/m/training/"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
        HyperParameters={"num_round": "200"},
    )
    return "pipelines-abc123-Train-x1"


def _boto(env: dict) -> dict:
    return {"region_name": env["AWS_DEFAULT_REGION"], "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"]}


def _run(aws_endpoint: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    environ = {"PATH": os.environ["PATH"], **CREDENTIALS, "AWS_ENDPOINT_URL": aws_endpoint,
               "OUTPUT_DIR": str(tmp_path), **env}
    return subprocess.run([sys.executable, str(SCRIPT)], env=environ, capture_output=True, text=True, timeout=60)


@pytest.mark.slow  # moto's server and the script in a new Python process
def test_writes_the_metric_the_gate_reads(aws_endpoint, training_job, tmp_path):
    # moto's finished training job reports one final metric, train:progress = 100.
    done = _run(aws_endpoint, tmp_path, TRAINING_JOB=training_job, METRIC_NAME="train:progress")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "evaluation.json").read_text())
    assert report["metric"] == {"name": "train:progress", "value": 100.0}
    assert report["metrics"] == {"train:progress": 100.0}
    assert report["training_job"] == training_job
    assert report["hyperparameters"] == {"num_round": "200"}


@pytest.mark.slow  # moto's server and the script in a new Python process
def test_a_metric_the_job_did_not_report_fails_the_step_and_says_why(aws_endpoint, training_job, tmp_path):
    done = _run(aws_endpoint, tmp_path, TRAINING_JOB=training_job, METRIC_NAME="validation:auc")
    assert done.returncode == 1
    assert f"training job {training_job} reported train:progress, not validation:auc" in done.stderr
    assert not (tmp_path / "evaluation.json").exists()


def test_the_uploaded_script_is_the_shipped_one():
    """Terraform uploads the very file the tests run (aws_s3_object content)."""
    from mlops.module_api import literal
    from golden import STACKS

    uploaded = [r for path in STACKS
                for r in json.loads(path.read_text()).get("resource", {}).get("aws_s3_object", {}).values()
                if r["key"].endswith("/code/evaluation_report.py")]
    assert uploaded, "no stack uploads the evaluation report script"
    assert {r["content"] for r in uploaded} == {literal(SCRIPT.read_text())}
