"""Alarms on what mlops's monitoring job publishes, and on its failed runs.

Every alarm's metric comes from the engine's own table, `published_metrics(kind,
endpoint, settings)` (`engine/metrics.py`): namespace, name, dimensions and unit are the
ones the job sends, never retyped here. The job skips values undefined in a window (no
records), so alarms treat missing data as not breaching, as the engine documents.

Here: the violations count of every kind above 0 (a run found violations: notify), and
a failed monitoring run (the pipeline execution fails). What each kind alarms on besides
lives with its feature: drift per feature (`data_quality.py`), the model-quality metric
(`model_quality.py`), bias per facet (`bias.py`).
"""

from __future__ import annotations

from mlops.events import rule, target
from mlops.module_api import BuildContext, Resource, tf_name
from mlops.monitor_jobs import PERIODS
from mlops.names import fit

from .engine.metrics import Metric, monitor_metrics, published_metrics
from .engine_config import engine_settings


def watched(kind: str, endpoint: str, settings: dict, wanted: Metric) -> Metric:
    """`wanted`, checked against what the job publishes for these settings (the spec
    checks make this hold; a miss is a compiler bug, not a spec error)."""
    published = published_metrics(kind, endpoint, engine_settings(kind, settings))
    assert wanted in published, f"{kind} publishes no {wanted}"
    return wanted


def metric_alarm(ctx: BuildContext, ident: str, metric: Metric, period: int, attrs: dict, topic: Resource,
                 path: tuple) -> Resource:
    """An alarm on one metric the job publishes, notifying the alerts topic."""
    return ctx.resource("aws_cloudwatch_metric_alarm", ident, {
        "namespace": metric.namespace, "metric_name": metric.name, "dimensions": dict(metric.dimensions),
        "unit": metric.unit, "period": period, "evaluation_periods": 1, "treat_missing_data": "notBreaching",
        "alarm_actions": [topic.ref("arn")], "ok_actions": [topic.ref("arn")], **attrs,
    }, path=path)


def violations_alarm_name(endpoint: str, kind: str) -> str:
    """The name of the alarm on one kind's violations count at `endpoint`: the drift event
    of a data-quality monitor, which the environment a serving environment serves from
    matches by this name."""
    return fit(f"{endpoint}-{kind.replace('_', '-')}-violations", 255)


def violations(ctx: BuildContext, name: str, kind: str, settings: dict, endpoint: str, topic: Resource) -> Resource:
    """The alarm on one kind's violations count: a run found violations."""
    metric = watched(kind, endpoint, settings, monitor_metrics(kind, endpoint)[1])
    return metric_alarm(ctx, tf_name(name, kind, "violations"), metric, PERIODS[settings["schedule"]], {
        "alarm_name": violations_alarm_name(endpoint, kind),
        "alarm_description": f"{name}: the {kind.replace('_', ' ')} monitor found violations",
        "statistic": "Maximum", "comparison_operator": "GreaterThanThreshold", "threshold": 0,
    }, topic, ("monitoring", "models", name, kind))


def failed_runs(ctx: BuildContext, name: str, pipeline: Resource, topic: Resource, path: tuple) -> None:
    """A monitoring run that fails (broken input, no baseline yet) notifies the topic:
    without it, a monitor that never runs would look like one that finds nothing."""
    env, project = ctx.env, ctx.spec["project"]
    failed = rule(ctx, tf_name("monitor", name, "failed"), name=f"{project}-{env.name}-{name}-monitor-failed",
                  description=f"{name}: a monitoring run failed", path=path, pattern={
                      "source": ["aws.sagemaker"], "detail-type": ["SageMaker Model Building Pipeline Execution Status Change"],
                      "detail": {"pipelineArn": [pipeline.ref("arn")], "currentPipelineExecutionStatus": ["Failed"]},
                  })
    target(ctx, tf_name("monitor", name, "failed"), failed, topic.ref("arn"), path=path)
