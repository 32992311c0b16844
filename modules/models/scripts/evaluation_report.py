"""The evaluation report of a training job that has no evaluation script of its own.

Runs as the `Evaluate` step of a model's training pipeline (in the scikit-learn
processing image, which has boto3) after `Train`: it asks SageMaker for the training
job's final metrics and writes `evaluation.json`, which the pipeline registers with
the model version as its quality statistics. It reads the metrics from the API rather
than taking them as an environment value because a pipeline can pass a training job's
metric only as a number, and a processing job's environment takes only strings.

Environment: TRAINING_JOB (the job's name), METRIC_NAME (the metric the quality gate
reads), OUTPUT_DIR (default /opt/ml/processing/evaluation); the region comes from
AWS_DEFAULT_REGION. Exits non-zero, naming what the job did report, when the gate's
metric is missing: the gate could never pass, and the run should say why.
"""

from __future__ import annotations

import json
import os
import pathlib
import sys


def report(client, training_job: str, metric: str) -> dict:
    """The report for one training job, from DescribeTrainingJob."""
    described = client.describe_training_job(TrainingJobName=training_job)
    metrics = {m["MetricName"]: float(m["Value"]) for m in described.get("FinalMetricDataList", [])}
    if metric not in metrics:
        reported = ", ".join(sorted(metrics)) or "no metrics"
        raise LookupError(f"training job {training_job} reported {reported}, not {metric}")
    return {
        "metric": {"name": metric, "value": metrics[metric]},
        "metrics": dict(sorted(metrics.items())),
        "training_job": training_job,
        "algorithm": described.get("AlgorithmSpecification", {}).get("TrainingImage"),
        "hyperparameters": described.get("HyperParameters", {}),
    }


def main() -> int:
    import boto3

    out = pathlib.Path(os.environ.get("OUTPUT_DIR", "/opt/ml/processing/evaluation"))
    try:
        result = report(boto3.client("sagemaker"), os.environ["TRAINING_JOB"], os.environ["METRIC_NAME"])
    except LookupError as missing:
        print(f"evaluation_report: {missing}", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps(result, indent=2, sort_keys=True))
    print(json.dumps(result["metric"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
