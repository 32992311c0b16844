"""repositories: version control for ML code (component 1) and custom container images
with their own build pipelines (training option 3).

Other modules read its export, `Repositories` (`exports.py`): what a release pipeline
needs to pull each repository, each image's ECR repository and the SSM parameter holding
the digest of its latest tested build, and the bucket release pipelines keep their
artifacts in (the models module's code packages use it too).
"""

from __future__ import annotations

from mlops.errors import SpecError, did_you_mean
from mlops.module_api import Environment, module

from mlops_modules.models.exports import needs_package

from . import code, images
from .exports import Repositories


def build(ctx) -> None:
    sources = code.build(ctx)
    artifacts = ctx.imported("data.buckets", {}).get(ctx.section["artifact_bucket"])
    ctx.export(Repositories(sources=sources, images=images.build(ctx, sources, artifacts), artifacts=artifacts))


def check(spec, env: Environment) -> list[SpecError]:
    section = spec["repositories"]
    errors = []
    buckets = spec.get("data", {}).get("buckets", {})
    needs_bucket = section["images"] or any(needs_package(m) for m in spec.get("models", {}).values())
    if needs_bucket and section["artifact_bucket"] not in buckets:
        errors.append(SpecError(("repositories", "artifact_bucket"),
                                f"no bucket named '{section['artifact_bucket']}' in data.buckets",
                                hint=did_you_mean(section["artifact_bucket"], buckets) or "image pipelines keep their artifacts in a data bucket"))
    for name in sorted(section["images"]):
        source = section["images"][name]["source"]
        if source not in section["code"]:
            errors.append(SpecError(("repositories", "images", name, "source"), f"no code repository named '{source}'",
                                    hint=did_you_mean(source, section["code"]) or "declare it under repositories.code"))
    for name in sorted(section["code"]):
        repo = section["code"][name]
        if repo["provider"] == "github" and ("approvers" in repo):
            errors.append(SpecError(("repositories", "code", name, "approvers"),
                                    "approval rules apply to CodeCommit repositories only",
                                    hint="set branch protection in GitHub instead"))
    return errors


def services(spec) -> set[str]:
    """Studio users clone and push CodeCommit repositories from inside the VPC."""
    code = spec["repositories"]["code"]
    return {"codecommit", "git-codecommit"} if any(r["provider"] == "codecommit" for r in code.values()) else set()


MODULE = module(
    __name__, build=build, check=check, services=services,
    after=("keys", "data"),
    emits=frozenset({
        "aws_codecommit_repository", "aws_codecommit_approval_rule_template",
        "aws_codecommit_approval_rule_template_association", "aws_codeconnections_connection",
        "aws_ecr_repository", "aws_ecr_lifecycle_policy", "aws_ssm_parameter", "aws_cloudwatch_log_group",
        "aws_iam_role", "aws_iam_role_policy", "aws_codebuild_project", "aws_codepipeline",
        "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "data.aws_iam_policy_document",
    }),
)
