"""monitoring: model monitoring (component 8).

Per environment: an SNS topic for alerts, encrypted with the platform key, that only
CloudWatch alarms and EventBridge rules of this account may publish to, with the spec's
email subscribers. Per deployed model: alarms on p99 model latency, 5xx and 4xx error
rates and invocations dropping to zero, a CloudWatch dashboard, and optionally a
data-quality monitor with the drift loop (`data_quality.py`), a model-quality monitor
(`model_quality.py`) and bias and explainability monitors (`clarify.py`) on Model Monitor, or
the same on mlops's own engine (`pipeline.py`, the default; `exports.py` says which engine). The platform key's
policy lets CloudWatch alarms of this account and EventBridge (without source conditions,
which its KMS requests do not carry) use it, for this topic.
"""

from __future__ import annotations

import json

from mlops.iam import document, statement
from mlops.module_api import BuildContext, Environment, Module, fragment, tf_name
from mlops.names import fit

from . import baselines, clarify, data_quality, model_quality, pipeline
from .checks import check
from .exports import MLOPS, MLOPS_KINDS, Monitoring, engine_of, plan

PUBLISHERS = ("cloudwatch.amazonaws.com", "events.amazonaws.com")
PERIOD = 300  # seconds; alarms look at three periods


def build(ctx: BuildContext) -> None:
    section, env, project = ctx.section, ctx.env, ctx.spec["project"]
    key = ctx.imported("keys").platform
    path = ("monitoring",)
    topic = ctx.resource("aws_sns_topic", "alerts", {
        "name": f"{project}-{env.name}-alerts",
        "display_name": f"{project} {env.name} ML alerts",
        "kms_master_key_id": key,
    }, path=path)
    policy = ctx.data("aws_iam_policy_document", "alerts_topic", document(statement(
        "AlarmsAndRulesPublish", ["sns:Publish"], [topic.ref("arn")], principals={"Service": list(PUBLISHERS)},
        conditions=[("StringEquals", "aws:SourceAccount", [env.account])],
    )), path=path)
    ctx.resource("aws_sns_topic_policy", "alerts", {"arn": topic.ref("arn"), "policy": policy.ref("json")}, path=path)
    # The topic is encrypted: publishers need the key too (SNS's "compatibility between event
    # sources from AWS services and encrypted topics"). CloudWatch's requests carry the
    # alarm as their source; EventBridge's KMS requests carry no aws:Source* key, so AWS
    # documents its grant without one (a condition on them would drop every notification).
    ctx.allow_key_use("platform", statement(
        "AlarmsUseKeyForAlerts", ["kms:Decrypt", "kms:GenerateDataKey*"], ["*"],
        principals={"Service": ["cloudwatch.amazonaws.com"]},
        conditions=[("StringEquals", "aws:SourceAccount", [env.account]),
                    ("ArnLike", "aws:SourceArn", [env.arn("cloudwatch", "alarm:*")])],
    ))
    ctx.allow_key_use("platform", statement(
        "RulesUseKeyForAlerts", ["kms:Decrypt", "kms:GenerateDataKey*"], ["*"],
        principals={"Service": ["events.amazonaws.com"]},
    ))
    for index, address in enumerate(section["notify"]):
        ctx.resource("aws_sns_topic_subscription", tf_name("alerts", address.split("@")[0], str(index)), {
            "topic_arn": topic.ref("arn"), "protocol": "email", "endpoint": address,
        }, path=("monitoring", "notify", index))
    ctx.output("alerts_topic_arn", topic.ref("arn"), "SNS topic that receives every ML alert of this environment")
    ctx.export(Monitoring(topic=topic))
    for name in sorted(section["models"]):
        _model(ctx, name, section["models"][name], topic)


