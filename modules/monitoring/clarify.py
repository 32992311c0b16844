"""Bias and explainability monitoring with SageMaker Clarify, through hashicorp/awscc
(the aws provider has no job definitions for them).

- bias: post-training bias of live predictions, merged with the ground truth you
  upload, per sensitive facet; one alarm per named bias metric on its absolute value.
- explainability: SHAP feature attributions of live traffic, computed against a
  shadow endpoint of the served model that Clarify creates and deletes; the report
  (Studio, or the output prefix) shows how attributions move.

Both check live traffic against the constraints the training run computed for the served
version (`baselines.py`); a run with violations notifies the alerts topic.

Clarify reads its analysis configuration from S3, so mlops writes it from the spec
next to the reports (`monitoring/<model>/<kind>/analysis_config.json`, KMS-encrypted).
Both run in the VPC with encrypted volumes and outputs under a `clarify` role that can
do only this. Bias jobs are network-isolated; explainability jobs cannot be, because
they call the shadow endpoint: the exception is declared on the job definition.
"""

from __future__ import annotations

import json

from mlops import clarify
from mlops.iam import VPC_ATTACH, VPC_DESCRIBE, clarify_shadow_endpoints, sagemaker_source_arn, service_role, statement
from mlops.module_api import BuildContext, literal, tf_name
from mlops.names import fit

from .alarms import bias_alarm
from .baselines import notify_violations
from .data_quality import SCHEDULES

METRIC_NAMESPACE = "aws/sagemaker/Endpoints/bias-metrics"


def build(ctx: BuildContext, name: str, settings: dict, topic, model) -> None:
    kinds = [k for k in ("bias", "explainability") if settings.get(k)]
    if not kinds:
        return
    endpoint = model.endpoint.name
    bucket = model.output
    bucket_key = model.output.key_arn
    key = ctx.imported("keys").platform
    prefix = f"monitoring/{name}"
    role = _role(ctx, name, settings, model, prefix, "explainability" in kinds)
    for kind in kinds:
        path = ("monitoring", "models", name, kind)
        if kind == "bias":
            config = clarify.bias_monitor(settings["bias"])
        else:
            config = clarify.explainability_monitor(settings["explainability"], model.endpoint.model_name)
        obj = ctx.resource("aws_s3_object", tf_name(name, kind, "config"), {
            "bucket": bucket.ref("id"),
            "key": f"{prefix}/{kind}/analysis_config.json",
            "content": literal(json.dumps(config, sort_keys=True, indent=2)),
            "content_type": "application/json",
            "server_side_encryption": "aws:kms",
            "kms_key_id": bucket_key,
        }, path=path)
        _job(ctx, name, kind, settings[kind], model, role, key, prefix, obj, path, topic)
    if "bias" in kinds:
        _bias_alarms(ctx, name, settings["bias"], endpoint, topic)


def _job(ctx, name, kind, settings, model, role, key, prefix, config, path, topic) -> None:
    endpoint, bucket = model.endpoint.name, model.output
    endpoint_input = {"endpoint_name": endpoint, "local_path": "/opt/ml/processing/input/endpoint",
                      "s3_data_distribution_type": "FullyReplicated", "s3_input_mode": "File"}
    endpoint_input.update({k: settings[k] for k in ("inference_attribute", "probability_attribute") if k in settings})
    job_input = {"endpoint_input": endpoint_input}
    if kind == "bias":
        endpoint_input["probability_threshold_attribute"] = settings["probability_threshold"]
        job_input["ground_truth_s3_input"] = {"s3_uri": ctx.imported("data.datasets")[settings["ground_truth"]].uri}
    attrs = {
        "job_definition_name": fit(f"{endpoint}-{kind}", 63),
        "role_arn": role.ref("arn"),
        f"model_{kind}_app_specification": {"image_uri": ctx.imported("models.clarify_image"),
                                            "config_uri": f"s3://{bucket.ref('bucket')}/{config.attrs['key']}",
                                            "environment": {"publish_cloudwatch_metrics": "Enabled"}},
        f"model_{kind}_job_input": job_input,
        f"model_{kind}_job_output_config": {"kms_key_id": key, "monitoring_outputs": [{"s3_output": {
            "s3_uri": f"s3://{bucket.ref('bucket')}/{prefix}/{kind}/reports",
            "local_path": "/opt/ml/processing/output", "s3_upload_mode": "EndOfJob"}}]},
        "job_resources": {"cluster_config": {"instance_count": 1, "instance_type": settings["instance_type"],
                                             "volume_size_in_gb": 20, "volume_kms_key_id": key}},
        "network_config": {"enable_network_isolation": kind == "bias", "enable_inter_container_traffic_encryption": True,
                           "vpc_config": {"subnets": ctx.imported("network.subnet_ids"),
                                          "security_group_ids": [ctx.imported("workspace.security_group_id")]}},
        "stopping_condition": {"max_runtime_in_seconds": 3600},
        f"model_{kind}_baseline_config": {"constraints_resource": {"s3_uri": model.served_baseline(kind, "analysis.json")}},
    }
    definition = ctx.resource(f"awscc_sagemaker_model_{kind}_job_definition", tf_name(name), attrs, path=path,
                              depends_on=[config])
    schedule = ctx.resource("aws_sagemaker_monitoring_schedule", tf_name(name, kind), {
        "name": fit(f"{endpoint}-{kind}", 63),
        "monitoring_schedule_config": [{
            "monitoring_job_definition_name": definition.ref("job_definition_name"),
            "monitoring_type": "ModelBias" if kind == "bias" else "ModelExplainability",
            "schedule_config": [{"schedule_expression": SCHEDULES[settings["schedule"]]}],
        }],
    }, path=path + ("schedule",))
    notify_violations(ctx, name, kind, f"{kind}-violations", schedule, topic, path)


