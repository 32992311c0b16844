"""Every cross-account grant of the golden case where dev trains and staging and prod serve
its versions (modules/models/cases/cross-account), proven statement by statement from
the committed stacks (IAM's evaluation, `cross_account.py`):

- each serving role can do what serving needs, allowed both by its identity policies in
  its account and by the resource's policy in dev: the Terraform role and the inference
  role describe the pinned version; the inference role reads the artifact of a training
  job of that model, decrypts it with the key the training job encrypted it with (named
  by alias from the serving side), pulls the custom image the version runs in; each
  monitoring role lists, reads and decrypts the served version's baselines;
- no other principal can: no statement of dev's resource policies names a serving
  account without narrowing it to named roles (or, on the event bus, named rules), no
  principal is a wildcard, and every other role of the serving stacks, the same role
  name in another account, and the serving roles themselves on anything beyond what
  serving needs, are refused.

What a serving environment needs is read from its own stack (its SageMaker models,
monitoring pipelines and drift targets), what dev keeps where from dev's (its training
pipelines and baseline archiver), never from the grants under test.
"""

from __future__ import annotations

import json
import re

import pytest
from cross_account import Stack, allowed, decides
from golden import ROOT, STACKS

CASE = ROOT / "modules" / "models" / "cases" / "cross-account" / "expected"
STACKS_OF_CASE = {p.parent.name: Stack(p) for p in STACKS if p.parent.parent == CASE}
TRAINS = STACKS_OF_CASE["dev"]
SERVING = [STACKS_OF_CASE["prod"], STACKS_OF_CASE["staging"]]
PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
JOB = "pipelines-a1b2c3-Train-XyZ"  # a training job name SageMaker Pipelines makes


def _pipeline(model: str) -> dict:
    return json.loads(TRAINS.resources("aws_sagemaker_pipeline")[model]["pipeline_definition"])


def _steps(definition: dict):
    for step in definition["Steps"]:
        yield step
        yield from step["Arguments"].get("IfSteps", []) if step["Type"] == "Condition" else []


def _artifact(model: str) -> tuple[str, str]:
    """(the S3 ARN of a training job's artifact, the key it is encrypted with) in dev."""
    train = next(s for s in _steps(_pipeline(model)) if s["Type"] == "Training")["Arguments"]["OutputDataConfig"]
    path = TRAINS.resolve(train["S3OutputPath"]).removeprefix("s3://")
    return f"arn:aws:s3:::{path}{JOB}/output/model.tar.gz", TRAINS.resolve(train["KmsKeyId"])


def _image(model: str) -> str | None:
    """The ECR repository ARN of the custom image the model's versions run in, if any."""
    register = next(s for s in _steps(_pipeline(model)) if s["Type"] == "RegisterModel")
    image = register["Arguments"]["InferenceSpecification"]["Containers"][0]["Image"]
    match = re.fullmatch(r"\$\{aws_ssm_parameter\.([a-z0-9_]+)\.insecure_value\}", image)
    return TRAINS.resolve(f"${{aws_ecr_repository.{match.group(1)}.arn}}") if match else None


def _alias(key_arn: str) -> str:
    return next(a["name"] for a in TRAINS.resources("aws_kms_alias").values()
                if TRAINS.resolve(a["target_key_id"]) == key_arn.rsplit("/", 1)[1])


def _key_policy(key_arn: str) -> list[dict]:
    return TRAINS.policies()[f"key:{key_arn.rsplit('/', 1)[1].removesuffix('-key-id')}"]


def _served(stack: Stack):
    """(model, group, version ARN, inference role) of each SageMaker model the stack serves."""
    for name, model in stack.resources("aws_sagemaker_model").items():
        version = model["primary_container"][0]["model_package_name"]
        group = version.split("/")[1]
        yield name, group, version, stack.resolve(model["execution_role_arn"])


def _baselines(stack: Stack):
    """(monitoring role, baseline prefix ARN in dev, prefix) of each monitoring job reading dev."""
    for pipeline in stack.resources("aws_sagemaker_pipeline").values():
        for step in _steps(json.loads(pipeline["pipeline_definition"])):
            for put in step["Arguments"].get("ProcessingInputs", []) if step["Type"] == "Processing" else []:
                bucket, _, prefix = put["S3Input"]["S3Uri"].removeprefix("s3://").partition("/")
                if bucket.endswith(f"-{TRAINS.account}"):
                    yield stack.resolve(step["Arguments"]["RoleArn"]), f"arn:aws:s3:::{bucket}", prefix


def _needs(stack: Stack) -> list[tuple[str, str, str, list[dict], dict]]:
    """Every request serving needs: (principal, action, resource, dev's policy, context)."""
    policies, via = TRAINS.policies(), {"kms:ViaService": f"s3.{TRAINS.region}.amazonaws.com"}
    needs = []
    for model, group, version, inference in _served(stack):
        artifact, key = _artifact(model)
        needs += [(role, "sagemaker:DescribeModelPackage", version, policies[group], {})
                  for role in (stack.deploy_role, inference)]
        needs += [(inference, "s3:GetObject", artifact, policies[artifact.split("/")[0]], {}),
                  (inference, "kms:Decrypt", key, _key_policy(key), {**via, "kms:ResourceAliases": [_alias(key)]})]
        needs += [(inference, action, _image(model), policies[_image(model)], {}) for action in PULL if _image(model)]
    for role, bucket, prefix in _baselines(stack):
        key = TRAINS.resolve("${aws_kms_key.platform.arn}")  # what dev's archiver keeps baselines with (below)
        needs += [(role, "s3:ListBucket", bucket, policies[bucket], {"s3:prefix": prefix})]
        needs += [(role, "s3:GetObject", f"{bucket}/{prefix}{file}", policies[bucket], {})
                  for file in ("statistics.json", "constraints.json")]
        needs += [(role, "kms:Decrypt", key, _key_policy(key), {**via, "kms:ResourceAliases": [_alias(key)]})]
    return needs


