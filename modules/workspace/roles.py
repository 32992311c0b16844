"""The execution roles, one per purpose, each scoped to the resources the spec declares.

- studio: people working in SageMaker Studio (read and write data, start pipelines);
- training: training and processing jobs (read datasets, write artifacts, pull images);
- pipelines: SageMaker Pipelines executions (start and watch jobs, pass the training
  role, register models);
- inference: endpoints (read model artifacts, pull images).
No statement allows `*` or `service:*` actions; resources are named wherever the
service supports it.
"""

from __future__ import annotations

from mlops.iam import (VPC_ATTACH, VPC_DESCRIBE, clarify_shadow_endpoints, sagemaker_source_arn, service_role,
                       statement)
from mlops.module_api import BuildContext, Resource

from mlops_modules.models.exports import ModelsPlan
from mlops_modules.monitoring.exports import MonitoringPlan

from . import tracking

# Detection and inference calls: they read what they are given and create nothing but
# their own results (a transcription job and its transcript).
AI_ACTIONS = {
    "comprehend": ["comprehend:BatchDetectEntities", "comprehend:BatchDetectKeyPhrases", "comprehend:BatchDetectSentiment",
                   "comprehend:DetectDominantLanguage", "comprehend:DetectEntities", "comprehend:DetectKeyPhrases",
                   "comprehend:DetectPiiEntities", "comprehend:DetectSentiment", "comprehend:DetectSyntax"],
    "rekognition": ["rekognition:DetectFaces", "rekognition:DetectLabels", "rekognition:DetectModerationLabels",
                    "rekognition:DetectText"],
    "textract": ["textract:AnalyzeDocument", "textract:AnalyzeExpense", "textract:DetectDocumentText"],
    "translate": ["translate:TranslateText"],
    "transcribe": ["transcribe:GetTranscriptionJob", "transcribe:StartTranscriptionJob"],
    "bedrock": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
}
ENDPOINT_SERVICE = {"comprehend": "comprehend", "rekognition": "rekognition", "textract": "textract",
                    "translate": "translate", "transcribe": "transcribe", "bedrock": "bedrock-runtime"}
ECR_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
KMS_USE = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:CreateGrant"]


def build_roles(ctx: BuildContext, security_group: Resource) -> dict[str, Resource]:
    """The four roles, in this order (each passes the ones before it, or is passed)."""
    env, project = ctx.env, ctx.spec["project"]
    read_write, read = _data(ctx)
    models: ModelsPlan | None = ctx.planned("models")
    report = [statement("ReadTrainingMetrics", ["sagemaker:DescribeTrainingJob"], [env.arn("sagemaker", "training-job/*")])]
    candidates, shadows = _baseline_needs(ctx)
    roles = {"training": _role(ctx, "training", security_group, read_write,
                               shadows + (report if models and models.reports else []))}
    roles["inference"] = _role(ctx, "inference", security_group, read)
    pass_training = statement("PassTrainingRole", ["iam:PassRole"], [roles["training"].ref("arn")],
                              conditions=[("StringEquals", "iam:PassedToService", ["sagemaker.amazonaws.com"])])
    run_jobs = statement("RunJobs", ["sagemaker:AddTags", "sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob",
                                     "sagemaker:DescribeProcessingJob", "sagemaker:DescribeTrainingJob",
                                     "sagemaker:StopProcessingJob", "sagemaker:StopTrainingJob"],
                         [env.arn("sagemaker", f"{kind}/*") for kind in ("training-job", "processing-job", "transform-job")])
    register = statement("RegisterModels", ["sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackage",
                                            "sagemaker:ListModelPackages", "sagemaker:AddTags"],
                         [env.arn("sagemaker", f"model-package/{project}-*"),
                          env.arn("sagemaker", f"model-package-group/{project}-*")])
    roles["pipelines"] = _role(ctx, "pipelines", security_group, read_write + [pass_training, run_jobs, register] + candidates)
    studio = _studio(ctx) + [run_jobs, pass_training] + _code_repositories(ctx)
    roles["studio"] = _role(ctx, "studio", security_group, read_write + studio,
                            tracking.role_statements(ctx.section, env, project).get("studio", []))
    return roles


