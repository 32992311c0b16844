"""A CloudWatch dashboard per deployed model: invocations, p99 model latency (with its
alarm's threshold), errors, and the endpoint's CPU and memory."""

from __future__ import annotations

import json

from mlops.module_api import BuildContext, Environment, tf_name
from mlops.names import fit

from mlops_modules.models.exports import Endpoint

from .endpoint_alarms import PERIOD


def build(ctx: BuildContext, name: str, alarms: dict, endpoint: Endpoint) -> None:
    ctx.resource("aws_cloudwatch_dashboard", tf_name(name), {
        "dashboard_name": fit(endpoint.name, 255),
        "dashboard_body": json.dumps(_body(name, ctx.env, endpoint.name, alarms), indent=2, sort_keys=True),
    }, path=("monitoring", "models", name))


def _body(name: str, env: Environment, endpoint: str, alarms: dict) -> dict:
    def metric(metric_name: str, stat: str) -> list:
        return ["AWS/SageMaker", metric_name, "EndpointName", endpoint, "VariantName", "AllTraffic", {"stat": stat}]

    def widget(title: str, metrics: list, x: int, y: int, annotation: float | None = None) -> dict:
        properties = {"title": title, "region": env.region, "metrics": metrics, "period": PERIOD, "view": "timeSeries"}
        if annotation is not None:
            properties["annotations"] = {"horizontal": [{"label": "alarm", "value": annotation}]}
        return {"type": "metric", "x": x, "y": y, "width": 12, "height": 6, "properties": properties}

    return {"widgets": [
        widget(f"{name}: invocations", [metric("Invocations", "Sum")], 0, 0),
        widget(f"{name}: model latency p99 (microseconds)", [metric("ModelLatency", "p99")], 12, 0,
               alarms["latency_p99_ms"] * 1000),
        widget(f"{name}: errors", [metric("Invocation5XXErrors", "Sum"), metric("Invocation4XXErrors", "Sum")], 0, 6),
        widget(f"{name}: CPU and memory (%)", [
            ["/aws/sagemaker/Endpoints", utilization, "EndpointName", endpoint, "VariantName", "AllTraffic"]
            for utilization in ("CPUUtilization", "MemoryUtilization")
        ], 12, 6),
    ]}
