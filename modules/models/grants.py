"""Who outside this environment may use what it trains: each model package group's one
resource policy, with the statements of the registry readers (governance's plan) and
of the environments that serve this one's versions (mlops.serving), and what those
serving environments' roles need here besides (`serving.py`)."""

from __future__ import annotations

from mlops.iam import document, statement
from mlops.module_api import BuildContext, Resource, tf_name

from mlops_modules.governance.exports import GovernancePlan

READ_REGISTRY = ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages"]


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