def test_the_case_has_what_the_proof_needs():
    for stack in SERVING:
        kinds = {action for _, action, *_ in _needs(stack)}
        assert kinds == {"sagemaker:DescribeModelPackage", "s3:GetObject", "s3:ListBucket", "kms:Decrypt", *PULL}, stack.name
    archiver = json.loads(TRAINS.resources("aws_sfn_state_machine")["baseline_churn"]["definition"])
    assert {s["Parameters"]["SSEKMSKeyId"] for s in archiver["States"].values()} == {"${aws_kms_key.platform.arn}"}


@pytest.mark.parametrize("stack", SERVING, ids=lambda s: s.name)
def test_each_serving_role_can_do_what_serving_needs(stack):
    for principal, action, resource, policy, context in _needs(stack):
        identity = stack.identity(principal) if principal != stack.deploy_role else [
            {"effect": "Allow", "actions": [action], "resources": [resource]}]  # the Terraform role is the team's
        assert allowed(identity, policy, principal, action, resource, context), (principal, action, resource)


def _family(resource: str) -> str:
    """What dev grants as one: every version of a group (a promotion then changes nothing
    in dev), every version's baselines of a model; other resources as they are."""
    if ":model-package/" in resource:
        return resource.rsplit("/", 1)[0]
    return re.sub(r"/v[0-9]+/.*$", "/", resource)


def _others(stack: Stack, principal: str, action: str, resource: str) -> list[str]:
    """Principals that must not be able to do what `principal` may: every role of every
    serving stack, and their Terraform roles, except those whose own serving needs the
    same action on the same family (the other serving environment's inference role
    reads the same artifact), and a role of the same name in an account no environment uses."""
    legit = {p for s in SERVING for p, a, r, *_ in _needs(s) if a == action and _family(r) == _family(resource)}
    roles = [s.role(n) for s in SERVING for n in s.resources("aws_iam_role")] + [s.deploy_role for s in SERVING]
    return sorted(set(roles) - legit) + [principal.replace(stack.account, "999999999999")]


@pytest.mark.parametrize("stack", SERVING, ids=lambda s: s.name)
def test_no_other_principal_can(stack):
    for principal, action, resource, policy, context in _needs(stack):
        for other in _others(stack, principal, action, resource):
            asked = {**context, "aws:PrincipalArn": other}
            assert not decides(policy, other, action, resource, asked), (other, action, resource)


@pytest.mark.parametrize("stack", SERVING, ids=lambda s: s.name)
def test_the_serving_roles_get_nothing_beyond_serving(stack):
    """The same roles, asking for dev's other objects and for more than reading."""
    policies = TRAINS.policies()
    for principal, action, resource, policy, context in _needs(stack):
        if action == "s3:GetObject":
            bucket = resource.split("/")[0]
            for elsewhere in ("models/churn/code/train.py", "models/churn/evaluation/evaluation.json",
                              "customers/train/part-0.csv", "monitoring/churn/data-quality/report.json"):
                assert not decides(policies[bucket], principal, action, f"{bucket}/{elsewhere}", context), elsewhere
        for more in ("s3:PutObject", "s3:DeleteObject", "kms:Encrypt", "kms:GenerateDataKey", "ecr:PutImage",
                     "sagemaker:UpdateModelPackage", "sagemaker:DeleteModelPackage"):
            assert not decides(policy, principal, more, resource, context), (principal, more, resource)
        if action == "kms:Decrypt":  # only through S3
            assert not decides(policy, principal, action, resource, {**context, "kms:ViaService": "ec2.x"}), principal


def test_every_grant_to_a_serving_account_is_narrowed_to_named_roles_or_rules():
    serving = {s.account for s in SERVING}
    for on, statements in TRAINS.policies().items():
        for st in statements:
            ids = [i for p in st.get("principals", []) for i in p["identifiers"]]
            if st["effect"] == "Deny" or all(i.split(":")[4] not in serving for i in ids if i.startswith("arn:")):
                assert st["effect"] == "Deny" or "*" not in ids, (on, st["sid"])
                continue
            account = ids[0].split(":")[4]
            assert ids == [f"arn:aws:iam::{account}:root"], (on, st["sid"])
            narrowing = [c for c in st["condition"] if c["variable"] in ("aws:PrincipalArn", "aws:SourceArn")]
            expected = "aws:SourceArn" if on.startswith("bus:") else "aws:PrincipalArn"
            assert [c["variable"] for c in narrowing] == [expected] and narrowing[0]["test"] == "ArnEquals", (on, st["sid"])
            for arn in narrowing[0]["values"]:
                assert arn.split(":")[4] == account and not set("*?") & set(arn), (on, st["sid"], arn)
