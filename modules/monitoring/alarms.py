"""Alarms on what mlops's monitoring job publishes, and the events around its runs.

Every alarm's metric comes from the engine's own table, `published_metrics(kind,
endpoint, settings)` (`engine/metrics.py`): namespace, name, dimensions and unit are the
ones the job sends, never retyped here. The job skips values undefined in a window (no
records), so alarms treat missing data as not breaching, as the engine documents.

- data quality: one alarm per spec feature on its drift distance (`drift_threshold`);
- model quality: the spec's metric against `min` or `max`;
- bias: per facet and per `alarms` entry, the absolute value of the metric;
- every kind: its violations count above 0 (a run found violations: notify).
A failed monitoring run (the pipeline execution fails) notifies too. With `on_drift`,
the data-quality violations alarm going to ALARM starts retraining (`retraining.py`).
"""

from __future__ import annotations

import json

from mlops.module_api import BuildContext, tf_name
from mlops.names import fit

from .engine.metrics import Metric, bias_metric, facet_label, feature_metrics, monitor_metrics, published_metrics, quality_metric
from .engine_config import engine_settings
from .retraining import enabled, on_alarm

PERIODS = {"hourly": 3600, "daily": 86400}


def watched(kind: str, endpoint: str, settings: dict, wanted: Metric) -> Metric:
    """`wanted`, checked against what the job publishes for these settings (the spec
    checks make this hold; a miss is a compiler bug, not a spec error)."""
    published = published_metrics(kind, endpoint, engine_settings(kind, settings))
    assert wanted in published, f"{kind} publishes no {wanted}"
    return wanted


def _alarm(ctx, ident: str, metric: Metric, period: int, attrs: dict, topic, path: tuple):
    return ctx.resource("aws_cloudwatch_metric_alarm", ident, {
        "namespace": metric.namespace, "metric_name": metric.name, "dimensions": dict(metric.dimensions),
        "unit": metric.unit, "period": period, "evaluation_periods": 1, "treat_missing_data": "notBreaching",
        "alarm_actions": [topic.ref("arn")], "ok_actions": [topic.ref("arn")], **attrs,
    }, path=path)


def build(ctx: BuildContext, name: str, settings: dict, endpoint: str, kinds: list, topic) -> None:
    path = ("monitoring", "models", name)
    for kind in kinds:
        section, period = settings[kind], PERIODS[settings[kind]["schedule"]]
        violations = watched(kind, endpoint, section, monitor_metrics(kind, endpoint)[1])
        alarm = _alarm(ctx, tf_name(name, kind, "violations"), violations, period, {
            "alarm_name": fit(f"{endpoint}-{kind.replace('_', '-')}-violations", 255),
            "alarm_description": f"{name}: the {kind.replace('_', ' ')} monitor found violations",
            "statistic": "Maximum", "comparison_operator": "GreaterThanThreshold", "threshold": 0,
        }, topic, path + (kind,))
        if kind == "data_quality":
            for index, feature in enumerate(section["features"]):
                drift = watched(kind, endpoint, section, feature_metrics(endpoint, feature)[0])
                _alarm(ctx, tf_name(name, "drift", feature.replace(".", "_")), drift, period, {
                    "alarm_name": fit(f"{endpoint}-drift-{feature}", 255),
                    "alarm_description": f"{name}: {feature} drifted more than {section['drift_threshold']} from the baseline",
                    "statistic": "Maximum", "comparison_operator": "GreaterThanThreshold",
                    "threshold": section["drift_threshold"],
                }, topic, path + (kind, "features", index))  # one path each: names that meet in one address are told apart
            if enabled(settings["on_drift"]):
                on_alarm(ctx, name, alarm, path + ("on_drift",))
        elif kind == "model_quality":
            at_least = "min" in section
            limit = section["min"] if at_least else section["max"]
            metric = watched(kind, endpoint, section, quality_metric(endpoint, section["metric"]))
            _alarm(ctx, tf_name(name, "model_quality"), metric, period, {
                "alarm_name": f"{endpoint}-model-quality-{section['metric']}",
                "alarm_description": f"{name}: {section['metric']} {'below' if at_least else 'above'} {limit} on live traffic",
                "statistic": "Average", "threshold": limit,
                "comparison_operator": "LessThanThreshold" if at_least else "GreaterThanThreshold",
            }, topic, path + (kind, "metric"))
        else:
            _bias(ctx, name, section, endpoint, period, topic)


def _bias(ctx, name: str, settings: dict, endpoint: str, period: int, topic) -> None:
    for index, facet in enumerate(settings["facets"]):
        for short, limit in sorted(settings["alarms"].items()):
            metric = watched("bias", endpoint, settings, bias_metric(endpoint, facet_label(facet), short))
            bias_alarm(ctx, name, facet, index, short, limit, endpoint, topic, facet_label(facet), {
                "namespace": metric.namespace, "metric_name": metric.name, "dimensions": dict(metric.dimensions),
                "unit": metric.unit, "period": period, "stat": "Average"})


def bias_alarm(ctx, name: str, facet: dict, index: int, short: str, limit: float, endpoint: str, topic,
               shown: str, metric: dict):
    """An alarm on the magnitude of one bias metric of one facet (bias is signed: either
    way is unfair), for both engines; `metric` is the CloudWatch metric that feeds it."""
    return ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, "bias", facet["name"], short.lower()), {
        "alarm_name": f"{endpoint}-bias-{facet['name']}-{short}",
        "alarm_description": f"{name}: |{short}| for facet {shown} above {limit} on live traffic",
        "comparison_operator": "GreaterThanThreshold", "threshold": limit,
        "evaluation_periods": 1, "treat_missing_data": "notBreaching",
        "alarm_actions": [topic.ref("arn")], "ok_actions": [topic.ref("arn")],
        "metric_query": [
            {"id": "magnitude", "expression": "ABS(bias)", "label": f"|{short}|", "return_data": True},
            {"id": "bias", "return_data": False, "metric": [metric]},
        ],
    }, path=("monitoring", "models", name, "bias", "facets", index))


def failed_runs(ctx: BuildContext, name: str, pipeline, topic, path: tuple) -> None:
    """A monitoring run that fails (broken input, no baseline yet) notifies the topic:
    without it, a monitor that never runs would look like one that finds nothing."""
    env, project = ctx.env, ctx.spec["project"]
    rule = ctx.resource("aws_cloudwatch_event_rule", tf_name("monitor", name, "failed"), {
        "name": fit(f"{project}-{env.name}-{name}-monitor-failed", 64),
        "description": f"{name}: a monitoring run failed",
        "event_pattern": json.dumps({
            "source": ["aws.sagemaker"], "detail-type": ["SageMaker Model Building Pipeline Execution Status Change"],
            "detail": {"pipelineArn": [pipeline.ref("arn")], "currentPipelineExecutionStatus": ["Failed"]},
        }, sort_keys=True),
    }, path=path)
    ctx.resource("aws_cloudwatch_event_target", tf_name("monitor", name, "failed"),
                 {"rule": rule.ref("name"), "arn": topic.ref("arn")}, path=path)
