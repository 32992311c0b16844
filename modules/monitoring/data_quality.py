"""Data-quality monitoring and the loop from drift to retraining.

- The training pipeline's baseline step computes statistics and constraints of the
  training data, kept per version (`baselines.py`).
- The monitor of an endpoint compares captured traffic with the baseline of the version
  that endpoint serves (`endpoint.model_version`), hourly or daily, in the VPC,
  encrypted, with network isolation, publishing per-feature drift metrics.
- Drift: a monitoring run that finds violations is an EventBridge event; it notifies the
  alerts topic and, with `on_drift`, starts the model's training pipeline, debounced
  (`retraining.py`). Per-feature CloudWatch alarms watch the drift distances.
"""

from __future__ import annotations

from mlops.module_api import BuildContext, tf_name
from mlops.names import fit

from .baselines import notify_violations
from .retraining import enabled, retrain

SCHEDULES = {"hourly": "cron(0 * ? * * *)", "daily": "cron(0 0 ? * * *)"}


def build(ctx: BuildContext, name: str, settings: dict, topic, model) -> None:
    path = ("monitoring", "models", name, "data_quality")
    key = ctx.imported("keys").platform
    bucket = model.output
    endpoint = model.endpoint.name
    definition = ctx.resource("aws_sagemaker_data_quality_job_definition", tf_name(name), {
        "name": fit(f"{endpoint}-data-quality", 63),
        "role_arn": ctx.imported("workspace.roles")["training"].ref("arn"),
        "data_quality_app_specification": [{
            "image_uri": ctx.imported("models.model_monitor_image"),
            "environment": {"publish_cloudwatch_metrics": "Enabled"},
        }],
        "data_quality_baseline_config": [{
            "constraints_resource": [{"s3_uri": model.served_baseline("data-quality", "constraints.json")}],
            "statistics_resource": [{"s3_uri": model.served_baseline("data-quality", "statistics.json")}],
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
        "name": fit(f"{endpoint}-data-quality", 63),
        "monitoring_schedule_config": [{
            "monitoring_job_definition_name": definition.ref("name"),
            "monitoring_type": "DataQuality",
            "schedule_config": [{"schedule_expression": SCHEDULES[settings["schedule"]]}],
        }],
    }, path=path + ("schedule",))
    for index, feature in enumerate(settings["features"]):
        ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, "drift", feature.replace(".", "_")), {
            "alarm_name": fit(f"{endpoint}-drift-{feature}", 255),
            "alarm_description": f"{name}: {feature} drifted more than {settings['drift_threshold']} from the baseline",
            "namespace": "aws/sagemaker/Endpoints/data-metrics",
            "metric_name": f"feature_baseline_drift_{feature}",
            "dimensions": {"Endpoint": endpoint, "MonitoringSchedule": fit(f"{endpoint}-data-quality", 63)},
            "statistic": "Maximum", "period": 3600 if settings["schedule"] == "hourly" else 86400,
            "evaluation_periods": 1, "comparison_operator": "GreaterThanThreshold",
            "threshold": settings["drift_threshold"], "treat_missing_data": "notBreaching",
            "alarm_actions": [topic.ref("arn")], "ok_actions": [topic.ref("arn")],
        }, path=path + ("features", index))
    _drift_loop(ctx, name, schedule, topic, path)


def _drift_loop(ctx: BuildContext, name: str, schedule, topic, path: tuple) -> None:
    rule = notify_violations(ctx, name, "data-quality", "drift", schedule, topic, path)
    if enabled(ctx.section["models"][name]["on_drift"]):
        retrain(ctx, name, rule, ("monitoring", "models", name, "on_drift"))
