"""The size of every role's inline policies, against IAM's limit, before apply.

IAM refuses a role whose inline policies add up to more than 10,240 characters
(whitespace not counted; AWS's "IAM and AWS STS quotas" page). No API model states
it: `PutRolePolicy` takes documents of up to 131,072 characters and fails on the
account quota instead, at apply, after everything before it was created. Roles that
grant every bucket, image and AI service of a large spec reach it.

The size is what IAM will count: each `aws_iam_policy_document` rendered as the
provider renders it (a one-element list as a plain string), without whitespace, with
each Terraform reference replaced by the ARN or name it will hold. Names come from the
stack (a bucket's `bucket`, a role's `name`); generated parts of an ARN have a fixed
length (a KMS key id is a UUID, a security group id `sg-` and 17 hex digits); a
reference the stack cannot resolve counts as the shortest ARN it could be, so the
estimate never exceeds what IAM will count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from .errors import SpecError
from .names import NAMES

ROLE_INLINE_LIMIT = 10_240
_REFERENCE = re.compile(r"\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}")
# ARN shapes by resource type: {p} partition, {r} region, {a} account, {n} the name.
_ARNS = {
    "aws_s3_bucket": "arn:{p}:s3:::{n}",
    "aws_kms_key": "arn:{p}:kms:{r}:{a}:key/" + "0" * 36,
    "aws_iam_role": "arn:{p}:iam::{a}:role/{n}",
    "aws_cloudwatch_log_group": "arn:{p}:logs:{r}:{a}:log-group:{n}",
    "aws_codebuild_project": "arn:{p}:codebuild:{r}:{a}:project/{n}",
    "aws_codecommit_repository": "arn:{p}:codecommit:{r}:{a}:{n}",
    "aws_codepipeline": "arn:{p}:codepipeline:{r}:{a}:{n}",
    "aws_ecr_repository": "arn:{p}:ecr:{r}:{a}:repository/{n}",
    "aws_sagemaker_pipeline": "arn:{p}:sagemaker:{r}:{a}:pipeline/{n}",
    "aws_security_group": "arn:{p}:ec2:{r}:{a}:security-group/sg-" + "0" * 17,
    "aws_sfn_state_machine": "arn:{p}:states:{r}:{a}:stateMachine:{n}",
    "aws_sns_topic": "arn:{p}:sns:{r}:{a}:{n}",
    "aws_ssm_parameter": "arn:{p}:ssm:{r}:{a}:parameter{n}",
}


def check(stacks: Iterable) -> list[SpecError]:
    errors = []
    for stack in stacks:
        roles = {r.address: r for r in stack.resources if r.type == "aws_iam_role"}
        for address, size in sorted(role_sizes(stack).items()):
            role = roles[address]
            if size > ROLE_INLINE_LIMIT:
                errors.append(SpecError(role.spec_path, f"module {role.module}: {role.address}: its inline policies come "
                                        f"to about {size:,} characters in {stack.env.name}; IAM allows {ROLE_INLINE_LIMIT:,} "
                                        "per role", hint="the role names every bucket and image of the spec and the AI "
                                        "services workspace.ai_services grants it; fewer of those fit"))
    return errors


def role_sizes(stack) -> dict[str, int]:
    """Per `aws_iam_role` address, the characters IAM will count in its inline policies."""
    by_address = {r.address: r for r in stack.resources}
    sizes: dict[str, int] = {}
    for policy in (r for r in stack.resources if r.type == "aws_iam_role_policy" and not r.data_source):
        role = _target(policy.attrs.get("role", ""), by_address)
        document = _target(policy.attrs.get("policy", ""), by_address)
        if role is None or document is None:
            continue
        text = render(document.attrs.get("statement", []))
        sizes[role.address] = sizes.get(role.address, 0) + _resolved_length(text, by_address, stack.env)
    return sizes


def render(statements: list[dict[str, Any]]) -> str:
    """A policy document as the provider renders it, without whitespace."""
    out = []
    for st in statements:
        body: dict[str, Any] = {"Sid": st["sid"]} if st.get("sid") else {}
        body.update({"Effect": st.get("effect", "Allow"), "Action": _one(st.get("actions", []))})
        if st.get("resources"):
            body["Resource"] = _one(st["resources"])
        if st.get("principals"):
            body["Principal"] = {p["type"]: _one(p["identifiers"]) for p in st["principals"]}
        if st.get("condition"):
            conditions: dict[str, dict] = {}
            for c in st["condition"]:
                conditions.setdefault(c["test"], {})[c["variable"]] = _one(c["values"])
            body["Condition"] = conditions
        out.append(body)
    return json.dumps({"Version": "2012-10-17", "Statement": out}, separators=(",", ":"))


def _one(values: list) -> Any:
    return values[0] if len(values) == 1 else values


def _target(reference: str, by_address: dict):
    match = _REFERENCE.fullmatch(reference) if isinstance(reference, str) else None
    if not match:
        return None
    return by_address.get(f"{match.group(1) or ''}{match.group(2)}.{match.group(3)}")


def _resolved_length(text: str, by_address: dict, env) -> int:
    """The length of `text` once Terraform fills in its references."""
    length, at = 0, 0
    for match in _REFERENCE.finditer(text):
        length += match.start() - at + len(_value(match, by_address, env))
        at = match.end()
    return length + len(text) - at


def _value(match: re.Match, by_address: dict, env) -> str:
    resource = by_address.get(f"{match.group(1) or ''}{match.group(2)}.{match.group(3)}")
    attribute = match.group(4)
    if resource is None:
        return ""
    name = resource.attrs.get(NAMES.get(resource.type, ("name",))[0], "")
    name = name if isinstance(name, str) and "${" not in name else ""
    if attribute == "arn":
        shape = _ARNS.get(resource.type, "arn:{p}:x:{r}:{a}:")
        return shape.format(p=env.partition, r=env.region, a=env.account, n=name)
    value = resource.attrs.get(attribute, "")
    return value if isinstance(value, str) and "${" not in value else ""
