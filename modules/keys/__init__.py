"""keys: customer-managed KMS keys, the `platform` key plus one per data domain.

Every key has rotation on, a 30-day deletion window by default and an explicit key
policy: the account administers it through IAM (no `kms:*`), and only the principals
the policy names use it: every role mlops creates whose policy uses the key (found
when every module has built, so no role can be missed or named twice), the people and
pipelines `keys.users` lists, CloudWatch Logs for this account's log groups, the
services other modules ask for (`BuildContext.allow_key_use`), and the role Terraform
assumes, only to encrypt the objects it writes itself (Clarify's configuration).
Other modules read the key ARNs from the export `keys.arns`.
"""

from __future__ import annotations

from mlops.iam import document, statement
from mlops.module_api import BuildContext, Module, fragment, tf_name

PLATFORM = "platform"

ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:DeleteAlias",
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


def build(ctx: BuildContext) -> None:
    section = ctx.section
    domains = {PLATFORM: {"description": "Default key of the mlops platform"}}
    domains.update(section.get("domains", {}))
    arns, policies = {}, {}
    for name in sorted(domains):
        path = ("keys",) if name == PLATFORM else ("keys", "domains", name)
        arns[name], policies[name] = _key(ctx, name, domains[name], path, section["deletion_window_days"])
    ctx.export("arns", arns)
    ctx.export("policies", policies)


def finalize(ctx: BuildContext) -> None:
    """Name, in each key's policy, every role that uses the key and what it may do."""
    arns, policies = ctx.imported("keys.arns"), ctx.imported("keys.policies")
    users = [_role_arn(ctx.env, user) for user in ctx.section.get("users", [])]
    uses = _role_uses(ctx.stack, {arn: name for name, arn in arns.items()})
    written = {r.attrs["kms_key_id"] for r in ctx.stack.resources if r.type == "aws_s3_object"}
    for name in sorted(policies):
        statements = policies[name].attrs["statement"]
        statements.extend(ctx.stack.key_statements.get(name, []))
        by_actions: dict[tuple[str, ...], list[str]] = {}
        for role, actions in sorted(uses.get(name, {}).items()):
            by_actions.setdefault(tuple(sorted(actions)), []).append(role)
        for index, (actions, roles) in enumerate(sorted(by_actions.items())):
            statements.append(_named_principals(ctx.env, f"PlatformRolesUseKey{index + 1}", actions, roles))
        if users:
            statements.append(_named_principals(ctx.env, "KeyUsersUseKey", USE_ACTIONS + ["kms:CreateGrant"], users))
        if ctx.env.role_arn and arns[name] in written:
            statements.append(_named_principals(ctx.env, "TerraformEncryptsObjectsItWrites",
                                                ["kms:DescribeKey", "kms:GenerateDataKey"], [ctx.env.role_arn]))


def _named_principals(env, sid: str, actions, role_arns: list[str]) -> dict:
    """Principal the account, narrowed to the named roles by aws:PrincipalArn: a key
    policy naming a role directly is rejected until the role exists, and roles are
    created after their key."""
    return statement(sid, actions, ["*"], principals={"AWS": [env.arn("iam", "root", region=False)]},
                     conditions=[("ArnEquals", "aws:PrincipalArn", sorted(role_arns))])


def _role_uses(stack, key_names: dict[str, str]) -> dict[str, dict[str, set[str]]]:
    """key name -> role ARN -> the kms actions the role's inline policy allows on it."""
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
                if resource in key_names:
                    uses.setdefault(key_names[resource], {}).setdefault(role_arn, set()).update(kms)
    return uses


def _address(reference: str) -> str:
    """`${aws_iam_role.x.id}` -> `aws_iam_role.x`."""
    return reference[2:-1].rsplit(".", 1)[0]


def _role_arn(env, role: str) -> str:
    return role if role.startswith("arn:") else env.arn("iam", f"role/{role}", region=False)


def _key(ctx: BuildContext, name: str, domain: dict, path: tuple, window: int):
    env, project = ctx.env, ctx.spec["project"]
    root = env.arn("iam", "root", region=False)
    statements = [statement("AccountAdministersKey", ADMIN_ACTIONS, ["*"], principals={"AWS": [root]})]
    if name == PLATFORM:  # log groups (flow logs, job logs, the audit trail) use the platform key
        statements.append(statement(
            "CloudWatchLogsUsesKeyForThisAccount",
            USE_ACTIONS,
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
    description = domain.get("description") or f"mlops {name} key"
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
        {"name": f"alias/{project}-{env.name}-{name}", "target_key_id": key.ref("key_id")},
        path=path,
    )
    ctx.output(f"kms_key_{tf_name(name)}_arn", key.ref("arn"), f"ARN of the {name} KMS key")
    return key.ref("arn"), policy


MODULE = Module(
    name="keys",
    schema=fragment(__name__),
    build=build,
    finalize=finalize,
    services=lambda spec: {"kms"},
    emits=frozenset({"aws_kms_key", "aws_kms_alias", "data.aws_iam_policy_document"}),
)
