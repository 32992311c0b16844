"""Experiment tracking: a SageMaker managed MLflow tracking server, when asked.

Its artifact store is a prefix of a data bucket (the artifacts bucket by default), so
run artifacts get the bucket's encryption, versioning and access logs. The server's
own role may touch only that prefix, and the model registry when automatic model
registration is on. The Studio role gets the MLflow actions by name (no
`sagemaker-mlflow:*`): people track, browse and curate experiments and models from
notebooks. Training jobs run network-isolated, so they cannot reach the server and get
no MLflow actions. Studio reaches the server through an interface endpoint in the VPC
(network module, `aws.sagemaker.experiments`). The actions are MLflow 2's tracking and
registry APIs, which is why the server's version is pinned to 2.16 by default.
"""

from __future__ import annotations

from mlops.iam import service_role, statement
from mlops.module_api import BuildContext

PREFIX = "mlflow"
# Create and read experiments and runs, log to them, register what they produce.
LOG_ACTIONS = [f"sagemaker-mlflow:{a}" for a in (
    "CreateExperiment", "CreateModelVersion", "CreateRegisteredModel", "CreateRun", "GetExperiment",
    "GetExperimentByName", "GetLatestModelVersions", "GetMetricHistory", "GetModelVersion", "GetModelVersionByAlias",
    "GetRegisteredModel", "GetRun", "ListArtifacts", "LogBatch", "LogInputs", "LogMetric", "LogModel", "LogParam",
    "SearchExperiments", "SearchModelVersions", "SearchRegisteredModels", "SearchRuns", "SetExperimentTag",
    "SetTag", "UpdateRun", "GetDownloadURIForModelVersionArtifacts",
)]
# What people do on top: the UI, clean-up, and curating the registry.
MANAGE_ACTIONS = [f"sagemaker-mlflow:{a}" for a in (
    "DeleteExperiment", "DeleteModelVersion", "DeleteModelVersionTag", "DeleteRegisteredModel",
    "DeleteRegisteredModelAlias", "DeleteRegisteredModelTag", "DeleteRun", "DeleteTag", "RenameRegisteredModel",
    "RestoreExperiment", "RestoreRun", "SetModelVersionTag", "SetRegisteredModelAlias", "SetRegisteredModelTag",
    "TransitionModelVersionStage", "UpdateExperiment", "UpdateModelVersion", "UpdateRegisteredModel",
)]
OPEN_ACTIONS = ["sagemaker:CreatePresignedMlflowTrackingServerUrl", "sagemaker:DescribeMlflowTrackingServer"]


def server_name(project: str, env) -> str:
    return f"{project}-{env.name}"


def server_arn(project: str, env) -> str:
    return env.arn("sagemaker", f"mlflow-tracking-server/{server_name(project, env)}")


def role_statements(section, env, project: str) -> dict[str, list[dict]]:
    """The MLflow statements each workspace role gets, by role purpose."""
    if not section["experiment_tracking"]["enabled"]:
        return {}
    arn = server_arn(project, env)
    # sagemaker-mlflow:AccessUI has no resource type in the Service Authorization
    # Reference: IAM authorizes it only against Resource "*".
    return {"studio": [statement("TrackAndManageExperiments", LOG_ACTIONS + MANAGE_ACTIONS, [arn]),
                       statement("OpenTrackingUi", ["sagemaker-mlflow:AccessUI"], ["*"]),
                       statement("OpenTrackingServer", OPEN_ACTIONS, [arn])]}


def build(ctx: BuildContext) -> None:
    settings, env, spec = ctx.section["experiment_tracking"], ctx.env, ctx.spec
    if not settings["enabled"]:
        return
    path = ("workspace", "experiment_tracking")
    store = ctx.imported("data.buckets")[settings["bucket"]]
    key = store.key_arn
    project = spec["project"]
    statements = [
        statement("ListArtifactStore", ["s3:ListBucket"], [store.ref("arn")],
                  conditions=[("StringLike", "s3:prefix", [f"{PREFIX}/*", PREFIX])]),
        statement("LocateArtifactStore", ["s3:GetBucketLocation"], [store.ref("arn")]),
        statement("ReadWriteArtifacts", ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                  [store.ref("arn") + f"/{PREFIX}/*"]),
        statement("UseArtifactKey", ["kms:Decrypt", "kms:GenerateDataKey"], [key]),
    ]
    if settings["automatic_model_registration"]:
        statements.append(statement("RegisterModels", [
            "sagemaker:AddTags", "sagemaker:CreateModelPackage", "sagemaker:CreateModelPackageGroup",
            "sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup", "sagemaker:UpdateModelPackage",
        ], [env.arn("sagemaker", f"model-package/{project}-*"), env.arn("sagemaker", f"model-package-group/{project}-*")]))
    # AWS documents the tracking server role's trust policy with no condition
    # (sagemaker/latest/dg/mlflow-create-tracking-server-iam.html), and no aws:SourceArn
    # for tracking servers among SageMaker's confused-deputy examples: left unpinned.
    role = service_role(ctx, "experiment_tracking", "sagemaker.amazonaws.com", statements, path=path, pin_account=False)
    attrs = {
        "tracking_server_name": server_name(project, env),
        "artifact_store_uri": "s3://" + store.ref("bucket") + f"/{PREFIX}",
        "role_arn": role.ref("arn"),
        "tracking_server_size": settings["size"],
        "automatic_model_registration": settings["automatic_model_registration"],
        "weekly_maintenance_window_start": settings["maintenance_window"],
        "mlflow_version": settings["mlflow_version"],
    }
    server = ctx.resource("aws_sagemaker_mlflow_tracking_server", "main", attrs, path=path)
    ctx.output("mlflow_tracking_server_arn", server.ref("arn"), "Set MLFLOW_TRACKING_URI to this ARN (with the sagemaker-mlflow plugin)")
