"""Part of the module API: release pipelines, CodePipeline (source -> CodeBuild) that runs a
buildspec on every push to a branch. Image releases (repositories) and code packages
(models) both use it, so both get the same encrypted logs, scoped roles, artifact
folders and push trigger.

Vocabulary: a *source* is what a pipeline's source action needs to pull one branch of a
code repository (`Source`, which the repositories module exports per repository); a
*buildspec* is CodeBuild's YAML file of phases and shell commands (`buildspec`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .events import rule, target
from .iam import service_role, statement
from .module_api import BuildContext, Resource, literal, tf_name
from .names import fit

BUILD_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
# Every buildspec's first line: where it comes from, and where to change it. (It named a
# source file once, which then moved; the spec is what the reader can act on.)
HEADER = "# Rendered by mlops from mlops.yaml -- do not edit in place; change the spec instead."
ARTIFACT_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
KEY_ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"]


@dataclass(frozen=True)
class Source:
    """One branch of a code repository: a CodeCommit repository, or a GitHub repository
    (`full_id`, owner/name) reached through a CodeConnections `connection`."""

    provider: str  # codecommit | github
    branch: str
    repository: Resource | None = None  # aws_codecommit_repository
    connection: Resource | None = None  # aws_codeconnections_connection
    full_id: str | None = None


def buildspec(summary: str, phases: list[tuple[str, list[str]]], artifacts: list[str] = ()) -> str:
    """A buildspec, written line by line. Every command is written as a JSON string, which
    YAML reads verbatim, so no value from the spec can break the YAML or the shell. Plain
    lines rather than a template engine: the file has one shape, and `mlops validate`
    builds every stack, so it should not pay for one."""
    lines = [HEADER, f"# {summary}", "version: 0.2", "env:", "  shell: bash", "phases:"]
    for phase, commands in phases:
        lines.append(f"  {phase}:")
        if phase != "post_build":  # post_build runs to report a failed build, so it must not abort
            lines.append("    on-failure: ABORT")
        lines.append("    commands:")
        lines += [f"      - {json.dumps(command, ensure_ascii=False)}" for command in commands]
    if artifacts:
        lines += ["artifacts:", "  files:"] + [f"    - {name}" for name in artifacts]
    return "\n".join(lines) + "\n"


def release_pipeline(ctx: BuildContext, ident: str, label: str, source: Source, path: tuple, *, buildspec: str,
                     compute_type: str, timeout: int, privileged: bool, variables: dict, statements: list,
                     artifacts, key: str) -> Resource:
    """The pipeline, its CodeBuild project (returned) and their roles; `statements` are
    what the build itself does besides logging and reading its artifacts. `artifacts` is
    the bucket CodePipeline keeps its artifacts in, under the pipeline's folder."""
    env, project = ctx.env, ctx.spec["project"]
    # CodePipeline keeps a pipeline's artifacts under the first 20 characters of its
    # name, so the name starts with what tells pipelines apart (shortened by `fit` when
    # longer), and roles get just that.
    pipeline_name = fit(f"{fit(f'{label}-{env.name}', 20)}-{project}", 100)
    artifact_objects = f"{artifacts.ref('arn')}/{pipeline_name[:20]}/*"
    build = _build_project(ctx, ident, label, source, path, buildspec=buildspec, compute_type=compute_type,
                           timeout=timeout, privileged=privileged, variables=variables,
                           statements=statements, artifact_objects=artifact_objects, key=key)
    source_statements, action = _source(source)
    pipeline_role = service_role(ctx, tf_name("release", ident), "codepipeline.amazonaws.com", [
        statement("ReadWriteArtifacts", ARTIFACT_ACTIONS, [artifact_objects]),
        statement("ReadArtifactBucket", ["s3:GetBucketVersioning", "s3:GetBucketLocation"], [artifacts.ref("arn")]),
        statement("UsePlatformKey", KEY_ACTIONS, [key]),
        statement("RunBuild", ["codebuild:BatchGetBuilds", "codebuild:StartBuild"], [build.ref("arn")]),
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
                "configuration": {"ProjectName": build.ref("name")},
            }]},
        ],
    }, path=path)
    if source.provider == "codecommit":
        _push_trigger(ctx, ident, label, path, source, pipeline)
    return build