def _model(ctx: BuildContext, name: str, settings: dict, topic) -> None:
    env = ctx.env
    path = ("monitoring", "models", name)
    model = ctx.imported("models.models")[name]
    endpoint = model.endpoint.name
    dims = {"EndpointName": endpoint, "VariantName": "AllTraffic"}
    alarms = settings["alarms"]
    common = {"alarm_actions": [topic.ref("arn")], "ok_actions": [topic.ref("arn")], "namespace": "AWS/SageMaker",
              "dimensions": dims, "period": PERIOD, "evaluation_periods": 3, "datapoints_to_alarm": 3}
    ident = tf_name(name)
    ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, "latency_p99"), {
        **common,
        "alarm_name": f"{endpoint}-latency-p99",
        "alarm_description": f"{name}: p99 model latency above {alarms['latency_p99_ms']} ms",
        "metric_name": "ModelLatency", "extended_statistic": "p99",
        "comparison_operator": "GreaterThanThreshold", "threshold": alarms["latency_p99_ms"] * 1000,
        "treat_missing_data": "notBreaching",
    }, path=path + ("alarms", "latency_p99_ms"))
    for kind, limit in (("5XX", alarms["errors_5xx_percent"]), ("4XX", alarms["errors_4xx_percent"])):
        ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, f"errors_{kind.lower()}"), {
            "alarm_name": f"{endpoint}-errors-{kind.lower()}",
            "alarm_description": f"{name}: more than {limit}% of invocations fail with {kind} errors",
            "comparison_operator": "GreaterThanThreshold", "threshold": limit,
            "evaluation_periods": 3, "datapoints_to_alarm": 3, "treat_missing_data": "notBreaching",
            "alarm_actions": [topic.ref("arn")], "ok_actions": [topic.ref("arn")],
            "metric_query": [
                {"id": "rate", "expression": "IF(invocations > 0, 100 * errors / invocations, 0)", "label": f"{kind} error rate (%)",
                 "return_data": True},
                _query("errors", f"Invocation{kind}Errors", dims),
                _query("invocations", "Invocations", dims),
            ],
        }, path=path + ("alarms", f"errors_{kind.lower()}_percent"))
    idle = alarms["idle_minutes"] * 60
    ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, "idle"), {
        **common,
        "alarm_name": f"{endpoint}-no-invocations",
        "alarm_description": f"{name}: no invocations for {alarms['idle_minutes']} minutes",
        "metric_name": "Invocations", "statistic": "Sum", "period": idle, "evaluation_periods": 1, "datapoints_to_alarm": 1,
        "comparison_operator": "LessThanThreshold", "threshold": 1, "treat_missing_data": "breaching",
    }, path=path + ("alarms", "idle_minutes"))
    if model.baselines:
        baselines.archiver(ctx, name, model)
    if engine_of(ctx.section, name) == MLOPS:
        pipeline.build(ctx, name, settings, topic, model)
    else:
        if settings.get("data_quality"):
            data_quality.build(ctx, name, settings["data_quality"], topic, model)
        if settings.get("model_quality"):
            model_quality.build(ctx, name, settings["model_quality"], topic, model)
        clarify.build(ctx, name, settings, topic, model)
    ctx.resource("aws_cloudwatch_dashboard", ident, {
        "dashboard_name": fit(endpoint, 255),
        "dashboard_body": json.dumps(_dashboard(name, env, dims, alarms), sort_keys=True),
    }, path=path)


def _query(ident: str, metric: str, dims: dict) -> dict:
    return {"id": ident, "return_data": False, "metric": [{
        "namespace": "AWS/SageMaker", "metric_name": metric, "dimensions": dims, "period": PERIOD, "stat": "Sum"}]}


def _dashboard(name: str, env: Environment, dims: dict, alarms: dict) -> dict:
    def metric(metric_name: str, stat: str) -> list:
        return ["AWS/SageMaker", metric_name, "EndpointName", dims["EndpointName"], "VariantName", "AllTraffic",
                {"stat": stat}]

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
            ["/aws/sagemaker/Endpoints", "CPUUtilization", "EndpointName", dims["EndpointName"], "VariantName", "AllTraffic"],
            ["/aws/sagemaker/Endpoints", "MemoryUtilization", "EndpointName", dims["EndpointName"], "VariantName", "AllTraffic"],
        ], 12, 6),
    ]}


def services(spec) -> set[str]:
    """mlops's monitoring jobs publish to CloudWatch from the VPC."""
    section = spec.get("monitoring") or {}
    engine_monitored = any(engine_of(section, name) == MLOPS and any(settings.get(k) for k in MLOPS_KINDS)
                           for name, settings in section.get("models", {}).items())
    return {"monitoring"} if engine_monitored else set()


MODULE = Module(
    name="monitoring",
    schema=fragment(__name__),
    build=build,
    check=check,
    services=services,
    plan=plan,
    after=("keys", "models"),
    emits=frozenset({"aws_sns_topic", "aws_sns_topic_policy", "aws_sns_topic_subscription",
                     "aws_cloudwatch_metric_alarm", "aws_cloudwatch_dashboard", "data.aws_iam_policy_document",
                     "aws_sagemaker_data_quality_job_definition", "aws_sagemaker_monitoring_schedule",
                     "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_sfn_state_machine",
                     "aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy",
                     "awscc_sagemaker_model_quality_job_definition", "awscc_sagemaker_model_bias_job_definition",
                     "awscc_sagemaker_model_explainability_job_definition", "aws_s3_object",
                     "data.aws_sagemaker_prebuilt_ecr_image", "aws_sagemaker_pipeline", "aws_scheduler_schedule"}),
)
