"""Custom images (training option 3): per image an ECR repository and a release
pipeline -- CodePipeline from the image's source repository and branch, CodeBuild that
builds the image, runs its tests inside it without network, pushes it, and publishes
its digest to an SSM parameter that training reads. Pushing is by immutable tag; what
is published is the digest, so a training job always names exactly the bytes tested."""

from __future__ import annotations

import json
import shlex

from mlops.iam import service_role, statement
from mlops.module_api import BuildContext, literal, tf_name
from mlops.names import fit

from .buildspec import render as render_buildspec

BUILD_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
UNPUBLISHED = "unpublished"


def parameter_name(project: str, env: str, image: str) -> str:
    return f"/mlops/{project}/{env}/images/{image}"


def buildspec(image: str, settings: dict) -> str:
    """The CodeBuild buildspec that releases one image."""
    tagged = '"${REPOSITORY_URI}:${IMAGE_TAG}"'
    build = [
        f"docker build --pull --file {shlex.quote(settings['dockerfile'])} --tag {tagged} {shlex.quote(settings['context'])}",
    ]
    if settings.get("test_command"):
        build.append(f"docker run --rm --network none --entrypoint /bin/sh {tagged} -c {shlex.quote(settings['test_command'])}")
    return render_buildspec(
        f"Builds {image} from {settings['source']}, tests it without network, publishes it by digest.",
        [
            ("pre_build", [
                'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"',
                'IMAGE_TAG="${CODEBUILD_RESOLVED_SOURCE_VERSION:0:12}-${CODEBUILD_BUILD_NUMBER}"',
            ]),
            ("build", build),
            ("post_build", [
                'if [ "$CODEBUILD_BUILD_SUCCEEDING" != 1 ]; then exit 1; fi',
                f"docker push {tagged}",
                f"DIGEST=$(docker inspect --format '{{{{index .RepoDigests 0}}}}' {tagged})",
                'aws ssm put-parameter --name "$DIGEST_PARAMETER" --type String --overwrite --value "$DIGEST"',
                'printf \'{"ImageURI":"%s"}\' "$DIGEST" > imageDetail.json',
            ]),
        ],
        artifacts=["imageDetail.json"],
    )


def build(ctx: BuildContext, sources: dict[str, dict]) -> dict[str, dict]:
    """Create every image's repository and pipeline; return, per image, its repository
    and the SSM parameter that holds the published digest."""
    images, env, project = ctx.section["images"], ctx.env, ctx.spec["project"]
    if not images:  # the spec may then have no data section, hence no buckets
        return {}
    key = ctx.imported("keys.arns")["platform"]
    artifacts = ctx.imported("data.buckets")[ctx.section["artifact_bucket"]]
    published = {}
    for name in sorted(images):
        settings, path = images[name], ("repositories", "images", name)
        ident = tf_name("image", name)
        repo = ctx.resource("aws_ecr_repository", ident, {
            "name": f"{project}/{name}",
            "image_tag_mutability": "IMMUTABLE",
            "image_scanning_configuration": [{"scan_on_push": True}],
            "encryption_configuration": [{"encryption_type": "KMS", "kms_key": key}],
            "force_delete": False,
        }, path=path, prevent_destroy=True)
        ctx.resource("aws_ecr_lifecycle_policy", ident, {"repository": repo.ref("name"),
                                                         "policy": _lifecycle(settings["keep_images"])}, path=path)
        digest = ctx.resource("aws_ssm_parameter", ident, {
            "name": parameter_name(project, env.name, name),
            "description": f"Digest of the latest tested {name} image, written by its build pipeline",
            "type": "String",
            # insecure_value, unlike value, is not sensitive: plans show the digest change.
            "insecure_value": UNPUBLISHED,
        }, path=path, ignore_changes=["insecure_value"])
        ctx.exception("CKV2_AWS_34", digest, "an image digest is public metadata, shown in plans so a new "
                      "training image is a reviewed change; encryption would hide it")
        source = dict(sources[settings["source"]])
        source["branch"] = settings.get("branch") or source["branch"]
        _pipeline(ctx, name, settings, path, repo, digest, source, artifacts, key)
        ctx.output(f"image_{tf_name(name)}_repository_url", repo.ref("repository_url"), f"ECR repository of {name}")
        published[name] = {"repository": repo, "parameter": digest}
    return published


