"""Alarms on a deployed model's endpoint, from the metrics SageMaker publishes for every
endpoint: p99 model latency, the 5xx and 4xx error rates, and invocations dropping to
zero (`monitoring.models.<name>.alarms`)."""

from __future__ import annotations

from mlops.module_api import BuildContext, Resource, tf_name

from mlops_modules.models.exports import Endpoint

PERIOD = 300  # seconds; alarms look at three periods


def dimensions(endpoint: Endpoint) -> dict:
    """The dimensions SageMaker publishes an endpoint's metrics under (one variant)."""
    return {"EndpointName": endpoint.name, "VariantName": "AllTraffic"}


def build(ctx: BuildContext, name: str, alarms: dict, endpoint: Endpoint, topic: Resource) -> None:
    path = ("monitoring", "models", name, "alarms")
    dims = dimensions(endpoint)
    notify = {"alarm_actions": [topic.ref("arn")], "ok_actions": [topic.ref("arn")]}
    common = {**notify, "namespace": "AWS/SageMaker", "dimensions": dims, "period": PERIOD, "evaluation_periods": 3,
              "datapoints_to_alarm": 3}
    ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, "latency_p99"), {
        **common,
        "alarm_name": f"{endpoint.name}-latency-p99",
        "alarm_description": f"{name}: p99 model latency above {alarms['latency_p99_ms']} ms",
        "metric_name": "ModelLatency", "extended_statistic": "p99",
        "comparison_operator": "GreaterThanThreshold", "threshold": alarms["latency_p99_ms"] * 1000,
        "treat_missing_data": "notBreaching",
    }, path=path + ("latency_p99_ms",))
    for kind, limit in (("5XX", alarms["errors_5xx_percent"]), ("4XX", alarms["errors_4xx_percent"])):
        ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, f"errors_{kind.lower()}"), {
            **notify,
            "alarm_name": f"{endpoint.name}-errors-{kind.lower()}",
            "alarm_description": f"{name}: more than {limit}% of invocations fail with {kind} errors",
            "comparison_operator": "GreaterThanThreshold", "threshold": limit,
            "evaluation_periods": 3, "datapoints_to_alarm": 3, "treat_missing_data": "notBreaching",
            "metric_query": [
                {"id": "rate", "expression": "IF(invocations > 0, 100 * errors / invocations, 0)",
                 "label": f"{kind} error rate (%)", "return_data": True},
                _query("errors", f"Invocation{kind}Errors", dims),
                _query("invocations", "Invocations", dims),
            ],
        }, path=path + (f"errors_{kind.lower()}_percent",))
    ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, "idle"), {
        **common,
        "alarm_name": f"{endpoint.name}-no-invocations",
        "alarm_description": f"{name}: no invocations for {alarms['idle_minutes']} minutes",
        "metric_name": "Invocations", "statistic": "Sum", "period": alarms["idle_minutes"] * 60, "evaluation_periods": 1,
        "datapoints_to_alarm": 1, "comparison_operator": "LessThanThreshold", "threshold": 1,
        "treat_missing_data": "breaching",
    }, path=path + ("idle_minutes",))


def _query(ident: str, metric: str, dims: dict) -> dict:
    return {"id": ident, "return_data": False, "metric": [{
        "namespace": "AWS/SageMaker", "metric_name": metric, "dimensions": dims, "period": PERIOD, "stat": "Sum"}]}
