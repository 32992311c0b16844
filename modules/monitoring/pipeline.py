"""Monitoring on mlops's own engine (`engine: mlops`, the default): it runs in every
account, because it uses only SageMaker Processing, SageMaker Pipelines, EventBridge
Scheduler, S3 and CloudWatch.

Per monitored model:
- one configuration per monitor kind, written by Terraform (KMS) to
  `monitoring/<model>/config/<kind>/monitor.json` in the model's output bucket: the
  endpoint, the spec's settings with the endpoint's input `columns` (names from the
  spec, never positions) and the `window` of one schedule period, so each run reads the
  capture of the period before it;
- a SageMaker pipeline `<project>-<env>-<model>-monitor` with one Processing step per
  kind (in a Condition on the `Monitor` parameter: a schedule runs one kind), running
  the engine's `job.py` (uploaded by the models module) in the scikit-learn processing
  image, in the VPC, without network isolation because it publishes to CloudWatch (the
  VPC's `monitoring` endpoint). Inputs: the endpoint's capture, the served version's
  baseline (data quality) or the ground truth (model quality, bias); reports go to
  `monitoring/<model>/<kind>/`;
- an EventBridge Scheduler schedule per kind, at the spec's schedule;
- a job role that may read exactly those inputs, write those reports, publish metrics
  in the engine's namespace only, and write its logs; a pipeline role that may run
  Processing jobs as that role only;
- alarms on the metrics the engine publishes, from the engine's own table
  (`engine.metrics.published_metrics`): drift per feature, the model-quality metric,
  bias per facet (`data_quality.py`, `model_quality.py`, `bias.py`), and violations
  per kind and failed runs (`alarms.py`).
"""

from __future__ import annotations

import json

from mlops.errors import SpecError
from mlops.events import schedule, scheduler_role
from mlops.iam import VPC_ATTACH, VPC_DESCRIBE, sagemaker_source_arn, service_role, statement
from mlops.instances import has_local_storage
from mlops.module_api import BuildContext, Environment, Resource, literal, tf_name
from mlops.monitor_jobs import SCHEDULES

from mlops_modules.models.exports import Model

from . import alarms, bias, data_quality, model_quality
from .engine.metrics import NAMESPACE
from .engine_config import config
from .exports import MLOPS_KINDS, job_role

CODE = "/opt/ml/processing/input/code"
INPUT = "/opt/ml/processing/input"
# What each kind alarms on besides its violations.
FEATURES = {"data_quality": data_quality, "model_quality": model_quality, "bias": bias}


def dashed(kind: str) -> str:
    return kind.replace("_", "-")


def build(ctx: BuildContext, name: str, monitors: dict, topic: Resource, model: Model) -> None:
    kinds = [k for k in MLOPS_KINDS if monitors.get(k)]
    if not kinds:
        return
    path = ("monitoring", "models", name)
    endpoint, key = model.endpoint.name, ctx.imported("keys").platform
    objects = {kind: ctx.resource("aws_s3_object", tf_name(name, kind, "monitor_config"), {
        "bucket": model.output.ref("id"),
        "key": f"monitoring/{name}/config/{dashed(kind)}/monitor.json",
        "content": literal(json.dumps(config(kind, endpoint, monitors[kind]), sort_keys=True, indent=2)),
        "content_type": "application/json",
        "server_side_encryption": "aws:kms",
        "kms_key_id": model.output.key_arn,
    }, path=path + (kind,)) for kind in kinds}
    inputs = {kind: _inputs(ctx, name, kind, monitors[kind], model) for kind in kinds}
    role = _job_role(ctx, name, kinds, inputs, model, path)
    pipeline = _pipeline(ctx, name, kinds, monitors, inputs, role, model, [*model.engine.objects, *objects.values()])
    scheduler = scheduler_role(ctx, tf_name("monitor", name, "schedule"), [
        statement("StartMonitoring", ["sagemaker:StartPipelineExecution"], [pipeline.ref("arn")])], key, path=path)
    for kind in kinds:
        schedule(ctx, tf_name("monitor", name, kind), name=f"{endpoint}-{dashed(kind)}",
                 description=f"Run {name}'s {dashed(kind)} monitor {monitors[kind]['schedule']}",
                 expression=SCHEDULES[monitors[kind]["schedule"]], arn=pipeline.ref("arn"), role=scheduler, key=key,
                 path=path + (kind, "schedule"),
                 sagemaker_pipeline_parameters=[{"pipeline_parameter": [{"name": "Monitor", "value": kind}]}])
    for kind in kinds:
        violations = alarms.violations(ctx, name, kind, monitors[kind], endpoint, topic)
        FEATURES[kind].engine_alarms(ctx, name, monitors, endpoint, violations, topic)
    alarms.failed_runs(ctx, name, pipeline, topic, path)


