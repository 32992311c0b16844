"""Bias and explainability monitors on SageMaker Clarify (`engine: model-monitor`), through
hashicorp/awscc (the aws provider has no job definitions for them).

- bias: post-training bias of live predictions, merged with the ground truth you
  upload, per sensitive facet (its alarms: `bias.py`).
- explainability: SHAP feature attributions of live traffic, computed against a
  shadow endpoint of the served model that Clarify creates and deletes; the report
  (Studio, or the output prefix) shows how attributions move.

Both check live traffic against the constraints the training run computed for the served
version (`baselines.py`); a run with violations notifies the alerts topic.

Clarify reads its analysis configuration from S3, so mlops writes it from the spec
(`mlops.clarify`) next to the reports (`monitoring/<model>/<kind>/analysis_config.json`,
KMS-encrypted). Both run in the VPC with encrypted volumes and outputs under a `clarify`
role that can do only this. Bias jobs are network-isolated; explainability jobs cannot
be, because they call the shadow endpoint.
"""

from __future__ import annotations

import json

from mlops import clarify
from mlops.errors import SpecError
from mlops.iam import VPC_ATTACH, VPC_DESCRIBE, clarify_shadow_endpoints, sagemaker_source_arn, service_role, statement
from mlops.module_api import BuildContext, Environment, Resource, literal, tf_name
from mlops.monitor_jobs import AWSCC, endpoint_input, monitor

from mlops_modules.models.exports import Model

from . import model_monitor
from .exports import MODEL_MONITOR

KINDS = ("bias", "explainability")


def build(ctx: BuildContext, name: str, monitors: dict, topic: Resource, model: Model) -> None:
    kinds = [k for k in KINDS if monitors.get(k)]
    if not kinds:
        return
    prefix = f"monitoring/{name}"
    role = _role(ctx, name, monitors, model, prefix, "explainability" in kinds)
    for kind in kinds:
        path = ("monitoring", "models", name, kind)
        config = (clarify.bias_monitor(monitors[kind]) if kind == "bias" else
                  clarify.explainability_monitor(monitors[kind], model.endpoint.model_name))
        obj = ctx.resource("aws_s3_object", tf_name(name, kind, "config"), {
            "bucket": model.output.ref("id"),
            "key": f"{prefix}/{kind}/analysis_config.json",
            "content": literal(json.dumps(config, sort_keys=True, indent=2)),
            "content_type": "application/json",
            "server_side_encryption": "aws:kms",
            "kms_key_id": model.output.key_arn,
        }, path=path)
        _job(ctx, name, kind, monitors[kind], model, role, prefix, obj, path, topic)


def _job(ctx: BuildContext, name: str, kind: str, settings: dict, model: Model, role: Resource, prefix: str,
         config: Resource, path: tuple, topic: Resource) -> None:
    endpoint, bucket = model.endpoint.name, model.output
    watched = endpoint_input(endpoint, **{k: settings[k] for k in ("inference_attribute", "probability_attribute")
                                          if k in settings})
    job_input = {"endpoint_input": watched}
    if kind == "bias":
        watched["probability_threshold_attribute"] = settings["probability_threshold"]
        job_input["ground_truth_s3_input"] = {"s3_uri": ctx.imported("data.datasets")[settings["ground_truth"]].uri}
    attrs = model_monitor.job(ctx, AWSCC, f"model_{kind}", name, kind, settings, model, role=role.ref("arn"),
                              reports=f"{prefix}/{kind}/reports", isolated=kind == "bias")
    attrs[f"model_{kind}_app_specification"] = {"image_uri": ctx.imported("models.clarify_image"),
                                                "config_uri": f"s3://{bucket.ref('bucket')}/{config.attrs['key']}",
                                                "environment": {"publish_cloudwatch_metrics": "Enabled"}}
    attrs[f"model_{kind}_job_input"] = job_input
    attrs[f"model_{kind}_baseline_config"] = {"constraints_resource": {"s3_uri": model.served_baseline(kind, "analysis.json")}}
    _, schedule = monitor(ctx, f"awscc_sagemaker_model_{kind}_job_definition", tf_name(name), attrs,
                          schedule_ident=tf_name(name, kind), schedule=settings["schedule"], path=path,
                          monitoring_type="ModelBias" if kind == "bias" else "ModelExplainability", depends_on=(config,))
    model_monitor.violations(ctx, name, kind, f"{kind}-violations", schedule, topic, path)