def _build_project(ctx: BuildContext, ident: str, label: str, source: Source, path: tuple, *, buildspec: str,
                   compute_type: str, timeout: int, privileged: bool, variables: dict, statements: list,
                   artifact_objects: str, key: str) -> Resource:
    """The CodeBuild project with its encrypted log group and its role."""
    env, project = ctx.env, ctx.spec["project"]
    logs = ctx.resource("aws_cloudwatch_log_group", tf_name("build", ident), {
        "name": f"/mlops/{project}/{env.name}/build/{label}", "retention_in_days": 365, "kms_key_id": key,
    }, path=path)
    build_role = service_role(ctx, tf_name("build", ident), "codebuild.amazonaws.com", [
        statement("WriteBuildLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [logs.ref("arn"), logs.ref("arn") + ":*"]),
        statement("ReadWriteArtifacts", ARTIFACT_ACTIONS, [artifact_objects]),
        statement("UsePlatformKey", KEY_ACTIONS, [key]),
        *statements,
    ], path=path)
    return ctx.resource("aws_codebuild_project", ident, {
        "name": f"{project}-{env.name}-{label}",
        "description": f"Release {label} from {source.full_id or 'its repository'}",
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


def _source(source: Source) -> tuple[list, dict]:
    """The pipeline's source action and what its role needs for it."""
    base = {"name": "Source", "category": "Source", "owner": "AWS", "version": "1", "output_artifacts": ["source"]}
    if source.provider == "github":
        connection = source.connection
        action = dict(base, provider="CodeStarSourceConnection", configuration={
            "ConnectionArn": connection.ref("arn"), "FullRepositoryId": source.full_id,
            "BranchName": source.branch, "DetectChanges": "true", "OutputArtifactFormat": "CODE_ZIP"})
        # A codeconnections ARN matches only codeconnections actions: IAM needs the
        # action's service prefix to be the resource's (codestar-connections is the old one).
        return [statement("UseGitHubConnection", ["codeconnections:UseConnection"], [connection.ref("arn")])], action
    repo = source.repository
    action = dict(base, provider="CodeCommit", configuration={
        "RepositoryName": repo.ref("repository_name"), "BranchName": source.branch,
        "PollForSourceChanges": "false", "OutputArtifactFormat": "CODE_ZIP"})
    return [statement("ReadSource", ["codecommit:CancelUploadArchive", "codecommit:GetBranch", "codecommit:GetCommit",
                                     "codecommit:GetRepository", "codecommit:GetUploadArchiveStatus",
                                     "codecommit:UploadArchive"],
                      [repo.ref("arn")])], action


def _push_trigger(ctx: BuildContext, ident: str, name: str, path: tuple, source: Source, pipeline: Resource) -> None:
    """Start the pipeline on every push to the branch (CodeCommit -> EventBridge)."""
    env, project = ctx.env, ctx.spec["project"]
    pushed = rule(ctx, ident, name=f"{project}-{env.name}-{name}-push",
                  description=f"Push to {source.branch}: release {name}", path=path, pattern={
                      "source": ["aws.codecommit"], "detail-type": ["CodeCommit Repository State Change"],
                      "resources": [source.repository.ref("arn")],
                      "detail": {"event": ["referenceCreated", "referenceUpdated"], "referenceType": ["branch"],
                                 "referenceName": [source.branch]},
                  })
    target(ctx, ident, pushed, pipeline.ref("arn"), path=path, role=tf_name("release", ident, "trigger"), statements=[
        statement("StartRelease", ["codepipeline:StartPipelineExecution"], [pipeline.ref("arn")]),
    ])
