"""keys: customer-managed KMS keys, the `platform` key plus one per data domain.

Every key has rotation on, a 30-day deletion window by default and an explicit key
policy: the account administers it through IAM (no `kms:*`; grants only for AWS
resources), and only the principals the policy names use it: every role mlops creates
whose policy uses the key (found when every module has built; a role granted kms
actions on anything but an mlops key, or a key of the environment it serves from, is a
build error), the roles `keys.users` lists, CloudWatch Logs for this account's log
groups, the services other modules ask for (`BuildContext.allow_key_use`: the roles of
environments serving this one's versions, say), and Terraform, through the services
that encrypt what it creates. Other modules read the key ARNs from its export, `Keys` (`exports.py`).
"""

from __future__ import annotations

import json

from mlops.iam import document, statement
from mlops.module_api import BuildContext, literal, module, tf_name
from mlops.serving import training

from .exports import PLATFORM, Keys, alias

ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias",
    "kms:DescribeKey", "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey",
    "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases",
    "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListResourceTags", "kms:PutKeyPolicy",
    "kms:RetireGrant", "kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion",
    "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
]
# checkov reads a key policy as an identity policy, where Resource "*" would mean
# every resource; in a key policy it can only mean the key itself.
KEY_POLICY_FINDINGS = ("CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356")
USE_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
# What CloudWatch Logs may do under an encryption-context condition: only actions whose
# requests carry an encryption context can match it (kms:DescribeKey's never do).
LOGS_ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
# Resources whose service uses the key with the credentials of whoever calls it, so
# Terraform needs the key through that service when it creates or reads them.
CALLER_SERVICES = {
    "aws_sfn_state_machine": "states", "aws_scheduler_schedule": "scheduler",
    "aws_codecommit_repository": "codecommit", "aws_ecr_repository": "ecr", "aws_sagemaker_domain": "sagemaker",
    "aws_sagemaker_endpoint_configuration": "sagemaker", "aws_sagemaker_model_card": "sagemaker",
    "aws_s3_object": "s3",
}


def build(ctx: BuildContext) -> None:
    section = ctx.section
    domains = {PLATFORM: {"description": "Default key of the mlops platform"}}
    domains.update(section.get("domains", {}))
    arns = {}
    for name in sorted(domains):
        path = ("keys",) if name == PLATFORM else ("keys", "domains", name)
        arns[name] = _key(ctx, name, domains[name], path, section["deletion_window_days"])
    ctx.export(Keys(arns=arns))


def finalize(ctx: BuildContext) -> None:
    """Name, in each key's policy, every principal that uses the key and what it may do."""
    env, arns = ctx.env, ctx.imported("keys.arns")
    trains = training(ctx.spec, env)  # whose keys roles here may use too, named in that environment's key policies
    uses = _role_uses(ctx.stack, {arn: name for name, arn in arns.items()}, trains.arn("kms", "key/") if trains else None)
    for name in sorted(arns):
        statements = ctx.stack.get(f"data.aws_iam_policy_document.{tf_name('key', name)}").attrs["statement"]
        for asked in ctx.stack.key_statements.get(name, []):  # several state machines ask the same
            if asked not in statements:
                statements.append(asked)
        by_actions: dict[tuple[str, ...], list[str]] = {}
        for role, actions in sorted(uses.get(name, {}).items()):
            by_actions.setdefault(tuple(sorted(actions)), []).append(role)
        for actions, roles in sorted(by_actions.items()):
            # The sid follows the actions, so adding a role never renames other statements.
            sid = "RolesMay" + "".join(a.removeprefix("kms:").rstrip("*") for a in actions)
            statements.append(_principals(env, sid, actions, [("ArnEquals", "aws:PrincipalArn", sorted(roles))]))
        if ctx.section.get("users"):
            statements.append(_principals(env, "KeyUsersUseKey", USE_ACTIONS + ["kms:CreateGrant"],
                                          [("ArnLike", "aws:PrincipalArn", _user_patterns(env, ctx.section["users"]))]))
        terraform = _terraform(ctx, arns[name])
        if terraform:
            statements.append(terraform)


def _terraform(ctx: BuildContext, key_arn: str) -> dict | None:
    """Terraform itself uses the keys only through the services that encrypt what it
    creates (a state machine's definition, a schedule, a repository, a model card,
    Clarify's configuration objects), as the environment's role when there is one.
    Without one, any principal of the account may do so through those services, S3
    excepted (so data stays readable by named roles only)."""
    env = ctx.env
    services = {CALLER_SERVICES[r.type] for r in ctx.stack.resources
                if r.type in CALLER_SERVICES and key_arn in json.dumps(r.attrs)}
    if not env.role_arn:
        services.discard("s3")
    if not services:
        return None
    conditions = [("StringEquals", "kms:ViaService", sorted(f"{s}.{env.region}.amazonaws.com" for s in services))]
    if env.role_arn:
        conditions.append(("ArnEquals", "aws:PrincipalArn", [env.role_arn]))
    else:
        conditions.append(("StringEquals", "kms:CallerAccount", [env.account]))
    return _principals(env, "TerraformUsesKeyThroughServices", USE_ACTIONS + ["kms:CreateGrant"], conditions)


