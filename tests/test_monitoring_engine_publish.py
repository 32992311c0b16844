"""The monitoring engine's metrics: the table alarms are built from, requests that AWS's
API model accepts, and the job publishing them to CloudWatch in moto on 127.0.0.1, run
the way Processing runs it: `python3 job.py` in a folder holding only the engine's files."""

from __future__ import annotations

import ast
import json
import os
import re
import socket
import subprocess
import sys
from importlib import resources

import boto3
import botocore.session
import pytest
from aws_server import CREDENTIALS
from botocore.validate import ParamValidator
from engine_data import TRAFFIC, capture, ground_truth, rows, scored, training_csv
from engine_job import BINARY, ENDPOINT, FACETS, SETTINGS, run_job

from mlops_modules.monitoring.engine import metrics

ENGINE = resources.files("mlops_modules.monitoring.engine")
PUT = botocore.session.get_session().get_service_model("cloudwatch").operation_model("PutMetricData")


def _published(out: dict) -> set:
    return {(d["MetricName"], tuple((x["Name"], x["Value"]) for x in d["Dimensions"]), d["Unit"])
            for r in out["metrics.json"]["requests"] for d in r["MetricData"]}


def _table(kind: str, settings: dict) -> set:
    return {(m.name, m.dimensions, m.unit) for m in metrics.published_metrics(kind, ENDPOINT, settings)}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """One run of each monitor, with the settings it ran with."""
    tmp = tmp_path_factory.mktemp("runs")
    run_job(tmp, "baseline", {"dataset": training_csv(tmp / "t.csv")}, name="baseline")
    labels, outputs = scored(500, 3, good=True)
    gt = ground_truth(tmp / "gt", labels).parent
    bias_settings = {**FACETS, "label": "is_fraud"}
    bias_gt = ground_truth(tmp / "bias_gt", [int(i % 3 == 0) for i in range(len(TRAFFIC))]).parent
    return {
        "data_quality": (SETTINGS, run_job(tmp, "data_quality", {"baseline": tmp / "baseline",
                                                                 "capture": capture(tmp / "c1", rows(500, 4))},
                                           name="dq")),
        "model_quality": (BINARY, run_job(tmp, "model_quality", {"capture": capture(tmp / "c2", rows(500, 4), outputs),
                                                                 "ground_truth": gt}, BINARY, name="mq")),
        "bias": (bias_settings, run_job(tmp, "bias", {"capture": capture(tmp / "c3", TRAFFIC, ["0.7"] * 1000 + ["0.2"] * 1000),
                                                      "ground_truth": bias_gt}, bias_settings, name="bias")),
    }


@pytest.mark.parametrize("kind", ["data_quality", "model_quality", "bias"])
def test_a_run_publishes_exactly_the_metrics_of_its_table(runs, kind):
    """The Terraform generator builds alarms from `published_metrics`: a run must publish
    those metrics (names, dimensions, units) and nothing else."""
    settings, out = runs[kind]
    assert _published(out) == _table(kind, settings)


def test_the_table_names_features_and_facets_never_positions():
    table = metrics.published_metrics("data_quality", ENDPOINT, {"features": ["amount", "merchant_category"]})
    assert {dict(m.dimensions).get("Feature") for m in table} == {"amount", "merchant_category", None}
    assert {m.namespace for m in table} == {"mlops/monitoring"}
    table = metrics.published_metrics("bias", ENDPOINT, {"facets": [{"name": "region", "values": ["rural"]}]})
    assert sorted(m.name for m in table) == ["bias_DI", "bias_DPPL", "records", "violations"]


@pytest.mark.parametrize("kind", ["data_quality", "model_quality", "bias"])
def test_every_request_is_one_the_cloudwatch_api_accepts(runs, kind):
    for request in runs[kind][1]["metrics.json"]["requests"]:
        report = ParamValidator().validate(request, PUT.input_shape)
        assert not report.has_errors(), report.generate_report()