def _bias_alarms(ctx, name: str, settings: dict, endpoint: str, topic) -> None:
    schedule = fit(f"{endpoint}-bias", 63)
    period = 3600 if settings["schedule"] == "hourly" else 86400
    for index, facet in enumerate(settings["facets"]):
        for metric, limit in sorted(settings["alarms"].items()):
            # One positive label value and one facet value each (the schema says so), so
            # the dimensions name exactly what Clarify publishes.
            dims = {"Endpoint": endpoint, "MonitoringSchedule": schedule, "BiasStage": "Post-Training",
                    "Label": settings["label"], "LabelValue": str(settings["positive_label"][0]),
                    "Facet": facet["name"], "FacetValue": str(facet["values"][0])}
            bias_alarm(ctx, name, facet, index, metric, limit, endpoint, topic, facet["name"], {
                "namespace": METRIC_NAMESPACE, "metric_name": f"bias_metric_{metric}", "dimensions": dims,
                "period": period, "stat": "Average"})


def _role(ctx: BuildContext, name: str, settings: dict, model, prefix: str, shadow: bool):
    """What Clarify jobs of one model do: read captured traffic, ground truth, their
    configuration and the served version's baselines, write reports and metrics, and
    (explainability) run a shadow endpoint."""
    env, bucket = ctx.env, model.output
    datasets = ctx.imported("data.datasets")
    keys = sorted(set(ctx.imported("keys.arns").values()))
    capture = model.endpoint.capture
    reads = [f"{capture.ref('arn')}/{model.endpoint.capture_prefix}*", f"{bucket.ref('arn')}/{prefix}/*"]
    reads += [f"{bucket.ref('arn')}/{model.baselines[kind].prefix}/v*" for kind in ("bias", "explainability")
              if settings.get(kind)]
    buckets = {capture.ref("arn"), bucket.ref("arn")}
    if settings.get("bias"):
        truth = datasets[settings["bias"]["ground_truth"]]
        reads.append(f"{truth.bucket.ref('arn')}/{truth.prefix}*")
        buckets.add(truth.bucket.ref("arn"))
    logs = env.arn("logs", "log-group:/aws/sagemaker/ProcessingJobs")
    statements = [
        statement("ListInputs", ["s3:GetBucketLocation", "s3:ListBucket"], sorted(buckets)),
        statement("ReadInputs", ["s3:GetObject"], sorted(reads)),
        statement("WriteReports", ["s3:PutObject"], [f"{bucket.ref('arn')}/{prefix}/*"]),
        statement("UseKeys", ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"], keys),
        statement("WriteLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], [logs, logs + ":*"]),
        statement("PutMetrics", ["cloudwatch:PutMetricData"], ["*"],
                  conditions=[("StringLike", "cloudwatch:namespace", ["aws/sagemaker/Endpoints/*"])]),
        statement("DescribeNetwork", VPC_DESCRIBE, ["*"]),
        statement("AttachToVpc", VPC_ATTACH,
                  [env.arn("ec2", "subnet/*"), env.arn("ec2", "network-interface/*"), env.arn("ec2", "security-group/*")]),
    ]
    if shadow:
        statements += [
            clarify_shadow_endpoints("RunShadowEndpoint", env),
            statement("DescribeServedModel", ["sagemaker:DescribeModel"],
                      [model.endpoint.model_arns]),
        ]
    return service_role(ctx, tf_name("clarify", name), "sagemaker.amazonaws.com", statements,
                        path=("monitoring", "models", name), pin_account=False, source_arn=sagemaker_source_arn(env))
