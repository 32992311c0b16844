"""keys: customer-managed KMS keys, the `platform` key plus one per data domain.

Every key has rotation on, a 30-day deletion window by default and an explicit key
policy: the account administers and uses it through IAM (no `kms:*`), and CloudWatch
Logs may use it only for this account's log groups. Other modules read the key ARNs
from the export `keys.arns`.
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
    arns = {}
    for name in sorted(domains):
        path = ("keys",) if name == PLATFORM else ("keys", "domains", name)
        arns[name] = _key(ctx, name, domains[name], path, section["deletion_window_days"])
    ctx.export("arns", arns)


def _key(ctx: BuildContext, name: str, domain: dict, path: tuple, window: int) -> str:
    env, project = ctx.env, ctx.spec["project"]
    root = env.arn("iam", "root", region=False)
    statements = [
        statement("AccountAdministersKey", ADMIN_ACTIONS, ["*"], principals={"AWS": [root]}),
        statement("AccountUsesKeyThroughIam", USE_ACTIONS, ["*"], principals={"AWS": [root]}),
    ]
    if name == PLATFORM and "monitoring" in ctx.spec:
        # Alarms and EventBridge rules publish to the alerts topic, encrypted with this key.
        statements.append(statement(
            "AlarmsAndRulesUseKeyForAlerts",
            ["kms:Decrypt", "kms:GenerateDataKey*"],
            ["*"],
            principals={"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]},
            conditions=[("StringEquals", "aws:SourceAccount", [env.account])],
        ))
    if name == PLATFORM:  # log groups (flow logs, later job logs) use the platform key
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
                      "names its principal (this account, or CloudWatch Logs for this account's log groups)")
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
    return key.ref("arn")


MODULE = Module(
    name="keys",
    schema=fragment(__name__),
    build=build,
    services=lambda spec: {"kms"},
    emits=frozenset({"aws_kms_key", "aws_kms_alias", "data.aws_iam_policy_document"}),
)