def _principals(env, sid: str, actions, conditions: list) -> dict:
    """Principal the account, narrowed by conditions (the named roles by
    aws:PrincipalArn: a key policy naming a role directly is rejected until the role
    exists, and roles are created after their key)."""
    return statement(sid, actions, ["*"], principals={"AWS": [env.arn("iam", "root", region=False)]},
                     conditions=conditions)


def _role_uses(stack, key_names: dict[str, str], elsewhere: str | None) -> dict[str, dict[str, set[str]]]:
    """key name -> role ARN -> the kms actions the role's inline policy allows on it; keys
    whose ARN starts with `elsewhere` belong to the environment this one serves from."""
    documents = {r.address: r for r in stack.resources if r.data_source and r.type == "aws_iam_policy_document"}
    roles = {r.address: r for r in stack.resources if not r.data_source and r.type == "aws_iam_role"}
    uses: dict[str, dict[str, set[str]]] = {}
    for attachment in (r for r in stack.resources if r.type == "aws_iam_role_policy"):
        role = roles[_address(attachment.attrs["role"])]
        role_arn = stack.env.arn("iam", f"role/{role.attrs['name']}", region=False)
        for st in documents[_address(attachment.attrs["policy"])].attrs["statement"]:
            kms = {a for a in st["actions"] if a.startswith("kms:")}
            if st["effect"] != "Allow" or not kms:
                continue
            for resource in st.get("resources", []):
                if elsewhere and resource.startswith(elsewhere):
                    continue
                if resource not in key_names:  # a key this module cannot name the role in
                    raise ValueError(f"{attachment.address} grants {sorted(kms)} on {resource}, not on an mlops key")
                uses.setdefault(key_names[resource], {}).setdefault(role_arn, set()).update(kms)
    return uses


def _address(reference: str) -> str:
    """`${aws_iam_role.x.id}` -> `aws_iam_role.x`."""
    return reference[2:-1].rsplit(".", 1)[0]


def _user_patterns(env, users: list[str]) -> list[str]:
    """A role ARN as given; a bare name with or without a path (IAM Identity Center
    roles live under role/aws-reserved/sso.amazonaws.com/...)."""
    patterns = []
    for user in users:
        if user.startswith("arn:"):
            patterns.append(user)
        else:
            patterns += [env.arn("iam", f"role/{user}", region=False), env.arn("iam", f"role/*/{user}", region=False)]
    return sorted(patterns)


def _key(ctx: BuildContext, name: str, domain: dict, path: tuple, window: int):
    env, project = ctx.env, ctx.spec["project"]
    root = env.arn("iam", "root", region=False)
    statements = [
        statement("AccountAdministersKey", ADMIN_ACTIONS, ["*"], principals={"AWS": [root]}),
        # Grants only for AWS resources (an endpoint's volumes, say): a grant to oneself
        # would be a way around this policy.
        statement("AccountGrantsKeyToAwsResources", ["kms:CreateGrant"], ["*"], principals={"AWS": [root]},
                  conditions=[("Bool", "kms:GrantIsForAWSResource", ["true"])]),
    ]
    if name == PLATFORM:  # log groups (flow logs, job logs, the audit trail) use the platform key
        statements.append(statement(
            "CloudWatchLogsUsesKeyForThisAccount",
            LOGS_ACTIONS,
            ["*"],
            principals={"Service": [f"logs.{env.region}.amazonaws.com"]},
            conditions=[("ArnLike", "kms:EncryptionContext:aws:logs:arn", [env.arn("logs", "log-group:*")])],
        ))
    policy = ctx.data(
        "aws_iam_policy_document",
        tf_name("key", name),
        document(*statements),
        path=path,
    )
    for check in KEY_POLICY_FINDINGS:
        ctx.exception(check, policy, "a key policy's Resource \"*\" means this key alone; every statement "
                      "names its principal (this account's administrators, named roles, or a service for this account)")
    description = literal(domain.get("description") or f"mlops {name} key")
    key = ctx.resource(
        "aws_kms_key",
        tf_name(name),
        {
            "description": f"{project} {env.name}: {description}",
            "enable_key_rotation": True,
            "deletion_window_in_days": window,
            "policy": policy.ref("json"),
        },
        path=path,
        prevent_destroy=True,
    )
    ctx.resource(
        "aws_kms_alias",
        tf_name(name),
        {"name": alias(project, env.name, name), "target_key_id": key.ref("key_id")},
        path=path,
    )
    ctx.output(f"kms_key_{tf_name(name)}_arn", key.ref("arn"), f"ARN of the {name} KMS key",
               path=("keys", "domains", name))
    return key.ref("arn")


MODULE = module(
    __name__, build=build, finalize=finalize, services=lambda spec: {"kms"},
    emits=frozenset({"aws_kms_key", "aws_kms_alias", "data.aws_iam_policy_document"}),
)