def _pipeline(ctx: BuildContext, name: str, kinds: list, monitors: dict, inputs: dict, role: Resource, model: Model,
              depends: list) -> Resource:
    """The monitoring pipeline: one step per kind, which the `Monitor` parameter picks."""
    key, path = ctx.imported("keys").platform, ("monitoring", "models", name)
    vpc = {"Subnets": list(ctx.imported("network.subnet_ids")), "SecurityGroupIds": [ctx.imported("workspace.security_group_id")]}
    steps = [_step(kind, monitors[kind], inputs[kind], f"s3://{model.output.ref('bucket')}/monitoring/{name}/{dashed(kind)}/",
                   model.engine.image, role, key, vpc, ctx.env.region) for kind in kinds]
    definition = {"Version": "2020-12-01", "Metadata": {"GeneratedBy": "mlops"}, "Steps": steps, "Parameters": [
        {"Name": "Monitor", "Type": "String", "DefaultValue": "all",
         "Description": f"The monitor to run ({', '.join(kinds)}), or all"}]}
    pipeline_name = f"{model.endpoint.name}-monitor"
    return ctx.resource("aws_sagemaker_pipeline", tf_name(name, "monitor"), {
        "pipeline_name": pipeline_name,
        "pipeline_display_name": pipeline_name,
        "pipeline_description": f"Monitor {name}'s endpoint with mlops's monitoring job (generated by mlops)",
        "role_arn": _pipeline_role(ctx, name, role, path).ref("arn"),
        "pipeline_definition": json.dumps(definition, indent=2, sort_keys=True),
    }, path=path, depends_on=depends)


def _inputs(ctx: BuildContext, name: str, kind: str, settings: dict, model: Model) -> list[tuple]:
    """(input name, S3 URI, bucket, key prefix) of one kind's Processing inputs; the
    bucket is None for the baselines of a model served from another environment, which
    keeps them (`Model.trained_in`)."""
    output, capture, prefix = model.output, model.endpoint.capture, model.endpoint.capture_prefix
    found = [("code", model.engine.uri, output, model.engine.prefix),
             ("config", f"s3://{output.ref('bucket')}/monitoring/{name}/config/{dashed(kind)}/", output,
              f"monitoring/{name}/config/{dashed(kind)}/"),
             ("capture", f"s3://{capture.ref('bucket')}/{prefix}", capture, prefix)]
    if kind == "data_quality":
        version = f"{model.baselines['data-quality'].prefix}/v{model.endpoint.version}/"
        found.append(("baseline", f"s3://{model.baseline_bucket}/{version}", None if model.trained_in else output, version))
    else:
        truth = ctx.imported("data.datasets")[settings["ground_truth"]]
        found.append(("ground_truth", truth.uri, truth.bucket, truth.prefix))
    return found


