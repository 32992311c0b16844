"""The monitoring job's entry point: `python3 job.py` in a SageMaker Processing container
(the scikit-learn processing image), or `python3 -m mlops_modules.monitoring.engine.job`
on a laptop.

Configuration is one JSON file: `--config PATH`, else $MONITOR_CONFIG, else
/opt/ml/processing/input/config/monitor.json (Processing downloads it from S3):
    {"kind": "data_quality" | "model_quality" | "bias" | "baseline",
     "endpoint": "<endpoint name>",          # the Endpoint dimension of every metric
     "settings": {...},                      # the spec's monitoring.models.<m>.<kind>, plus
                                             # "columns" (the endpoint's input columns, in order)
     "inputs": {"capture": DIR, "baseline": DIR, "ground_truth": DIR, "dataset": PATH},
     "output": DIR,
     "publish": true,                        # send the metrics to CloudWatch
     "timestamp": "2026-11-30T10:00:00Z",    # of the data; default: now
     "window": {"hours": 1}}                 # optional: only events of the hour before
                                             # timestamp ({"start", "end"} also work)
Relative paths are relative to the configuration file; missing inputs default to
Processing's folders (/opt/ml/processing/input/<name>, output /opt/ml/processing/output);
outside Processing, inputs and the output may be `s3://bucket/prefix` (`s3paths.py`).
$PUBLISH_METRICS (true/false) and --no-publish override `publish`; --output overrides
`output`. The region and credentials are boto3's (AWS_DEFAULT_REGION, the job's role).

Outputs: each monitor's files (`statistics.json`, `constraint_violations.json`; a
baseline run: `statistics.json`, `constraints.json`) and `metrics.json`, the exact
PutMetricData requests (`{"version": 1, "requests": [...]}`), written before publishing.

Exit codes: 0 done, with or without violations (violations are data); 1 broken input or
configuration (a message on stderr naming the file and line); 2 the reports were
computed but delivering them failed (uploading to an s3:// output, or publishing to
CloudWatch). Anything else is a bug.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import sys
import tempfile

try:
    from . import baseline, bias, data_quality, metrics, model_quality, s3paths
    from .capture import InputError
except ImportError:  # run from the uploaded folder as `python3 job.py`
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    import baseline
    import bias
    import data_quality
    import metrics
    import model_quality
    import s3paths
    from capture import InputError

PROCESSING = pathlib.Path("/opt/ml/processing")
KINDS = ("baseline", "bias", "data_quality", "model_quality")


def load_config(path: pathlib.Path) -> dict:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"{path}: cannot read the configuration: {err}") from None
    if not isinstance(config, dict) or config.get("kind") not in KINDS:
        raise InputError(f"{path}: 'kind' must be one of {', '.join(KINDS)}")
    if config["kind"] != "baseline" and not config.get("endpoint"):
        raise InputError(f"{path}: 'endpoint' names the endpoint the metrics are about")
    if not isinstance(config.get("settings", {}), dict):
        raise InputError(f"{path}: 'settings' must be an object")
    return config


def _path(config_path: pathlib.Path, value, default: pathlib.Path) -> pathlib.Path:
    if value is None:
        return default
    path = pathlib.Path(value)
    return path if path.is_absolute() else config_path.parent / path


def run(config: dict, config_path: pathlib.Path, staging: pathlib.Path) -> tuple[dict, list]:
    """({file name: document}, PutMetricData requests) of one run; `s3://` inputs are
    downloaded under `staging`; writes nothing else."""
    inputs = config.get("inputs", {})
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = {**config, "timestamp": config.get("timestamp") or now}

    def given(name: str) -> pathlib.Path:
        if s3paths.is_s3(inputs.get(name)):
            return s3paths.download(_client("s3"), inputs[name], staging / "input" / name)
        return _path(config_path, inputs.get(name), PROCESSING / "input" / name)

    kind = config["kind"]
    if kind == "baseline":
        return baseline.run(config, given("dataset")), []
    if kind == "data_quality":
        files, data = data_quality.run(config, given("baseline"), given("capture"))
    elif kind == "model_quality":
        files, data = model_quality.run(config, given("capture"), given("ground_truth"))
    else:
        truth = given("ground_truth") if inputs.get("ground_truth") or config.get("settings", {}).get("label") else None
        files, data = bias.run(config, given("capture"), truth)
    return files, metrics.put_metric_data_requests(data, config["timestamp"])


def _client(service: str):
    import boto3

    return boto3.client(service)


def write(folder: pathlib.Path, files: dict, requests: list) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    documents = dict(files)
    if requests or "constraint_violations.json" in files:
        documents["metrics.json"] = {"version": 1, "requests": requests}
    for name, document in sorted(documents.items()):
        (folder / name).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def deliver(config: dict, output: str, folder: pathlib.Path, requests: list, publish: bool) -> int:
    """Upload the reports when the output is on S3, then publish; the data points sent."""
    if s3paths.is_s3(output):
        s3paths.upload(_client("s3"), folder, output)
    return metrics.publish(_client("cloudwatch"), requests) if publish and requests else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="job.py", description="mlops monitoring job")
    parser.add_argument("--config", default=os.environ.get("MONITOR_CONFIG"),
                        help="configuration JSON (default $MONITOR_CONFIG, else Processing's config input)")
    parser.add_argument("--output", help="write the reports here (a folder or s3://) instead of the configured output")
    parser.add_argument("--no-publish", action="store_true", help="write metrics.json, send nothing")
    args = parser.parse_args(argv)
    config_path = pathlib.Path(args.config or PROCESSING / "input" / "config" / "monitor.json")
    with tempfile.TemporaryDirectory(prefix="mlops-monitoring-") as temporary:
        staging = pathlib.Path(temporary)
        try:
            config = load_config(config_path)
            output = args.output or config.get("output")
            folder = staging / "output" if s3paths.is_s3(output) else _path(config_path, output, PROCESSING / "output")
            files, requests = run(config, config_path, staging)
            write(folder, files, requests)
        except InputError as broken:
            print(f"monitoring job: {broken}", file=sys.stderr)
            return 1
        publish = config.get("publish", True) and not args.no_publish
        if "PUBLISH_METRICS" in os.environ:
            publish = publish and os.environ["PUBLISH_METRICS"].strip().lower() in ("1", "true", "yes")
        sent = 0
        if s3paths.is_s3(output) or (publish and requests):  # no AWS call, no boto3 needed
            import botocore.exceptions

            try:
                sent = deliver(config, output, folder, requests, publish)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, OSError) as failed:
                where = output if s3paths.is_s3(output) else folder
                print(f"monitoring job: the reports were computed ({where}), but delivering them failed: {failed}",
                      file=sys.stderr)
                return 2
    violations = len(files.get("constraint_violations.json", {}).get("violations", []))
    print(json.dumps({"kind": config["kind"], "output": str(output if s3paths.is_s3(output) else folder),
                      "published": sent, "violations": violations}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
