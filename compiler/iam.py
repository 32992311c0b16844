"""Part of the module API: IAM policy documents as `aws_iam_policy_document` data sources.

Policies are written as data sources rather than JSON strings so the generated
Terraform stays readable, references resolve at plan time, and checkov inspects each
statement. Actions are always named: a `*` action is a bug the tests look for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .names import fit


# What a SageMaker job or app needs to run in the VPC: look up the network and attach
# its network interfaces (the resources vary by caller; the actions do not).
VPC_DESCRIBE = ["ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets", "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcs"]
VPC_ATTACH = ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
              "ec2:DeleteNetworkInterfacePermission"]
# What SageMaker Clarify does with the shadow endpoint it puts in front of a model for
# a run (explainability monitors, bias and explainability checks in pipelines).
CLARIFY_SHADOW_ENDPOINT = ["sagemaker:AddTags", "sagemaker:CreateEndpoint", "sagemaker:CreateEndpointConfig",
                           "sagemaker:DeleteEndpoint", "sagemaker:DeleteEndpointConfig", "sagemaker:DescribeEndpoint",
                           "sagemaker:DescribeEndpointConfig", "sagemaker:InvokeEndpoint"]
CLARIFY_SHADOW_NAMES = "sm-clarify-*"  # the name prefix Clarify gives them


def sagemaker_source_arn(env) -> str:
    """The aws:SourceArn that pins a SageMaker execution role to this account and region.

    SageMaker documents this value (account and region, then `*`) for the roles Studio,
    training, processing, batch transform, inference and pipelines assume, instead of
    aws:SourceAccount, which it does not send for all of them
    (docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html).
    """
    return env.arn("sagemaker", "*")


def clarify_shadow_endpoints(sid: str, env) -> dict[str, Any]:
    """The statement allowing Clarify's shadow endpoints in `env`, and no other endpoint."""
    return statement(sid, CLARIFY_SHADOW_ENDPOINT, [env.arn("sagemaker", f"endpoint/{CLARIFY_SHADOW_NAMES}"),
                                                   env.arn("sagemaker", f"endpoint-config/{CLARIFY_SHADOW_NAMES}")])


def statement(
    sid: str,
    actions: Iterable[str],
    resources: Iterable[str],
    *,
    effect: str = "Allow",
    principals: Mapping[str, Iterable[str]] | None = None,
    conditions: Iterable[tuple[str, str, Iterable[str]]] = (),
) -> dict[str, Any]:
    """One statement; `principals` maps a type (AWS, Service, *) to identifiers,
    `conditions` are (test, variable, values) triples."""
    body: dict[str, Any] = {"sid": sid, "effect": effect, "actions": sorted(set(actions))}
    if resources:
        body["resources"] = list(resources)
    if principals:
        body["principals"] = [
            {"type": kind, "identifiers": sorted(set(ids))} for kind, ids in sorted(principals.items())
        ]
    if conditions:
        body["condition"] = [
            {"test": test, "variable": variable, "values": list(values)}
            for test, variable, values in conditions
        ]
    return body


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    """Attributes of an `aws_iam_policy_document` data source."""
    return {"statement": list(statements)}


def deny_insecure_transport(resources: list[str]) -> dict[str, Any]:
    """Deny any request to S3 that is not over TLS (buckets add a TLS 1.2 statement)."""
    return statement(
        "DenyInsecureTransport",
        ["s3:*"],
        resources,
        effect="Deny",
        principals={"*": ["*"]},
        conditions=[("Bool", "aws:SecureTransport", ["false"])],
    )


def service_role_name(project: str, env_name: str, name: str) -> str:
    """The name `service_role` gives role `name` of an environment (its Terraform name,
    `_` written `-`), which another environment's grants name too (mlops.serving)."""
    return fit(f"{project}-{env_name}-{name.replace('_', '-')}", 64)


def service_role(ctx, name: str, service: str, statements: list[dict[str, Any]], *, path: tuple,
                 role_name: str | None = None, source_arn: str | None = None, pin_account: bool = True,
                 accepted: Iterable[tuple[str, str]] = ()):
    """A role only `service` can assume (for this account), with one inline policy.

    Every role the compiler emits goes through here, so the trust policy pins the
    account (confused-deputy protection) wherever the service sends aws:SourceAccount
    (`pin_account=False` for those that do not, with the `source_arn` they document
    instead where there is one), and the role settings modules
    contribute (a permissions boundary) land on every role at once. `accepted` declares
    checkov findings on the policy as (check id, reason). Returns the `aws_iam_role`.
    """
    env = ctx.env
    conditions = [("StringEquals", "aws:SourceAccount", [env.account])] if pin_account else []
    if source_arn:
        conditions.append(("ArnLike", "aws:SourceArn", [source_arn]))
    trust = ctx.data("aws_iam_policy_document", f"{name}_trust", document(statement(
        "ServiceAssumesRole", ["sts:AssumeRole"], [], principals={"Service": [service]}, conditions=conditions,
    )), path=path)
    project = ctx.spec["project"]
    attrs = {
        "name": role_name or service_role_name(project, env.name, name),
        "assume_role_policy": trust.ref("json"),
    }
    attrs.update(ctx.role_settings)
    role = ctx.resource("aws_iam_role", name, attrs, path=path)
    policy = ctx.data("aws_iam_policy_document", name, document(*statements), path=path)
    for check, reason in accepted:
        ctx.exception(check, policy, reason)
    ctx.resource("aws_iam_role_policy", name, {"name": name.replace("_", "-"), "role": role.ref("id"),
                                                "policy": policy.ref("json")}, path=path)
    return role