def test_requests_stay_within_the_documented_limits():
    """AWS's model documents the per-call limit in prose; read it from there."""
    limit = int(re.search(r"no more than (\d+) metrics per call", PUT.input_shape.members["MetricData"].documentation)[1])
    assert metrics.MAX_DATA_PER_REQUEST == limit
    data = [metrics.Datum(metrics.Metric("feature_drift", (("Endpoint", "e"), ("Feature", f"f{i:04d}"))), i / 3000)
            for i in range(2500)]
    data.append(metrics.Datum(metrics.Metric("feature_drift", (("Endpoint", "e"), ("Feature", "nan"))), float("nan")))
    requests = metrics.put_metric_data_requests(data, "2026-11-30T10:00:00Z")
    assert [len(r["MetricData"]) for r in requests] == [1000, 1000, 500]
    assert all(len(json.dumps(r)) < 1_000_000 for r in requests)
    assert "nan" not in {d["Dimensions"][1]["Value"] for r in requests for d in r["MetricData"]}


def _job_folder(tmp_path):
    """The engine's files alone, as Terraform uploads them and Processing downloads them."""
    folder = tmp_path / "code"
    folder.mkdir(exist_ok=True)
    for item in ENGINE.iterdir():
        if item.name.endswith(".py"):
            (folder / item.name).write_text(item.read_text())
    return folder


def _script(tmp_path, env: dict, config: dict) -> subprocess.CompletedProcess:
    (tmp_path / "monitor.json").write_text(json.dumps(config))
    environ = {"PATH": os.environ["PATH"], **CREDENTIALS, "MONITOR_CONFIG": str(tmp_path / "monitor.json"), **env}
    return subprocess.run([sys.executable, str(_job_folder(tmp_path) / "job.py")], env=environ, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # the job in a new Python process, as Processing runs it
def test_the_job_publishes_its_metrics_to_cloudwatch(aws_endpoint, tmp_path):
    run_job(tmp_path, "baseline", {"dataset": training_csv(tmp_path / "t.csv")}, name="baseline")
    config = {"kind": "data_quality", "endpoint": "engine-test", "settings": SETTINGS,
              "inputs": {"baseline": "baseline", "capture": str(capture(tmp_path / "c", rows(800, 8, amount_scale=1.6)))},
              "output": "out", "timestamp": "2026-11-30T10:00:00Z"}
    done = _script(tmp_path, {"AWS_ENDPOINT_URL": aws_endpoint}, config)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"kind": "data_quality", "output": str(tmp_path / "out"), "published": 8,
                                       "violations": 1}
    cloudwatch = boto3.client("cloudwatch", endpoint_url=aws_endpoint, region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
                              aws_access_key_id="testing", aws_secret_access_key="testing")
    listed = cloudwatch.list_metrics(Namespace=metrics.NAMESPACE, Dimensions=[{"Name": "Endpoint", "Value": "engine-test"}])
    assert {(m["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"]))) for m in listed["Metrics"]} \
        == {(m.name, tuple(sorted(m.dimensions))) for m in metrics.published_metrics("data_quality", "engine-test", SETTINGS)}
    written = json.loads((tmp_path / "out" / "metrics.json").read_text())["requests"]
    expected = next(d["Value"] for r in written for d in r["MetricData"]
                    if d["MetricName"] == "feature_drift" and d["Dimensions"][1]["Value"] == "amount")
    points = cloudwatch.get_metric_statistics(
        Namespace=metrics.NAMESPACE, MetricName="feature_drift", StartTime="2026-11-30T09:00:00Z",
        EndTime="2026-11-30T11:00:00Z", Period=3600, Statistics=["Maximum"],
        Dimensions=[{"Name": "Endpoint", "Value": "engine-test"}, {"Name": "Feature", "Value": "amount"}])["Datapoints"]
    assert [p["Maximum"] for p in points] == [pytest.approx(expected)] and expected > 0.1