def _role(ctx: BuildContext, purpose: str, security_group: Resource, statements: list[dict],
          after: list[dict] = ()) -> Resource:
    """One role: what every role does, `statements`, the AI services the spec gives the
    purpose, then `after`. SageMaker does not send aws:SourceAccount for every way it
    assumes these roles (Studio apps, pipelines, endpoints); their trust policies pin the
    account through aws:SourceArn instead, as SageMaker documents
    (mlops.iam.sagemaker_source_arn)."""
    ai = _ai(ctx, purpose)
    accepted = [("CKV_AWS_356", "AI services' detection calls on their built-in models name no resource, so IAM "
                 "authorizes them only against Resource \"*\"; the statement lists read-only actions")] if ai else []
    return service_role(ctx, purpose, "sagemaker.amazonaws.com", _common(ctx, security_group) + statements + ai + list(after),
                        path=("workspace",), pin_account=False, source_arn=sagemaker_source_arn(ctx.env), accepted=accepted)


def _common(ctx: BuildContext, security_group: Resource) -> list[dict]:
    """What every role does: use the keys, write logs and metrics, run in the VPC, list
    the data buckets and pull the custom images."""
    env = ctx.env
    logs = env.arn("logs", "log-group:/aws/sagemaker/*")
    bucket_arns = _bucket_arns(ctx)
    images = ctx.imported("repositories.images", {})
    image_arns = [images[n].repository.ref("arn") for n in sorted(images)]
    out = [
        statement("UseKeys", KMS_USE, sorted(set(ctx.imported("keys.arns").values()))),
        statement("WriteLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams",
                                "logs:PutLogEvents"], [logs, logs + ":*"]),
        statement("PutMetrics", ["cloudwatch:PutMetricData"], ["*"],
                  conditions=[("StringLike", "cloudwatch:namespace", ["/aws/sagemaker/*", "aws/sagemaker/*"])]),
        statement("DescribeNetwork", VPC_DESCRIBE, ["*"]),
        statement("AttachToVpc", VPC_ATTACH,
                  [env.arn("ec2", "subnet/*"), env.arn("ec2", "network-interface/*"), security_group.ref("arn")]),
    ]
    if bucket_arns:
        out.append(statement("ListDataBuckets", ["s3:GetBucketLocation", "s3:ListBucket"], bucket_arns))
    if image_arns:
        out += [statement("LogInToEcr", ["ecr:GetAuthorizationToken"], ["*"]),
                statement("PullImages", ECR_PULL, image_arns)]
    return out


def _bucket_arns(ctx: BuildContext) -> list[str]:
    buckets = ctx.imported("data.buckets", {})
    return [buckets[n].ref("arn") for n in sorted(buckets)]


def _data(ctx: BuildContext) -> tuple[list[dict], list[dict]]:
    """Reading and writing every data bucket's objects; reading them, plus writing what
    endpoints capture (they capture as the inference role)."""
    objects = [arn + "/*" for arn in _bucket_arns(ctx)]
    if not objects:
        return [], []
    read_write = [statement("ReadWriteData", ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject",
                                               "s3:GetObjectVersion", "s3:PutObject"], objects)]
    read = [statement("ReadData", ["s3:GetObject", "s3:GetObjectVersion"], objects)]
    buckets = ctx.imported("data.buckets")
    models: ModelsPlan | None = ctx.planned("models")
    capture = sorted({f"{buckets[bucket].ref('arn')}/{prefix}*" for bucket, prefix in (models.captures.values() if models else ())
                      if bucket in buckets})
    if capture:
        read.append(statement("WriteCapturedData", ["s3:PutObject"], capture))
    return read_write, read


