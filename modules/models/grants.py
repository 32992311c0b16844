"""Who outside this environment may use what it trains: each model package group's one
resource policy, with the statements of the registry readers (governance's plan) and
of the environments that serve this one's versions (mlops.serving), and what those
environments' inference roles need besides, each in the resource's own policy:

- the group: describe its versions (the serving environment's Terraform role creates a
  SageMaker model from one; its inference role describes it);
- the output bucket: get the artifact of any of the model's training jobs;
- the platform key, which encrypts them: decrypt, through S3 only;
- the ECR repository of a custom image: pull.

Every statement names the serving account narrowed to those roles by aws:PrincipalArn
(mlops.serving.granted). The training environment cannot know which models each serving
environment pins, nor which version: it grants every model it trains, every version
(`endpoint.model_version` then moves without a change here). The monitoring module
grants the serving environments' monitoring roles the baselines the same way.
"""

from __future__ import annotations

from mlops import s3
from mlops.iam import document, statement
from mlops.module_api import BuildContext, Environment, Resource, tf_name
from mlops.serving import granted, serving, sid, through_s3

from mlops_modules.governance.exports import GovernancePlan
from mlops_modules.keys.exports import PLATFORM
from mlops_modules.workspace.exports import role_arn

from .exports import ARTIFACT, Model, artifacts

READ_REGISTRY = ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages"]
ECR_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


def build(ctx: BuildContext, models: dict[str, Model]) -> None:
    """Every group's policy; with serving environments, the bucket, key and repository grants."""
    servers = serving(ctx.spec, ctx.env)
    for name in sorted(models):
        group = models[name].group
        versions = ctx.env.arn("sagemaker", f"model-package/{models[name].group_name}/*")
        group_policy(ctx, name, group, [granted(sid(p, "DescribesVersions"), ["sagemaker:DescribeModelPackage"],
                                                [versions], p, [p.role_arn, _inference(ctx, p)]) for p in servers])
    for server in servers:
        _artifacts(ctx, models, server)
        ctx.allow_key_use(PLATFORM, granted(sid(server, "InferenceDecryptsArtifacts"), ["kms:Decrypt"], ["*"], server,
                                            [_inference(ctx, server)], conditions=[through_s3(ctx.env)]))
    if servers:
        _images(ctx, servers)


def _inference(ctx: BuildContext, server: Environment) -> str:
    return role_arn(ctx.spec["project"], server, "inference")


def _artifacts(ctx: BuildContext, models: dict[str, Model], server: Environment) -> None:
    """One statement per output bucket: the artifacts of its models' training jobs."""
    by_bucket: dict[str, tuple[Resource, list[str]]] = {}
    for name in sorted(models):
        output = models[name].output
        by_bucket.setdefault(output.resource.address, (output.resource, []))[1].append(
            f"{output.ref('arn')}/{artifacts(name)}{ARTIFACT}")
    for bucket, objects in by_bucket.values():
        s3.allow(ctx, bucket, granted(sid(server, "InferenceReadsArtifacts"), ["s3:GetObject"], objects, server,
                                      [_inference(ctx, server)]))


def _images(ctx: BuildContext, servers: list[Environment]) -> None:
    """Each custom image a model trains and serves in: the repository's policy."""
    images = ctx.imported("repositories.images", {})
    used = sorted({model["training"]["image"] for model in ctx.section.values() if model["training"].get("image")})
    for image in used:
        policy = ctx.data("aws_iam_policy_document", tf_name("image", image, "pulls"), document(*[
            granted(sid(server, "InferencePullsImage"), ECR_PULL, [], server, [_inference(ctx, server)])
            for server in servers]), path=("repositories", "images", image))
        ctx.resource("aws_ecr_repository_policy", tf_name("image", image), {
            "repository": images[image].repository.ref("name"), "policy": policy.ref("json"),
        }, path=("repositories", "images", image))


def group_policy(ctx: BuildContext, name: str, group: Resource, served: list[dict]) -> None:
    """The group's resource policy (AWS keeps one per group): the readers' statement,
    then `served`, the serving environments' statements; none when neither applies."""
    env, group_name = ctx.env, group.attrs["model_package_group_name"]
    governance: GovernancePlan | None = ctx.planned("governance")
    readers = governance.reader_accounts(ctx.spec["environments"], env) if governance else []
    statements = list(served)
    if readers:
        statements.insert(0, statement(
            "ReadersReadVersions", READ_REGISTRY,
            [env.arn("sagemaker", f"model-package-group/{group_name}"), env.arn("sagemaker", f"model-package/{group_name}/*")],
            principals={"AWS": [f"arn:{env.partition}:iam::{account}:root" for account in readers]}))
    if not statements:
        return
    path = ("governance", "registry_readers") if readers else ("models", name, "registry")
    policy = ctx.data("aws_iam_policy_document", tf_name("registry", name), document(*statements), path=path)
    ctx.resource("aws_sagemaker_model_package_group_policy", tf_name(name), {
        "model_package_group_name": group.ref("model_package_group_name"),
        "resource_policy": policy.ref("json"),
    }, path=path)
