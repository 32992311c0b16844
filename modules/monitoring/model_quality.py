"""Model-quality monitoring: captured predictions merged with uploaded ground truth, scored
on a schedule, with a CloudWatch alarm on the metric and threshold the spec names.

- `engine: model-monitor`: Model Monitor's job, through hashicorp/awscc (the aws provider
  has no model-quality job definition), in the VPC (encrypted, isolated), checked against
  the constraints the training run computed for the served version (a violation
  notifies); the schedule itself is an aws_sagemaker_monitoring_schedule.
- mlops's engine: a step of the monitoring pipeline (`pipeline.py`), whose alarm on the
  metric the job publishes is built here.
"""

from __future__ import annotations

from mlops.errors import SpecError, unknown_name
from mlops.module_api import BuildContext, Resource, tf_name
from mlops.monitor_jobs import AWSCC, PERIODS, endpoint_input, job_name, monitor

from mlops_modules.models.exports import Model

from . import model_monitor
from .alarms import metric_alarm, watched
from .engine.metrics import published_metrics, quality_metric
from .engine_config import engine_settings
from .exports import MLOPS

LABELS_HINT = "declare where labels are uploaded under data.datasets"
ATTRIBUTES = (("inference_attribute", "inference_attribute"), ("probability_attribute", "probability_attribute"),
              ("probability_threshold", "probability_threshold_attribute"))


def build(ctx: BuildContext, name: str, settings: dict, topic: Resource, model: Model) -> None:
    path = ("monitoring", "models", name, "model_quality")
    endpoint, schedule_name = model.endpoint.name, job_name(model.endpoint.name, "model-quality")
    attrs = model_monitor.job(ctx, AWSCC, "model_quality", name, "model-quality", settings, model)
    # Without publish_cloudwatch_metrics, Model Monitor publishes no metric, and the alarm below never fires.
    attrs["model_quality_app_specification"] = {"image_uri": ctx.imported("models.model_monitor_image"),
                                                "problem_type": settings["problem_type"],
                                                "environment": {"publish_cloudwatch_metrics": "Enabled"}}
    attrs["model_quality_baseline_config"] = {
        "constraints_resource": {"s3_uri": model.served_baseline("model-quality", "constraints.json")}}
    attrs["model_quality_job_input"] = {
        "endpoint_input": endpoint_input(endpoint, **{attribute: settings[field] for field, attribute in ATTRIBUTES
                                                      if field in settings}),
        "ground_truth_s3_input": {"s3_uri": ctx.imported("data.datasets")[settings["ground_truth"]].uri}}
    _, schedule = monitor(ctx, "awscc_sagemaker_model_quality_job_definition", tf_name(name), attrs,
                          schedule_ident=tf_name(name, "model_quality"), monitoring_type="ModelQuality",
                          schedule=settings["schedule"], path=path)
    model_monitor.violations(ctx, name, "model-quality", "model-quality-violations", schedule, topic, path)
    ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, "model_quality"), {
        **_threshold(name, endpoint, settings),
        "namespace": "aws/sagemaker/Endpoints/model-metrics",
        "metric_name": settings["metric"],
        "dimensions": {"Endpoint": endpoint, "MonitoringSchedule": schedule_name},
        "period": PERIODS[settings["schedule"]], "evaluation_periods": 1, "treat_missing_data": "notBreaching",
        "alarm_actions": [topic.ref("arn")], "ok_actions": [topic.ref("arn")],
    }, path=path + ("metric",))


def engine_alarms(ctx: BuildContext, name: str, monitors: dict, endpoint: str, violations: Resource,
                  topic: Resource) -> None:
    """mlops's engine: the spec's metric against `min` or `max`."""
    settings = monitors["model_quality"]
    metric = watched("model_quality", endpoint, settings, quality_metric(endpoint, settings["metric"]))
    metric_alarm(ctx, tf_name(name, "model_quality"), metric, PERIODS[settings["schedule"]], _threshold(name, endpoint, settings),
                 topic, ("monitoring", "models", name, "model_quality", "metric"))


def _threshold(name: str, endpoint: str, settings: dict) -> dict:
    """The alarm's name, description, statistic and threshold, for either engine."""
    at_least = "min" in settings
    limit = settings["min"] if at_least else settings["max"]
    return {"alarm_name": f"{endpoint}-model-quality-{settings['metric']}",
            "alarm_description": f"{name}: {settings['metric']} {'below' if at_least else 'above'} {limit} on live traffic",
            "statistic": "Average", "threshold": limit,
            "comparison_operator": "LessThanThreshold" if at_least else "GreaterThanThreshold"}


def check(spec, name: str, settings: dict, engine: str, capture: bool) -> list[SpecError]:
    path = ("monitoring", "models", name, "model_quality")
    quality = settings.get("model_quality")
    if not quality:
        return []
    errors = unknown_name(path + ("ground_truth",), quality["ground_truth"], spec.get("data", {}).get("datasets", {}),
                          "dataset", "data.datasets", hint=LABELS_HINT)
    if ("min" in quality) == ("max" in quality):
        errors.append(SpecError(path, "give exactly one alarm threshold: min (scores) or max (errors)"))
    if not capture:
        errors.append(SpecError(path, f"the model-quality monitor reads captured predictions, and {name}'s endpoint "
                                "captures none", hint="set endpoint.data_capture_percent (for example 20)"))
    if engine == MLOPS:
        errors += _published(path, quality)
    return errors


def _published(path: tuple, quality: dict) -> list[SpecError]:
    """mlops's engine publishes only the metrics its settings allow (`engine/metrics.py`);
    an alarm on another would never fire. The endpoint is a placeholder: it names both
    the metric and the table, so it cannot change the answer."""
    published = published_metrics("model_quality", "endpoint", engine_settings("model_quality", quality))
    if quality_metric("endpoint", quality["metric"]) in published:
        return []
    offered = sorted(m.name.removeprefix("model_quality_") for m in published if m.name.startswith("model_quality_"))
    why = (" (AUC ranks probabilities: set probability_attribute)" if quality["metric"] == "auc"
           and quality["problem_type"] == "BinaryClassification" else "")
    return [SpecError(path + ("metric",), f"the monitoring job publishes no {quality['metric']} for "
                      f"{quality['problem_type']} with these settings{why}, so its alarm would never fire",
                      hint="alarm on one of " + ", ".join(offered))]