def _ai(ctx: BuildContext, purpose: str) -> list[dict]:
    actions = [a for service, roles in sorted(ctx.section["ai_services"].items()) if purpose in roles
               for a in AI_ACTIONS[service]]
    return [statement("CallAiServices", actions, ["*"])] if actions else []


def _studio(ctx: BuildContext) -> list[dict]:
    """What people do in Studio: run pipelines and apps, browse the registry. People
    experiment too: the same job actions as the pipelines (added by the caller)."""
    env, project = ctx.env, ctx.spec["project"]
    pipelines_arn = env.arn("sagemaker", f"pipeline/{project}-{env.name}-*")
    start = statement("RunPipelines", ["sagemaker:DescribePipeline", "sagemaker:DescribePipelineExecution",
                                       "sagemaker:ListPipelineExecutionSteps", "sagemaker:ListPipelineExecutions",
                                       "sagemaker:StartPipelineExecution", "sagemaker:StopPipelineExecution"],
                      [pipelines_arn, pipelines_arn + "/*"])
    apps = statement("UseStudioApps", ["sagemaker:AddTags", "sagemaker:CreateApp", "sagemaker:CreateSpace",
                                       "sagemaker:DeleteApp", "sagemaker:DeleteSpace", "sagemaker:DescribeApp",
                                       "sagemaker:DescribeDomain", "sagemaker:DescribeSpace", "sagemaker:DescribeUserProfile",
                                       "sagemaker:ListTags", "sagemaker:UpdateSpace"],
                     [env.arn("sagemaker", "domain/*"), env.arn("sagemaker", "app/*"),
                      env.arn("sagemaker", "space/*"), env.arn("sagemaker", "user-profile/*")])
    browse = statement("BrowseRegistry", ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup",
                                          "sagemaker:ListModelPackages"],
                       [env.arn("sagemaker", f"model-package/{project}-*"),
                        env.arn("sagemaker", f"model-package-group/{project}-*")])
    # The Service Authorization Reference gives these list actions no resource type:
    # IAM authorizes them only against Resource "*", so they get a statement of their own.
    listing = statement("ListStudioAndRegistry", ["sagemaker:ListApps", "sagemaker:ListModelPackageGroups",
                                                  "sagemaker:ListSpaces"], ["*"])
    return [start, apps, browse, listing]


def _code_repositories(ctx: BuildContext) -> list[dict]:
    sources = ctx.imported("repositories.sources", {})
    codecommit = sorted(s.repository.ref("arn") for s in sources.values() if s.provider == "codecommit")
    if not codecommit:
        return []
    return [statement("UseCodeRepositories", ["codecommit:GetBranch", "codecommit:GetRepository",
                                              "codecommit:GitPull", "codecommit:GitPush"], codecommit)]


def _baseline_needs(ctx: BuildContext) -> tuple[list[dict], list[dict]]:
    """What baseline steps add when a model is monitored for model quality, bias or
    explainability (models/baselines.py): the pipeline creates a candidate model (run as
    the training role) and scores the holdout with it; Clarify checks, running as the
    training role, put shadow endpoints in front of it. SageMaker Pipelines names the
    candidate models and transform jobs it creates, so those statements name no prefix;
    passing a role stays limited to the training role."""
    env = ctx.env
    monitoring: MonitoringPlan | None = ctx.planned("monitoring")
    candidates, shadows = [], []
    if monitoring and monitoring.scores_candidates:
        candidates.append(statement("RunCandidateModels", [
            "sagemaker:AddTags", "sagemaker:CreateModel", "sagemaker:CreateTransformJob", "sagemaker:DescribeModel",
            "sagemaker:DescribeTransformJob", "sagemaker:StopTransformJob"],
            [env.arn("sagemaker", "model/*"), env.arn("sagemaker", "transform-job/*")]))
    if monitoring and monitoring.runs_shadow_endpoints:
        shadows += [
            clarify_shadow_endpoints("RunClarifyShadowEndpoints", env),
            statement("DescribeCandidateModels", ["sagemaker:DescribeModel"], [env.arn("sagemaker", "model/*")]),
        ]
    return candidates, shadows
