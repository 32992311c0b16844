"""Every IAM grant we generate can match: each policy in every golden stack and in
generated/ checked against AWS's Service Authorization Reference (tests/iam_reference.py).

Policies are found wherever a stack holds them: `aws_iam_policy_document` data sources
(identity, trust, key, bucket, topic and registry policies all are) and any resource
attribute holding a policy as a JSON string. For each Allow statement:
- each action exists (case-insensitively; a wildcard must name at least one action);
- for each action, some resource is `*` or can name a resource type the action supports
  (IAM grants an action on the statement's resources that fit it; if none can, the
  action is never granted). An action that supports no resource type is authorized only
  against `*`, so it needs a statement with `*`; and `*` next to ARNs would grant every
  action of the statement on everything. A Terraform reference `${<type>.<name>.arn}`
  stands for an ARN of the resource type in RESOURCE_TYPES; others stand for a name;
- each condition key is global (`aws:`; the reference lists no global keys) or listed
  by the reference for that action or its resource types: IAM evaluates a key the
  request does not carry as not matching, so a wrong key is a grant that never applies.
Resource-based policies (a key, bucket, topic or registry policy) are checked the same
way; their resources are the resource itself or `*`.

Trust policies: a role a service assumes must be pinned to this account (confused
deputy) by `aws:SourceAccount` or by an `aws:SourceArn` in the account. Every service
we name documents these keys for the roles it assumes: CodeBuild, CodePipeline,
EventBridge, EventBridge Scheduler, Step Functions, VPC Flow Logs and CloudTrail in
their "Cross-service confused deputy prevention" pages, and SageMaker in
https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html,
which gives `aws:SourceArn` = `arn:<partition>:sagemaker:<region>:<account>:*` for Studio,
inference, training, processing, batch transform and pipelines ("because the account
number is part of the aws:SourceArn value, you do not need to specify an
aws:SourceAccount value"). One documented exception: the MLflow tracking server role,
whose trust policy in https://docs.aws.amazon.com/sagemaker/latest/dg/mlflow-create-tracking-server-iam.html
has no condition; a role only tracking servers use is exempt.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import iam_reference as ref
from golden import STACK_IDS as IDS
from golden import STACKS, load_stack

# What `${<terraform type>.<name>.arn}` stands for: (service prefix, resource type).
RESOURCE_TYPES = {
    "aws_cloudwatch_log_group": ("logs", "log-group"),
    "aws_codebuild_project": ("codebuild", "project"),
    "aws_codecommit_repository": ("codecommit", "repository"),
    "aws_codeconnections_connection": ("codeconnections", "Connection"),
    "aws_codepipeline": ("codepipeline", "pipeline"),
    "aws_ecr_repository": ("ecr", "repository"),
    "aws_iam_role": ("iam", "role"),
    "aws_kms_key": ("kms", "key"),
    "aws_s3_bucket": ("s3", "bucket"),
    "aws_sagemaker_model_package_group": ("sagemaker", "model-package-group"),
    "aws_sagemaker_pipeline": ("sagemaker", "pipeline"),
    "aws_security_group": ("ec2", "security-group"),
    "aws_sfn_state_machine": ("states", "stateMachine"),
    "aws_sns_topic": ("sns", "topic"),
    "aws_ssm_parameter": ("ssm", "parameter"),
}
REFERENCE = re.compile(r"\$\{([^}]*)\}")
ARN_REFERENCE = re.compile(r"^(aws_[a-z0-9_]+)\.[A-Za-z0-9_-]+\.arn$")
DOCUMENT = re.compile(r"^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.json\}$")


def _listed(value) -> list:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _from_json(statement: dict) -> dict:
    """A statement of a JSON policy in the shape of an aws_iam_policy_document statement."""
    principal = statement.get("Principal", {})
    principals = [{"type": "*", "identifiers": ["*"]}] if principal == "*" else [
        {"type": k, "identifiers": _listed(v)} for k, v in principal.items()]
    return {"sid": statement.get("Sid", ""), "effect": statement["Effect"],
            "actions": _listed(statement.get("Action")), "not_actions": _listed(statement.get("NotAction")),
            "resources": _listed(statement.get("Resource")), "principals": principals,
            "condition": [{"test": t, "variable": k, "values": _listed(v)}
                          for t, body in statement.get("Condition", {}).items() for k, v in body.items()]}


def _json_policies(node, where: str):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _json_policies(value, f"{where}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _json_policies(value, where)
    elif isinstance(node, str) and node.lstrip().startswith("{"):
        try:
            doc = json.loads(node)
        except ValueError:
            return
        if isinstance(doc, dict) and "Statement" in doc:
            yield where, [_from_json(s) for s in _listed(doc["Statement"]) if isinstance(s, dict)] \
                if not isinstance(doc["Statement"], dict) else [_from_json(doc["Statement"])]


def policies(stack: dict) -> list[tuple[str, list[dict]]]:
    """(where, statements) for every policy in a stack."""
    found = [(f"data.aws_iam_policy_document.{name}", body.get("statement", []))
             for name, body in sorted(stack.get("data", {}).get("aws_iam_policy_document", {}).items())]
    for type_, by_name in sorted(stack.get("resource", {}).items()):
        for name, body in sorted(by_name.items()):
            found += list(_json_policies(body, f"{type_}.{name}"))
    return found


def _expand(resource: str, problems: list[str]) -> str:
    def one(match: re.Match) -> str:
        arn = ARN_REFERENCE.match(match.group(1))
        if not arn:
            return "x"
        if arn.group(1) not in RESOURCE_TYPES:
            problems.append(f"{resource}: add {arn.group(1)} to RESOURCE_TYPES")
            return "x"
        return ref.sample_arn(*RESOURCE_TYPES[arn.group(1)])
    return REFERENCE.sub(one, resource)


def statement_problems(st: dict) -> list[str]:
    """Why an Allow statement grants something that can never match (empty if nothing)."""
    problems: list[str] = []
    actions = list(st.get("actions", [])) + list(st.get("not_actions", []))
    resources = [(r, _expand(r, problems)) for r in st.get("resources", [])]
    if "*" in st.get("resources", []) and len(resources) > 1:
        problems.append("Resource \"*\" next to ARNs grants every action on everything: split the statement")
    keys = sorted({c["variable"] for c in st.get("condition", [])})
    for action in actions:
        found = ref.privileges(action)
        if not found:
            problems.append(f"{action}: no such action in the Service Authorization Reference")
            continue
        if action in st.get("not_actions", []):
            continue
        for prefix, privilege in found:
            name = f"{prefix}:{privilege['privilege']}"
            templates = ref.resource_templates(prefix, privilege)
            if not resources or any(pattern == "*" for _, pattern in resources):
                pass
            elif not templates:
                problems.append(f"{name} on {', '.join(w for w, _ in resources)}: the action supports no resource "
                                "type, so only Resource \"*\" matches; give it its own statement")
            elif not any(ref.pattern_matches(p, prefix, t) for _, p in resources for _, t in templates):
                problems.append(f"{name} on {', '.join(w for w, _ in resources)}: matches none of its resource "
                                f"types ({', '.join(sorted(r for r, _ in templates))})")
            valid = ref.condition_keys(prefix, privilege)
            for key in keys:
                if not key.lower().startswith("aws:") and not any(ref.key_matches(key, v) for v in valid):
                    problems.append(f"{name}: condition key {key} is not one the reference lists for it")
    return problems


def _trust_users(stack: dict) -> dict[str, set[str]]:
    """Trust document name -> the resource types that use the role it guards."""
    roles = {name: DOCUMENT.match(body["assume_role_policy"]).group(1)
             for name, body in stack.get("resource", {}).get("aws_iam_role", {}).items()
             if DOCUMENT.match(body.get("assume_role_policy", ""))}
    users: dict[str, set[str]] = {doc: set() for doc in roles.values()}
    for type_, by_name in stack.get("resource", {}).items():
        for body in by_name.values():
            text = json.dumps(body)
            for role, doc in roles.items():
                if type_ != "aws_iam_role" and f"aws_iam_role.{role}." in text:
                    users[doc].add(type_)
    return users


def trust_problems(stack: dict, account: str) -> list[str]:
    problems = []
    documents = stack.get("data", {}).get("aws_iam_policy_document", {})
    for doc, used_by in sorted(_trust_users(stack).items()):
        if "aws_sagemaker_mlflow_tracking_server" in used_by and used_by <= {
                "aws_sagemaker_mlflow_tracking_server", "aws_iam_role_policy"}:
            continue  # the MLflow tracking server role: AWS documents no condition (module docstring)
        for st in documents[doc]["statement"]:
            services = [i for p in st.get("principals", []) if p["type"] == "Service" for i in p["identifiers"]]
            if st["effect"] != "Allow" or not services:
                continue
            pinned = any(c["variable"] == "aws:SourceAccount" and c["values"] == [account]
                         or c["variable"] == "aws:SourceArn" and all(f":{account}:" in v for v in c["values"])
                         for c in st.get("condition", []))
            if not pinned:
                problems.append(f"data.aws_iam_policy_document.{doc}/{st['sid']}: {', '.join(services)} may assume "
                                "the role for any account: add aws:SourceAccount or an aws:SourceArn in the account")
    return problems


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_every_grant_can_match(path: Path) -> None:
    stack = load_stack(path)
    failures = [f"{where}/{st.get('sid') or '-'}: {problem}"
                for where, statements in policies(stack) for st in statements if st["effect"] == "Allow"
                for problem in statement_problems(st)]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_service_roles_are_pinned_to_the_account(path: Path) -> None:
    stack = load_stack(path)
    account = stack["provider"]["aws"][0]["allowed_account_ids"][0]
    failures = trust_problems(stack, account)
    assert not failures, "\n".join(failures)


# --- the check itself: it must catch the mistakes it exists for, and pass real grants --

def _allow(actions: list[str], resources: list[str], conditions=()) -> dict:
    return {"sid": "S", "effect": "Allow", "actions": actions, "resources": resources,
            "condition": [{"test": t, "variable": v, "values": vals} for t, v, vals in conditions]}


APP = "arn:aws:sagemaker:eu-west-1:111111111111:app/*"


@pytest.mark.parametrize("statement, problem", [
    (_allow(["sagemaker:ListApps"], [APP]), "supports no resource type"),
    (_allow(["sagemaker:DescribeEndpoint"], ["arn:aws:sagemaker:eu-west-1:111111111111:endpoint-config/x"]),
     "matches none of its resource types (endpoint)"),
    (_allow(["s3:ListBucket"], ["${aws_s3_bucket.b.arn}/*"]), "matches none of its resource types (accesspoint, bucket)"),
    (_allow(["s3:GetObject"], ["${aws_s3_bucket.b.arn}"]), "matches none of its resource types"),
    (_allow(["logs:PutLogEvents"], ["${aws_cloudwatch_log_group.g.arn}"]), "matches none of its resource types"),
    (_allow(["codestar-connections:UseConnection"], ["${aws_codeconnections_connection.c.arn}"]), "matches none"),
    (_allow(["sagemaker:DescribeEndpoints"], ["*"]), "no such action"),
    (_allow(["kms:DescribeKey"], ["*"], [("ArnLike", "kms:EncryptionContext:aws:logs:arn", ["x"])]), "condition key"),
    (_allow(["s3:GetObject"], ["*"], [("StringEquals", "s3:prefixx", ["x"])]), "condition key"),
    (_allow(["s3:GetObject", "s3:ListBucket"], ["*", "${aws_s3_bucket.b.arn}"]), "next to ARNs"),
    (_allow(["s3:PutObject"], ["${aws_unknown_thing.x.arn}/*"]), "add aws_unknown_thing to RESOURCE_TYPES"),
])
def test_the_check_finds_grants_that_never_match(statement: dict, problem: str) -> None:
    problems = statement_problems(statement)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize("statement", [
    _allow(["s3:GetObject"], ["${aws_s3_bucket.b.arn}/models/*"]),
    _allow(["s3:ListBucket"], ["${aws_s3_bucket.b.arn}"], [("StringLike", "s3:prefix", ["models/*"])]),
    _allow(["logs:CreateLogStream", "logs:PutLogEvents"], ["${aws_cloudwatch_log_group.g.arn}:*"]),
    _allow(["logs:CreateLogStream"], ["arn:aws:logs:eu-west-1:111111111111:log-group:/aws/sagemaker/*"]),
    _allow(["KMS:generatedatakey*"], ["${aws_kms_key.k.arn}"], [("StringEquals", "kms:ViaService", ["s3.x"])]),
    _allow(["iam:PassRole"], ["${aws_iam_role.r.arn}"], [("StringEquals", "iam:PassedToService", ["x"])]),
    _allow(["sagemaker:DescribePipelineExecution"], ["arn:aws:sagemaker:eu-west-1:111111111111:pipeline/p-*/*"]),
    _allow(["sagemaker:ListApps"], ["*"], [("StringEquals", "aws:PrincipalAccount", ["111111111111"])]),
])
def test_the_check_passes_grants_that_match(statement: dict) -> None:
    assert statement_problems(statement) == []


def _trust_stack(condition: list[dict], user: str = "aws_sagemaker_domain") -> dict:
    trust = {"sid": "T", "effect": "Allow", "actions": ["sts:AssumeRole"], "condition": condition,
             "principals": [{"type": "Service", "identifiers": ["sagemaker.amazonaws.com"]}]}
    return {"data": {"aws_iam_policy_document": {"r_trust": {"statement": [trust]}}},
            "resource": {"aws_iam_role": {"r": {"assume_role_policy": "${data.aws_iam_policy_document.r_trust.json}"}},
                         user: {"u": {"role_arn": "${aws_iam_role.r.arn}"}}}}


def test_the_trust_check_wants_the_account_pinned() -> None:
    assert trust_problems(_trust_stack([]), "111111111111")
    assert trust_problems(_trust_stack([{"test": "ArnLike", "variable": "aws:SourceArn",
                                         "values": ["arn:aws:sagemaker:eu-west-1:222222222222:*"]}]), "111111111111")
    assert not trust_problems(_trust_stack([{"test": "ArnLike", "variable": "aws:SourceArn",
                                             "values": ["arn:aws:sagemaker:eu-west-1:111111111111:*"]}]), "111111111111")
    assert not trust_problems(_trust_stack([{"test": "StringEquals", "variable": "aws:SourceAccount",
                                             "values": ["111111111111"]}]), "111111111111")
    assert not trust_problems(_trust_stack([], user="aws_sagemaker_mlflow_tracking_server"), "111111111111")
