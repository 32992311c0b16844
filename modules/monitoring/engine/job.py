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
     "timestamp": "2026-11-30T10:00:00Z"}    # of the data; default: now
Relative paths are relative to the configuration file; missing inputs default to
Processing's folders (/opt/ml/processing/input/<name>, output /opt/ml/processing/output).
$PUBLISH_METRICS (true/false) and --no-publish override `publish`; --output overrides
`output`. The region and credentials are boto3's (AWS_DEFAULT_REGION, the job's role).

Outputs: each monitor's files (`statistics.json`, `constraint_violations.json`; a
baseline run: `statistics.json`, `constraints.json`) and `metrics.json`, the exact
PutMetricData requests (`{"version": 1, "requests": [...]}`), written before publishing.

Exit codes: 0 done, with or without violations (violations are data); 1 broken input or
configuration (a message on stderr naming the file and line); 2 the reports were written
but publishing to CloudWatch failed. Anything else is a bug.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import sys

try:
    from . import baseline, bias, data_quality, metrics, model_quality
    from .capture import InputError
except ImportError:  # run from the uploaded folder as `python3 job.py`
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    import baseline
    import bias
    import data_quality
    import metrics
    import model_quality
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


def run(config: dict, config_path: pathlib.Path) -> tuple[dict, list]:
    """({file name: document}, PutMetricData requests) of one run; writes nothing."""
    inputs = config.get("inputs", {})

    def given(name: str) -> pathlib.Path:
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
    timestamp = config.get("timestamp") or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return files, metrics.put_metric_data_requests(data, timestamp)


def write(folder: pathlib.Path, files: dict, requests: list) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    documents = dict(files)
    if requests or "constraint_violations.json" in files:
        documents["metrics.json"] = {"version": 1, "requests": requests}
    for name, document in sorted(documents.items()):
        (folder / name).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="job.py", description="mlops monitoring job")
    parser.add_argument("--config", default=os.environ.get("MONITOR_CONFIG"),
                        help="configuration JSON (default $MONITOR_CONFIG, else Processing's config input)")
    parser.add_argument("--output", help="write the reports here instead of the configured output")
    parser.add_argument("--no-publish", action="store_true", help="write metrics.json, send nothing")
    args = parser.parse_args(argv)
    config_path = pathlib.Path(args.config or PROCESSING / "input" / "config" / "monitor.json")
    try:
        config = load_config(config_path)
        output = pathlib.Path(args.output) if args.output else _path(config_path, config.get("output"), PROCESSING / "output")
        files, requests = run(config, config_path)
        write(output, files, requests)
    except InputError as broken:
        print(f"monitoring job: {broken}", file=sys.stderr)
        return 1
    publish = config.get("publish", True)
    if "PUBLISH_METRICS" in os.environ:
        publish = os.environ["PUBLISH_METRICS"].strip().lower() in ("1", "true", "yes")
    sent = 0
    if publish and not args.no_publish and requests:
        import boto3
        import botocore.exceptions

        try:
            sent = metrics.publish(boto3.client("cloudwatch"), requests)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as failed:
            print(f"monitoring job: the reports are in {output}, but publishing failed: {failed}", file=sys.stderr)
            return 2
    violations = len(files.get("constraint_violations.json", {}).get("violations", []))
    print(json.dumps({"kind": config["kind"], "output": str(output), "published": sent, "violations": violations},
                     sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