@pytest.mark.slow  # the job in a new Python process, as Processing runs it
def test_reports_are_written_even_when_publishing_fails(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    labels, outputs = scored(50, 1, good=True)
    config = {"kind": "model_quality", "endpoint": "engine-test", "settings": BINARY, "output": "out",
              "inputs": {"capture": str(capture(tmp_path / "c", rows(50, 1), outputs)),
                         "ground_truth": str(ground_truth(tmp_path / "gt", labels).parent)}}
    done = _script(tmp_path, {"AWS_ENDPOINT_URL": closed, "AWS_MAX_ATTEMPTS": "1"}, config)
    assert done.returncode == 2, done.stderr
    assert "but delivering them failed" in done.stderr and "Traceback" not in done.stderr
    assert json.loads((tmp_path / "out" / "statistics.json").read_text())["records"] == 50


@pytest.mark.slow  # the job in a new Python process, as Processing runs it
def test_publishing_can_be_turned_off_by_the_environment(tmp_path):
    config = {"kind": "bias", "endpoint": "engine-test", "settings": FACETS, "output": "out",
              "inputs": {"capture": str(capture(tmp_path / "c", TRAFFIC[:100], ["0.6"] * 100))}}
    done = _script(tmp_path, {"PUBLISH_METRICS": "false", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, config)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["published"] == 0
    assert (tmp_path / "out" / "metrics.json").exists()


def test_the_job_imports_only_what_the_processing_image_has():
    """The scikit-learn processing image has the standard library, numpy, pandas, scipy,
    scikit-learn and boto3; the engine uses the standard library, numpy and boto3."""
    allowed = set(sys.stdlib_module_names) | {"numpy", "boto3", "botocore"}
    siblings = {item.name[:-3] for item in ENGINE.iterdir() if item.name.endswith(".py")}
    for item in ENGINE.iterdir():
        if not item.name.endswith(".py"):
            continue
        # syntax an older interpreter than the tests' accepts too, should the image have one
        for node in ast.walk(ast.parse(item.read_text(), feature_version=(3, 8))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            for name in names:
                top = name.split(".")[0]
                assert top in allowed | siblings, f"{item.name} imports {name}"


@pytest.mark.slow  # the job in a new Python process, as Processing runs it
def test_inputs_and_reports_on_s3(aws_endpoint, tmp_path):
    """Outside Processing the job reads s3:// inputs and writes its reports to s3://."""
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    s3.create_bucket(Bucket="engine-data", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.upload_file(str(training_csv(tmp_path / "t.csv")), "engine-data", "datasets/train/part-0.csv")
    local = capture(tmp_path / "c", rows(600, 8, amount_scale=1.6))
    for path in local.rglob("*.jsonl"):
        s3.upload_file(str(path), "engine-data", f"capture/fraud/{path.relative_to(local).as_posix()}")
    env = {"AWS_ENDPOINT_URL": aws_endpoint, "PUBLISH_METRICS": "false"}
    done = _script(tmp_path, env, {"kind": "baseline", "settings": SETTINGS, "output": "s3://engine-data/baselines/v1/",
                                   "inputs": {"dataset": "s3://engine-data/datasets/train/"}})
    assert done.returncode == 0, done.stderr
    done = _script(tmp_path, env, {"kind": "data_quality", "endpoint": "engine-test", "settings": SETTINGS,
                                   "output": "s3://engine-data/reports/run-1",
                                   "inputs": {"baseline": "s3://engine-data/baselines/v1",
                                              "capture": "s3://engine-data/capture/fraud"}})
    assert done.returncode == 0, done.stderr
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="engine-data", Prefix="reports/")["Contents"])
    assert keys == [f"reports/run-1/{n}" for n in ("constraint_violations.json", "metrics.json", "statistics.json")]
    report = json.loads(s3.get_object(Bucket="engine-data", Key=keys[0])["Body"].read())
    assert [(v["check"], v["feature"]) for v in report["violations"]] == [("drift", "amount")]
    assert json.loads(s3.get_object(Bucket="engine-data", Key=keys[2])["Body"].read())["records"] == 600
    done = _script(tmp_path, env, {"kind": "data_quality", "endpoint": "engine-test", "settings": SETTINGS, "output": "o",
                                   "inputs": {"baseline": "s3://no-such-bucket/b", "capture": str(local)}})
    assert done.returncode == 1 and "s3://no-such-bucket/b: cannot download" in done.stderr
