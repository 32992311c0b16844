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
from mlops.module_api import BuildContext

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


def build_roles(ctx: BuildContext, security_group) -> dict[str, object]:
    env, spec = ctx.env, ctx.spec
    project = spec["project"]
    path = ("workspace",)
    keys = sorted(set(ctx.imported("keys.arns").values()))
    buckets = ctx.imported("data.buckets", {})
    bucket_arns = [buckets[n].ref("arn") for n in sorted(buckets)]
    objects = [arn + "/*" for arn in bucket_arns]
    images = ctx.imported("repositories.images", {})
    image_arns = [images[n]["repository"].ref("arn") for n in sorted(images)]
    logs = env.arn("logs", "log-group:/aws/sagemaker/*")
    jobs = [env.arn("sagemaker", f"{kind}/*") for kind in ("training-job", "processing-job", "transform-job")]
    subnets = [env.arn("ec2", "subnet/*"), env.arn("ec2", "network-interface/*"), security_group.ref("arn")]

    def common() -> list[dict]:
        out = [
            statement("UseKeys", KMS_USE, keys),
            statement("WriteLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams",
                                    "logs:PutLogEvents"], [logs, logs + ":*"]),
            statement("PutMetrics", ["cloudwatch:PutMetricData"], ["*"],
                      conditions=[("StringLike", "cloudwatch:namespace", ["/aws/sagemaker/*", "aws/sagemaker/*"])]),
            statement("DescribeNetwork", VPC_DESCRIBE, ["*"]),
            statement("AttachToVpc", VPC_ATTACH, subnets),
        ]
        if bucket_arns:
            out.append(statement("ListDataBuckets", ["s3:GetBucketLocation", "s3:ListBucket"], bucket_arns))
        if image_arns:
            out += [statement("LogInToEcr", ["ecr:GetAuthorizationToken"], ["*"]),
                    statement("PullImages", ECR_PULL, image_arns)]
        return out

    def ai(role: str) -> list[dict]:
        actions = [a for service, roles in sorted(ctx.section["ai_services"].items()) if role in roles
                   for a in AI_ACTIONS[service]]
        return [statement("CallAiServices", actions, ["*"])] if actions else []

    def accepted(role: str) -> list[tuple[str, str]]:
        return [("CKV_AWS_356", "AI services' detection calls on their built-in models name no resource, so IAM "
                 "authorizes them only against Resource \"*\"; the statement lists read-only actions")] if ai(role) else []

    mlflow = tracking.role_statements(spec, env)

    pipelines_arn = env.arn("sagemaker", f"pipeline/{project}-{env.name}-*")
    read_write = [statement("ReadWriteData", ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject",
                                               "s3:GetObjectVersion", "s3:PutObject"], objects)] if objects else []
    read = [statement("ReadData", ["s3:GetObject", "s3:GetObjectVersion"], objects)] if objects else []
    capture = sorted({f"{buckets[e['capture_bucket']].ref('arn')}/capture/{name}/*"
                      for name, m in spec.get("models", {}).items()
                      for e in [m.get("endpoint") or {}] if e.get("data_capture_percent") and e["capture_bucket"] in buckets})
    if capture:  # endpoints write captured requests and responses as the inference role
        read.append(statement("WriteCapturedData", ["s3:PutObject"], capture))
    # SageMaker does not send aws:SourceAccount for every way it assumes these roles
    # (Studio apps, pipelines, endpoints); their trust policies pin the account through
    # aws:SourceArn instead, as SageMaker documents (mlops.iam.sagemaker_source_arn).
    source = sagemaker_source_arn(env)
    roles = {}
    candidates, shadows = _baseline_needs(spec, env)
    roles["training"] = service_role(ctx, "training", "sagemaker.amazonaws.com",
                                     common() + read_write + ai("training") + shadows + _report_needs(spec, env), path=path,
                                     pin_account=False, source_arn=source, accepted=accepted("training"))
    roles["inference"] = service_role(ctx, "inference", "sagemaker.amazonaws.com",
                                      common() + read + ai("inference"), path=path,
                                      pin_account=False, source_arn=source, accepted=accepted("inference"))
    pass_training = statement("PassTrainingRole", ["iam:PassRole"], [roles["training"].ref("arn")],
                              conditions=[("StringEquals", "iam:PassedToService", ["sagemaker.amazonaws.com"])])
    run_jobs = statement("RunJobs", ["sagemaker:AddTags", "sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob",
                                     "sagemaker:DescribeProcessingJob", "sagemaker:DescribeTrainingJob",
                                     "sagemaker:StopProcessingJob", "sagemaker:StopTrainingJob"], jobs)
    register = statement("RegisterModels", ["sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackage",
                                            "sagemaker:ListModelPackages", "sagemaker:AddTags"],
                         [env.arn("sagemaker", f"model-package/{project}-*"),
                          env.arn("sagemaker", f"model-package-group/{project}-*")])
    roles["pipelines"] = service_role(ctx, "pipelines", "sagemaker.amazonaws.com",
                                      common() + read_write + [pass_training, run_jobs, register] + candidates + ai("pipelines"),
                                      path=path,
                                      pin_account=False, source_arn=source, accepted=accepted("pipelines"))
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
    # People experiment too: the same job actions as the pipelines, and the registry read.
    browse = statement("BrowseRegistry", ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup",
                                          "sagemaker:ListModelPackages"],
                       [env.arn("sagemaker", f"model-package/{project}-*"),
                        env.arn("sagemaker", f"model-package-group/{project}-*")])
    # The Service Authorization Reference gives these list actions no resource type:
    # IAM authorizes them only against Resource "*", so they get a statement of their own.
    listing = statement("ListStudioAndRegistry", ["sagemaker:ListApps", "sagemaker:ListModelPackageGroups",
                                                  "sagemaker:ListSpaces"], ["*"])
    studio = [start, apps, browse, listing, run_jobs, pass_training]
    codecommit = sorted(r["repository"].ref("arn") for r in ctx.imported("repositories.sources", {}).values()
                        if r["provider"] == "codecommit")
    if codecommit:
        studio.append(statement("UseCodeRepositories", ["codecommit:GetBranch", "codecommit:GetRepository",
                                                        "codecommit:GitPull", "codecommit:GitPush"], codecommit))
    roles["studio"] = service_role(ctx, "studio", "sagemaker.amazonaws.com",
                                   common() + read_write + studio + ai("studio") + mlflow.get("studio", []), path=path,
                                   pin_account=False, source_arn=source, accepted=accepted("studio"))
    return roles