def _lifecycle(keep: int) -> str:
    rules = [
        {"rulePriority": 1, "description": "Expire untagged images after 7 days",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": f"Keep the last {keep} images",
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
         "action": {"type": "expire"}},
    ]
    return json.dumps({"rules": rules}, sort_keys=True)


def _pipeline(ctx, name, settings, path, repo, digest, source, artifacts, key) -> None:
    project = release_pipeline(
        ctx, tf_name("image", name), name, source, path,
        buildspec=buildspec(name, settings),
        compute_type=settings["compute_type"], timeout=settings["timeout_minutes"], privileged=True,
        variables={"DIGEST_PARAMETER": digest.ref("name"), "REPOSITORY_URI": repo.ref("repository_url")},
        statements=[
            statement("LogInToEcr", ["ecr:GetAuthorizationToken"], ["*"]),
            statement("PushImage", ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
                                    "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage",
                                    "ecr:UploadLayerPart"], [repo.ref("arn")]),
            statement("PublishDigest", ["ssm:PutParameter"], [digest.ref("arn")]),
        ],
        artifacts=artifacts, key=key,
    )
    ctx.exception("CKV_AWS_316", project, "building a container image needs the Docker daemon, which CodeBuild "
                  "runs only in privileged mode; the project builds only this image from its own repository")


