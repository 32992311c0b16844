"""Data-quality monitoring and the loop from drift to retraining.

- The training pipeline's baseline step writes statistics and constraints to
  `models/<model>/baselines/data-quality/`; when a version is registered, a small state
  machine copies them to `.../v<version>/`, so each version keeps its own baseline.
- The monitor of an endpoint compares captured traffic with the baseline of the version
  that endpoint serves (`endpoint.model_version`), hourly or daily, in the VPC,
  encrypted, with network isolation, publishing per-feature drift metrics.
- Drift: a monitoring run that finds violations is an EventBridge event; it notifies the
  alerts topic and, with `on_drift`, starts the model's training pipeline through a role
  allowed to do only that. Per-feature CloudWatch alarms watch the drift distances.
"""

from __future__ import annotations

import json

from mlops.iam import service_role, statement
from mlops.states import state_machine
from mlops.module_api import BuildContext, tf_name

BASELINE = "baselines/data-quality"
SCHEDULES = {"hourly": "cron(0 * ? * * *)", "daily": "cron(0 0 ? * * *)"}
FILES = ("statistics.json", "constraints.json")


def build(ctx: BuildContext, name: str, settings: dict, topic) -> None:
    env, spec = ctx.env, ctx.spec
    project = spec["project"]
    path = ("monitoring", "models", name, "data_quality")
    model = spec["models"][name]
    version = model["endpoint"]["model_version"]
    key = ctx.imported("keys.arns")["platform"]
    bucket = ctx.imported("data.buckets")[model["training"]["output_bucket"]]
    prefix = f"models/{name}/{BASELINE}"
    _archiver(ctx, name, bucket, prefix, key, path)
    endpoint = f"{project}-{env.name}-{name}"
    definition = ctx.resource("aws_sagemaker_data_quality_job_definition", tf_name(name), {
        "name": f"{endpoint}-data-quality"[:63],
        "role_arn": ctx.imported("workspace.roles")["training"].ref("arn"),
        "data_quality_app_specification": [{
            "image_uri": ctx.imported("models.model_monitor_image"),
            "environment": {"publish_cloudwatch_metrics": "Enabled"},
        }],
        "data_quality_baseline_config": [{
            "constraints_resource": [{"s3_uri": f"s3://{bucket.ref('bucket')}/{prefix}/v{version}/constraints.json"}],
            "statistics_resource": [{"s3_uri": f"s3://{bucket.ref('bucket')}/{prefix}/v{version}/statistics.json"}],
        }],
        "data_quality_job_input": [{"endpoint_input": [{
            "endpoint_name": endpoint, "local_path": "/opt/ml/processing/input/endpoint",
            "s3_data_distribution_type": "FullyReplicated", "s3_input_mode": "File"}]}],
        "data_quality_job_output_config": [{"kms_key_id": key, "monitoring_outputs": [{"s3_output": [{
            "s3_uri": f"s3://{bucket.ref('bucket')}/monitoring/{name}/data-quality",
            "local_path": "/opt/ml/processing/output", "s3_upload_mode": "EndOfJob"}]}]}],
        "job_resources": [{"cluster_config": [{"instance_count": 1, "instance_type": settings["instance_type"],
                                               "volume_size_in_gb": 20, "volume_kms_key_id": key}]}],
        "network_config": [{"enable_network_isolation": True, "enable_inter_container_traffic_encryption": True,
                            "vpc_config": [{"subnets": ctx.imported("network.subnet_ids"),
                                            "security_group_ids": [ctx.imported("workspace.security_group_id")]}]}],
        "stopping_condition": [{"max_runtime_in_seconds": 3600}],
    }, path=path)
    schedule = ctx.resource("aws_sagemaker_monitoring_schedule", tf_name(name, "data_quality"), {
        "name": f"{endpoint}-data-quality"[:63],
        "monitoring_schedule_config": [{
            "monitoring_job_definition_name": definition.ref("name"),
            "monitoring_type": "DataQuality",
            "schedule_config": [{"schedule_expression": SCHEDULES[settings["schedule"]]}],
        }],
    }, path=path + ("schedule",))
    for feature in settings["features"]:
        ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, "drift", feature.replace(".", "_")), {
            "alarm_name": f"{endpoint}-drift-{feature}"[:255],
            "alarm_description": f"{name}: {feature} drifted more than {settings['drift_threshold']} from the baseline",
            "namespace": "aws/sagemaker/Endpoints/data-metrics",
            "metric_name": f"feature_baseline_drift_{feature}",
            "dimensions": {"Endpoint": endpoint, "MonitoringSchedule": f"{endpoint}-data-quality"[:63]},
            "statistic": "Maximum", "period": 3600 if settings["schedule"] == "hourly" else 86400,
            "evaluation_periods": 1, "comparison_operator": "GreaterThanThreshold",
            "threshold": settings["drift_threshold"], "treat_missing_data": "notBreaching",
            "alarm_actions": [topic.ref("arn")], "ok_actions": [topic.ref("arn")],
        }, path=path + ("features",))
    _drift_loop(ctx, name, schedule, topic, path)