def _baseline_needs(spec, env) -> tuple[list[dict], list[dict]]:
    """What baseline steps add when a model is monitored for model quality, bias or
    explainability (models/baselines.py): the pipeline creates a candidate model (run as
    the training role) and scores the holdout with it; Clarify checks, running as the
    training role, put shadow endpoints in front of it. SageMaker Pipelines names the
    candidate models and transform jobs it creates, so those statements name no prefix;
    passing a role stays limited to the training role."""
    monitored = list(spec.get("monitoring", {}).get("models", {}).values())
    candidates, shadows = [], []
    if any(m.get(k) for m in monitored for k in ("model_quality", "bias", "explainability")):
        candidates.append(statement("RunCandidateModels", [
            "sagemaker:AddTags", "sagemaker:CreateModel", "sagemaker:CreateTransformJob", "sagemaker:DescribeModel",
            "sagemaker:DescribeTransformJob", "sagemaker:StopTransformJob"],
            [env.arn("sagemaker", "model/*"), env.arn("sagemaker", "transform-job/*")]))
    if any(m.get(k) for m in monitored for k in ("bias", "explainability")):
        shadows += [
            clarify_shadow_endpoints("RunClarifyShadowEndpoints", env),
            statement("DescribeCandidateModels", ["sagemaker:DescribeModel"], [env.arn("sagemaker", "model/*")]),
        ]
    return candidates, shadows


def _report_needs(spec, env) -> list[dict]:
    """A model without an evaluation script gets the report step of models/definition.py,
    which runs as the training role and reads the training job's final metrics. Pipelines
    name their training jobs, so no prefix narrows it."""
    if all(m["evaluation"].get("entry_point") for m in spec.get("models", {}).values()):
        return []
    return [statement("ReadTrainingMetrics", ["sagemaker:DescribeTrainingJob"], [env.arn("sagemaker", "training-job/*")])]