def release_pipeline(ctx, ident: str, label: str, source: dict, path: tuple, *, buildspec: str, compute_type: str,
                     timeout: int, privileged: bool, variables: dict, statements: list, artifacts, key):
    """CodePipeline (source -> CodeBuild) that runs `buildspec` on every push to the
    source branch; returns the CodeBuild project. Shared by image releases and code
    packages, so both get the same encrypted logs, scoped roles and push trigger."""
    env, project = ctx.env, ctx.spec["project"]
    # CodePipeline keeps a pipeline's artifacts under the first 20 characters of its
    # name, so the name starts with what tells pipelines apart (shortened by `fit` when
    # longer), and roles get just that.
    pipeline_name = fit(f"{fit(f'{label}-{env.name}', 20)}-{project}", 100)
    prefix = pipeline_name[:20]
    logs = ctx.resource("aws_cloudwatch_log_group", tf_name("build", ident), {
        "name": f"/mlops/{project}/{env.name}/build/{label}", "retention_in_days": 365, "kms_key_id": key,
    }, path=path)
    artifact_objects = f"{artifacts.ref('arn')}/{prefix}/*"
    build_role = service_role(ctx, tf_name("build", ident), "codebuild.amazonaws.com", [
        statement("WriteBuildLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [logs.ref("arn"), logs.ref("arn") + ":*"]),
        statement("ReadWriteArtifacts", ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], [artifact_objects]),
        statement("UsePlatformKey", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"], [key]),
        *statements,
    ], path=path)
    project_res = ctx.resource("aws_codebuild_project", ident, {
        "name": f"{project}-{env.name}-{label}",
        "description": f"Release {label} from {source.get('full_id') or 'its repository'}",
        "service_role": build_role.ref("arn"),
        "build_timeout": timeout,
        "encryption_key": key,
        "artifacts": [{"type": "CODEPIPELINE"}],
        "source": [{"type": "CODEPIPELINE", "buildspec": literal(buildspec)}],
        "environment": [{
            "compute_type": compute_type,
            "image": BUILD_IMAGE,
            "type": "LINUX_CONTAINER",
            "image_pull_credentials_type": "CODEBUILD",
            "privileged_mode": privileged,
            "environment_variable": [{"name": k, "value": v, "type": "PLAINTEXT"} for k, v in sorted(variables.items())],
        }],
        "logs_config": [{"cloudwatch_logs": [{"group_name": logs.ref("name"), "status": "ENABLED"}],
                         "s3_logs": [{"status": "DISABLED"}]}],
    }, path=path)
    source_statements, action = _source(source)
    pipeline_role = service_role(ctx, tf_name("release", ident), "codepipeline.amazonaws.com", [
        statement("ReadWriteArtifacts", ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], [artifact_objects]),
        statement("ReadArtifactBucket", ["s3:GetBucketVersioning", "s3:GetBucketLocation"], [artifacts.ref("arn")]),
        statement("UsePlatformKey", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"], [key]),
        statement("RunBuild", ["codebuild:BatchGetBuilds", "codebuild:StartBuild"], [project_res.ref("arn")]),
        *source_statements,
    ], path=path)
    pipeline = ctx.resource("aws_codepipeline", ident, {
        "name": pipeline_name,
        "role_arn": pipeline_role.ref("arn"),
        "pipeline_type": "V2",
        "artifact_store": [{"location": artifacts.ref("bucket"), "type": "S3",
                            "encryption_key": [{"id": key, "type": "KMS"}]}],
        "stage": [
            {"name": "Source", "action": [action]},
            {"name": "Build", "action": [{
                "name": "Build", "category": "Build", "owner": "AWS", "provider": "CodeBuild",
                "version": "1", "input_artifacts": ["source"], "output_artifacts": ["build"],
                "configuration": {"ProjectName": project_res.ref("name")},
            }]},
        ],
    }, path=path)
    if source["provider"] == "codecommit":
        _push_trigger(ctx, ident, label, path, source, pipeline)
    return project_res


def _source(source: dict) -> tuple[list, dict]:
    """The pipeline's source action and what its role needs for it."""
    base = {"name": "Source", "category": "Source", "owner": "AWS", "version": "1", "output_artifacts": ["source"]}
    if source["provider"] == "github":
        connection = source["connection"]
        action = dict(base, provider="CodeStarSourceConnection", configuration={
            "ConnectionArn": connection.ref("arn"), "FullRepositoryId": source["full_id"],
            "BranchName": source["branch"], "DetectChanges": "true", "OutputArtifactFormat": "CODE_ZIP"})
        # A codeconnections ARN matches only codeconnections actions: IAM needs the
        # action's service prefix to be the resource's (codestar-connections is the old one).
        return [statement("UseGitHubConnection", ["codeconnections:UseConnection"], [connection.ref("arn")])], action
    repo = source["repository"]
    action = dict(base, provider="CodeCommit", configuration={
        "RepositoryName": repo.ref("repository_name"), "BranchName": source["branch"],
        "PollForSourceChanges": "false", "OutputArtifactFormat": "CODE_ZIP"})
    return [statement("ReadSource", ["codecommit:CancelUploadArchive", "codecommit:GetBranch", "codecommit:GetCommit",
                                     "codecommit:GetRepository", "codecommit:GetUploadArchiveStatus",
                                     "codecommit:UploadArchive"],
                      [repo.ref("arn")])], action


def _push_trigger(ctx, ident, name, path, source, pipeline) -> None:
    """Start the pipeline on every push to the branch (CodeCommit -> EventBridge)."""
    env, project = ctx.env, ctx.spec["project"]
    rule = ctx.resource("aws_cloudwatch_event_rule", ident, {
        "name": fit(f"{project}-{env.name}-{name}-push", 64),
        "description": f"Push to {source['branch']}: release {name}",
        "event_pattern": json.dumps({
            "source": ["aws.codecommit"], "detail-type": ["CodeCommit Repository State Change"],
            "resources": [source["repository"].ref("arn")],
            "detail": {"event": ["referenceCreated", "referenceUpdated"], "referenceType": ["branch"],
                       "referenceName": [source["branch"]]},
        }, sort_keys=True),
    }, path=path)
    role = service_role(ctx, tf_name("release", ident, "trigger"), "events.amazonaws.com", [
        statement("StartRelease", ["codepipeline:StartPipelineExecution"], [pipeline.ref("arn")]),
    ], path=path)
    ctx.resource("aws_cloudwatch_event_target", ident, {
        "rule": rule.ref("name"), "arn": pipeline.ref("arn"), "role_arn": role.ref("arn"),
    }, path=path)
