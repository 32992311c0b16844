"""Model-quality monitoring, through hashicorp/awscc (the aws provider has no
model-quality job definition): captured predictions merged with uploaded ground truth,
scored on a schedule in the VPC (encrypted, isolated) and checked against the constraints
the training run computed for the served version (a violation notifies), with a
CloudWatch alarm on the metric and threshold the spec names. The schedule itself is an
aws_sagemaker_monitoring_schedule."""

from __future__ import annotations

from mlops.module_api import BuildContext, tf_name
from mlops.names import fit

from .baselines import notify_violations
from .data_quality import SCHEDULES


def build(ctx: BuildContext, name: str, settings: dict, topic, model) -> None:
    path = ("monitoring", "models", name, "model_quality")
    endpoint = model.endpoint.name
    key = ctx.imported("keys").platform
    bucket = model.output
    truth = ctx.imported("data.datasets")[settings["ground_truth"]].uri
    endpoint_input = {"endpoint_name": endpoint, "local_path": "/opt/ml/processing/input/endpoint",
                      "s3_data_distribution_type": "FullyReplicated", "s3_input_mode": "File"}
    for field, attribute in (("inference_attribute", "inference_attribute"), ("probability_attribute", "probability_attribute"),
                             ("probability_threshold", "probability_threshold_attribute")):
        if field in settings:
            endpoint_input[attribute] = settings[field]
    definition = ctx.resource("awscc_sagemaker_model_quality_job_definition", tf_name(name), {
        "job_definition_name": fit(f"{endpoint}-model-quality", 63),
        "role_arn": ctx.imported("workspace.roles")["training"].ref("arn"),
        # Without this, Model Monitor publishes no metric, and the alarm below never fires.
        "model_quality_app_specification": {"image_uri": ctx.imported("models.model_monitor_image"),
                                            "problem_type": settings["problem_type"],
                                            "environment": {"publish_cloudwatch_metrics": "Enabled"}},
        "model_quality_baseline_config": {"constraints_resource": {"s3_uri": model.served_baseline("model-quality", "constraints.json")}},
        "model_quality_job_input": {"endpoint_input": endpoint_input, "ground_truth_s3_input": {"s3_uri": truth}},
        "model_quality_job_output_config": {"kms_key_id": key, "monitoring_outputs": [{"s3_output": {
            "s3_uri": f"s3://{bucket.ref('bucket')}/monitoring/{name}/model-quality",
            "local_path": "/opt/ml/processing/output", "s3_upload_mode": "EndOfJob"}}]},
        "job_resources": {"cluster_config": {"instance_count": 1, "instance_type": settings["instance_type"],
                                             "volume_size_in_gb": 20, "volume_kms_key_id": key}},
        "network_config": {"enable_network_isolation": True, "enable_inter_container_traffic_encryption": True,
                           "vpc_config": {"subnets": ctx.imported("network.subnet_ids"),
                                          "security_group_ids": [ctx.imported("workspace.security_group_id")]}},
        "stopping_condition": {"max_runtime_in_seconds": 3600},
    }, path=path)
    schedule_name = fit(f"{endpoint}-model-quality", 63)
    schedule = ctx.resource("aws_sagemaker_monitoring_schedule", tf_name(name, "model_quality"), {
        "name": schedule_name,
        "monitoring_schedule_config": [{
            "monitoring_job_definition_name": definition.ref("job_definition_name"),
            "monitoring_type": "ModelQuality",
            "schedule_config": [{"schedule_expression": SCHEDULES[settings["schedule"]]}],
        }],
    }, path=path + ("schedule",))
    notify_violations(ctx, name, "model-quality", "model-quality-violations", schedule, topic, path)
    at_least = "min" in settings
    limit = settings["min"] if at_least else settings["max"]
    ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, "model_quality"), {
        "alarm_name": f"{endpoint}-model-quality-{settings['metric']}",
        "alarm_description": f"{name}: {settings['metric']} {'below' if at_least else 'above'} {limit} on live traffic",
        "namespace": "aws/sagemaker/Endpoints/model-metrics",
        "metric_name": settings["metric"],
        "dimensions": {"Endpoint": endpoint, "MonitoringSchedule": schedule_name},
        "statistic": "Average", "period": 3600 if settings["schedule"] == "hourly" else 86400,
        "evaluation_periods": 1,
        "comparison_operator": "LessThanThreshold" if at_least else "GreaterThanThreshold",
        "threshold": limit, "treat_missing_data": "notBreaching",
        "alarm_actions": [topic.ref("arn")], "ok_actions": [topic.ref("arn")],
    }, path=path + ("metric",))
