"""Bias monitoring: post-training bias of live predictions, merged with the ground truth you
upload, per sensitive facet, with one alarm per facet and named bias metric on the
metric's magnitude (bias is signed: either way is unfair).

The monitor runs on SageMaker Clarify (`engine: model-monitor`, `clarify.py`) or as a
step of mlops's monitoring pipeline (`pipeline.py`); the alarms of both are built here,
each on the metrics its engine publishes.
"""

from __future__ import annotations

from mlops.errors import SpecError, did_you_mean, unknown_name
from mlops.module_api import BuildContext, Environment, Resource, literal, tf_name
from mlops.monitor_jobs import PERIODS, job_name

from . import clarify
from .alarms import watched
from .engine.metrics import bias_metric, facet_label

CLARIFY_NAMESPACE = "aws/sagemaker/Endpoints/bias-metrics"
LABELS_HINT = "declare where labels are uploaded under data.datasets"


def alarm(ctx: BuildContext, name: str, facet: dict, index: int, short: str, limit: float, endpoint: str,
          topic: Resource, shown: str, metric: dict) -> Resource:
    """An alarm on the magnitude of one bias metric of one facet, for both engines;
    `metric` is the CloudWatch metric that feeds it. Facet and label values are the
    spec's text, written as Terraform must keep them (literal)."""
    metric = {**metric, "metric_name": literal(metric["metric_name"]),
              "dimensions": {k: literal(str(v)) for k, v in metric["dimensions"].items()}}
    return ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, "bias", facet["name"], short.lower()), {
        "alarm_name": f"{endpoint}-bias-{facet['name']}-{short}",
        "alarm_description": literal(f"{name}: |{short}| for facet {shown} above {limit} on live traffic"),
        "comparison_operator": "GreaterThanThreshold", "threshold": limit,
        "evaluation_periods": 1, "treat_missing_data": "notBreaching",
        "alarm_actions": [topic.ref("arn")], "ok_actions": [topic.ref("arn")],
        "metric_query": [
            {"id": "magnitude", "expression": "ABS(bias)", "label": f"|{short}|", "return_data": True},
            {"id": "bias", "return_data": False, "metric": [metric]},
        ],
    }, path=("monitoring", "models", name, "bias", "facets", index))


def monitor_alarms(ctx: BuildContext, name: str, settings: dict, endpoint: str, topic: Resource) -> None:
    """Clarify publishes one metric per bias metric, label value and facet value. One
    positive label value and one facet value each (the schema says so), so the
    dimensions name exactly what Clarify publishes."""
    for index, facet in enumerate(settings["facets"]):
        for short, limit in sorted(settings["alarms"].items()):
            dims = {"Endpoint": endpoint, "MonitoringSchedule": job_name(endpoint, "bias"), "BiasStage": "Post-Training",
                    "Label": settings["label"], "LabelValue": str(settings["positive_label"][0]),
                    "Facet": facet["name"], "FacetValue": str(facet["values"][0])}
            alarm(ctx, name, facet, index, short, limit, endpoint, topic, facet["name"], {
                "namespace": CLARIFY_NAMESPACE, "metric_name": f"bias_metric_{short}", "dimensions": dims,
                "period": PERIODS[settings["schedule"]], "stat": "Average"})


def engine_alarms(ctx: BuildContext, name: str, monitors: dict, endpoint: str, violations: Resource,
                  topic: Resource) -> None:
    """mlops's engine publishes each bias metric per facet (`engine/metrics.py`)."""
    settings = monitors["bias"]
    for index, facet in enumerate(settings["facets"]):
        for short, limit in sorted(settings["alarms"].items()):
            metric = watched("bias", endpoint, settings, bias_metric(endpoint, facet_label(facet), short))
            alarm(ctx, name, facet, index, short, limit, endpoint, topic, facet_label(facet), {
                "namespace": metric.namespace, "metric_name": metric.name, "dimensions": dict(metric.dimensions),
                "unit": metric.unit, "period": PERIODS[settings["schedule"]], "stat": "Average"})


def check(spec, env: Environment, name: str, settings: dict, engine: str, capture: bool) -> list[SpecError]:
    monitor, path = settings.get("bias"), ("monitoring", "models", name, "bias")
    if not monitor:
        return []
    errors = clarify.check(env, name, "bias", engine, capture)
    errors += unknown_name(path + ("ground_truth",), monitor["ground_truth"], spec.get("data", {}).get("datasets", {}),
                           "dataset", "data.datasets", hint=LABELS_HINT)
    for index, facet in enumerate(monitor["facets"]):
        if facet["name"] not in monitor["features"]:
            errors.append(SpecError(path + ("facets", index, "name"), f"facet '{facet['name']}' is not one of the features",
                                    hint=did_you_mean(facet["name"], monitor["features"]) or "name a column listed in features"))
    if monitor["label"] in monitor["features"]:
        errors.append(SpecError(path + ("label",), f"'{monitor['label']}' is the label and cannot also be a feature",
                                hint="list only the endpoint's input columns under features"))
    return errors
