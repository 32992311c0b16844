"""Retraining on drift (`on_drift`), for models monitored by mlops's engine: the
data-quality violations alarm entering ALARM is a CloudWatch event; an EventBridge rule
starts the model's training pipeline through a role that may do only that."""

from __future__ import annotations

import json

from mlops.iam import service_role, statement
from mlops.module_api import BuildContext, tf_name
from mlops.names import fit


def on_drift(ctx: BuildContext, name: str, alarm, path: tuple) -> None:
    env, project = ctx.env, ctx.spec["project"]
    pipeline = ctx.imported("models.pipelines")[name]
    rule = ctx.resource("aws_cloudwatch_event_rule", tf_name("drift", name), {
        "name": fit(f"{project}-{env.name}-{name}-drift", 64),
        "description": f"{name}: the data-quality monitor found violations; retrain",
        "event_pattern": json.dumps({
            "source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"],
            "resources": [alarm.ref("arn")], "detail": {"state": {"value": ["ALARM"]}},
        }, sort_keys=True),
    }, path=path)
    role = service_role(ctx, tf_name("drift", name, "retrain"), "events.amazonaws.com", [
        statement("StartRetraining", ["sagemaker:StartPipelineExecution"], [pipeline.ref("arn")]),
    ], path=path)
    ctx.resource("aws_cloudwatch_event_target", tf_name("drift", name, "retrain"), {
        "rule": rule.ref("name"), "arn": pipeline.ref("arn"), "role_arn": role.ref("arn"),
        "sagemaker_pipeline_target": [{"pipeline_parameter_list": [
            {"name": "DatasetUri", "value": ctx.imported("data.datasets")[ctx.spec["models"][name]["training"]["input"]]["uri"]}]}],
    }, path=path)