def _role(ctx: BuildContext, name: str, monitors: dict, model: Model, prefix: str, shadow: bool) -> Resource:
    """What Clarify jobs of one model do: read captured traffic, ground truth, their
    configuration and the served version's baselines, write reports and metrics, and
    (explainability) run a shadow endpoint."""
    env, bucket, capture = ctx.env, model.output, model.endpoint.capture
    reads = [f"{capture.ref('arn')}/{model.endpoint.capture_prefix}*", f"{bucket.ref('arn')}/{prefix}/*"]
    reads += [f"{bucket.ref('arn')}/{model.baselines[kind].prefix}/v*" for kind in KINDS if monitors.get(kind)]
    buckets = {capture.ref("arn"), bucket.ref("arn")}
    if monitors.get("bias"):
        truth = ctx.imported("data.datasets")[monitors["bias"]["ground_truth"]]
        reads.append(f"{truth.bucket.ref('arn')}/{truth.prefix}*")
        buckets.add(truth.bucket.ref("arn"))
    logs = env.arn("logs", "log-group:/aws/sagemaker/ProcessingJobs")
    statements = [
        statement("ListInputs", ["s3:GetBucketLocation", "s3:ListBucket"], sorted(buckets)),
        statement("ReadInputs", ["s3:GetObject"], sorted(reads)),
        statement("WriteReports", ["s3:PutObject"], [f"{bucket.ref('arn')}/{prefix}/*"]),
        statement("UseKeys", ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"],
                  sorted(set(ctx.imported("keys.arns").values()))),
        statement("WriteLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], [logs, logs + ":*"]),
        statement("PutMetrics", ["cloudwatch:PutMetricData"], ["*"],
                  conditions=[("StringLike", "cloudwatch:namespace", ["aws/sagemaker/Endpoints/*"])]),
        statement("DescribeNetwork", VPC_DESCRIBE, ["*"]),
        statement("AttachToVpc", VPC_ATTACH,
                  [env.arn("ec2", "subnet/*"), env.arn("ec2", "network-interface/*"), env.arn("ec2", "security-group/*")]),
    ]
    if shadow:
        statements += [clarify_shadow_endpoints("RunShadowEndpoint", env),
                       statement("DescribeServedModel", ["sagemaker:DescribeModel"], [model.endpoint.model_arns])]
    return service_role(ctx, tf_name("clarify", name), "sagemaker.amazonaws.com", statements,
                        path=("monitoring", "models", name), pin_account=False, source_arn=sagemaker_source_arn(env))


def check(env: Environment, name: str, kind: str, engine: str, capture: bool) -> list[SpecError]:
    """What a bias or explainability monitor needs on either engine: captured traffic and,
    on Clarify, a role Terraform runs as (the key policy names it to write the
    configuration encrypted)."""
    path, errors = ("monitoring", "models", name, kind), []
    if not env.role_arn and engine == MODEL_MONITOR:
        errors.append(SpecError(path, f"Terraform writes the {kind} monitor's configuration encrypted, and the key "
                                f"policy can name it only if {env.name} says which role Terraform runs as",
                                hint=f"set environments.{env.name}.role (a role name or ARN the provider assumes)"))
    if not capture:
        errors.append(SpecError(path, f"the {kind} monitor reads captured traffic, and {name}'s endpoint captures none",
                                hint="set endpoint.data_capture_percent (for example 20)"))
    return errors