def _step(kind: str, settings: dict, inputs: list, report_uri: str, image: str, role, key: str, vpc: dict,
          region: str) -> dict:
    """One kind's Processing step, in a Condition that runs it when `Monitor` names it."""
    job = {"Name": f"Monitor{''.join(p.title() for p in kind.split('_'))}", "Type": "Processing", "Arguments": {
        "AppSpecification": {"ImageUri": image, "ContainerEntrypoint": ["python3", f"{CODE}/job.py"]},
        "RoleArn": role.ref("arn"),
        "Environment": {"AWS_DEFAULT_REGION": region},
        "ProcessingResources": {"ClusterConfig": {"InstanceType": settings["instance_type"], "InstanceCount": 1,
                                                  "VolumeSizeInGB": 20,
                                                  **({} if has_local_storage(settings["instance_type"]) else {"VolumeKmsKeyId": key})}},
        "ProcessingInputs": [
            {"InputName": n, "S3Input": {"S3Uri": uri, "LocalPath": f"{INPUT}/{n}", "S3DataType": "S3Prefix",
                                         "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}}
            for n, uri, _, _ in inputs],
        "ProcessingOutputConfig": {"KmsKeyId": key, "Outputs": [{"OutputName": "report", "S3Output": {
            "S3Uri": report_uri, "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
        # Not isolated: the job publishes its metrics to CloudWatch (the VPC's monitoring endpoint).
        "NetworkConfig": {"EnableNetworkIsolation": False, "EnableInterContainerTrafficEncryption": True, "VpcConfig": vpc},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }}
    return {"Name": f"Run{job['Name']}", "Type": "Condition", "Arguments": {
        # Or of two Equals: AWS's schema cannot tell which type an `In` condition's Get has.
        "Conditions": [{"Type": "Or", "Conditions": [
            {"Type": "Equals", "LeftValue": {"Get": "Parameters.Monitor"}, "RightValue": value} for value in (kind, "all")]}],
        "IfSteps": [job], "ElseSteps": []}}


def _job_role(ctx: BuildContext, name: str, kinds: list, inputs: dict, model: Model, path: tuple) -> Resource:
    """What the monitoring jobs of one model do, and nothing else; the baselines of a
    model served from another environment are read there (`TrainedIn.reads`)."""
    env, output = ctx.env, model.output
    here = [(bucket, prefix) for found in inputs.values() for _, _, bucket, prefix in found if bucket]
    elsewhere = [prefix for found in inputs.values() for _, _, bucket, prefix in found if not bucket]
    buckets = {bucket.ref("arn"): bucket for bucket, _ in here}
    reads = sorted({f"{bucket.ref('arn')}/{prefix}*" for bucket, prefix in here})
    used = sorted({bucket.key_arn for bucket in buckets.values()} | {ctx.imported("keys").platform})
    logs = env.arn("logs", "log-group:/aws/sagemaker/ProcessingJobs")
    return service_role(ctx, job_role(name), "sagemaker.amazonaws.com", [
        statement("ListInputs", ["s3:GetBucketLocation", "s3:ListBucket"], sorted(buckets)),
        statement("ReadInputs", ["s3:GetObject"], reads),
        statement("WriteReports", ["s3:PutObject"], [f"{output.ref('arn')}/monitoring/{name}/{dashed(k)}/*" for k in kinds]),
        statement("UseKeys", ["kms:Decrypt", "kms:GenerateDataKey"], used),
        statement("WriteLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], [logs, logs + ":*"]),
        statement("PutMetrics", ["cloudwatch:PutMetricData"], ["*"],
                  conditions=[("StringEquals", "cloudwatch:namespace", [NAMESPACE])]),
        statement("DescribeNetwork", VPC_DESCRIBE, ["*"]),
        statement("AttachToVpc", VPC_ATTACH,
                  [env.arn("ec2", "subnet/*"), env.arn("ec2", "network-interface/*"), env.arn("ec2", "security-group/*")]),
        *(model.trained_in.reads("ReadServedBaselines", elsewhere, listed=True) if elsewhere else []),
    ], path=path, pin_account=False, source_arn=sagemaker_source_arn(env))


def _pipeline_role(ctx: BuildContext, name: str, job_role, path: tuple):
    """The monitoring pipeline starts and watches Processing jobs as the job role, only."""
    env = ctx.env
    return service_role(ctx, tf_name("monitor", name, "pipeline"), "sagemaker.amazonaws.com", [
        statement("RunMonitoringJobs", ["sagemaker:AddTags", "sagemaker:CreateProcessingJob",
                                        "sagemaker:DescribeProcessingJob", "sagemaker:StopProcessingJob"],
                  [env.arn("sagemaker", "processing-job/*")]),
        statement("PassJobRole", ["iam:PassRole"], [job_role.ref("arn")],
                  conditions=[("StringEquals", "iam:PassedToService", ["sagemaker.amazonaws.com"])]),
        statement("UseKeyForJobs", ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
                  [ctx.imported("keys").platform]),
    ], path=path, pin_account=False, source_arn=sagemaker_source_arn(env))


def check(env: Environment, name: str, settings: dict) -> list[SpecError]:
    """Terraform uploads the engine and its configurations encrypted, so the key policy
    must name the role it runs as."""
    kinds = [k for k in MLOPS_KINDS if settings.get(k)]
    if kinds and not env.role_arn:
        return [SpecError(("monitoring", "models", name, kinds[0]), f"Terraform uploads the monitoring job and its "
                          f"configuration encrypted, and the key policy can name it only if {env.name} says which role "
                          "Terraform runs as",
                          hint=f"set environments.{env.name}.role (a role name or ARN the provider assumes)")]
    return []