def _archiver(ctx: BuildContext, name: str, bucket, prefix: str, key: str, path: tuple) -> None:
    """On registration of a version, copy the baseline just computed to v<version>/."""
    env, project = ctx.env, ctx.spec["project"]
    group = f"{project}-{env.name}-{name}"
    states = {}
    for index, file in enumerate(FILES):
        states[f"Copy{index}"] = {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:copyObject",
            "Parameters": {
                "Bucket": bucket.ref("bucket"),
                "CopySource": f"{bucket.ref('bucket')}/{prefix}/{file}",
                "Key.$": f"States.Format('{prefix}/v{{}}/{file}', $.detail.ModelPackageVersion)",
                "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key,
            },
            "ResultPath": None,
            **({"Next": f"Copy{index + 1}"} if index + 1 < len(FILES) else {"End": True}),
        }
    definition = {"Comment": f"Keep the data-quality baseline of each new {name} version (generated by mlops)",
                  "StartAt": "Copy0", "States": states}
    machine = state_machine(
        ctx, tf_name("baseline", name), f"{name}-baseline", definition, [
            statement("ReadBaseline", ["s3:GetObject"], [f"{bucket.ref('arn')}/{prefix}/{f}" for f in FILES]),
            statement("KeepVersionedBaseline", ["s3:PutObject"], [f"{bucket.ref('arn')}/{prefix}/v*"]),
            statement("UseKeyForObjects", ["kms:Decrypt", "kms:GenerateDataKey"], [key]),
        ], path)
    rule = ctx.resource("aws_cloudwatch_event_rule", tf_name("baseline", name), {
        "name": f"{project}-{env.name}-{name}-baseline"[:64],
        "description": f"New {name} version registered: keep its data-quality baseline",
        "event_pattern": json.dumps({
            "source": ["aws.sagemaker"], "detail-type": ["SageMaker Model Package State Change"],
            "detail": {"ModelPackageGroupName": [group], "ModelApprovalStatus": ["PendingManualApproval"]},
        }, sort_keys=True),
    }, path=path)
    role = service_role(ctx, tf_name("baseline", name, "trigger"), "events.amazonaws.com", [
        statement("StartArchiver", ["states:StartExecution"], [machine.ref("arn")]),
        statement("UseStateMachineKey", ["kms:Decrypt", "kms:GenerateDataKey"], [key]),
    ], path=path)
    ctx.resource("aws_cloudwatch_event_target", tf_name("baseline", name),
                 {"rule": rule.ref("name"), "arn": machine.ref("arn"), "role_arn": role.ref("arn")}, path=path)


def _drift_loop(ctx: BuildContext, name: str, schedule, topic, path: tuple) -> None:
    env, project = ctx.env, ctx.spec["project"]
    settings = ctx.section["models"][name]
    rule = ctx.resource("aws_cloudwatch_event_rule", tf_name("drift", name), {
        "name": f"{project}-{env.name}-{name}-drift"[:64],
        "description": f"{name}: the data-quality monitor found violations",
        "event_pattern": json.dumps({
            "source": ["aws.sagemaker"], "detail-type": ["SageMaker Processing Job State Change"],
            "detail": {"MonitoringScheduleArn": [schedule.ref("arn")], "ProcessingJobStatus": ["Completed"],
                       "ExitMessage": [{"prefix": "CompletedWithViolations"}]},
        }, sort_keys=True),
    }, path=path)
    ctx.resource("aws_cloudwatch_event_target", tf_name("drift", name, "notify"), {
        "rule": rule.ref("name"), "arn": topic.ref("arn"),
    }, path=path)
    if not settings["on_drift"]:
        return
    pipeline = ctx.imported("models.pipelines")[name]
    role = service_role(ctx, tf_name("drift", name, "retrain"), "events.amazonaws.com", [
        statement("StartRetraining", ["sagemaker:StartPipelineExecution"], [pipeline.ref("arn")]),
    ], path=("monitoring", "models", name, "on_drift"))
    ctx.resource("aws_cloudwatch_event_target", tf_name("drift", name, "retrain"), {
        "rule": rule.ref("name"), "arn": pipeline.ref("arn"), "role_arn": role.ref("arn"),
        "sagemaker_pipeline_target": [{"pipeline_parameter_list": [
            {"name": "DatasetUri", "value": ctx.imported("data.datasets")[ctx.spec["models"][name]["training"]["input"]]["uri"]}]}],
    }, path=("monitoring", "models", name, "on_drift"))
