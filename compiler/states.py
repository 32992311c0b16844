"""Part of the module API: Step Functions state machines with the platform's baseline.

Every state machine a module creates logs everything to a KMS-encrypted log group, is
encrypted with the platform key, is traced, and runs as a role with one inline policy:
the module's statements plus log delivery, tracing and the key.
"""

from __future__ import annotations

import json

from .iam import service_role, statement
from .module_api import BuildContext, tf_name

LOG_DELIVERY = ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies",
                "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery"]
TRACING = ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]


def state_machine(ctx: BuildContext, ident: str, label: str, definition: dict, statements: list, path: tuple):
    env, project = ctx.env, ctx.spec["project"]
    key = ctx.imported("keys.arns")["platform"]
    logs = ctx.resource("aws_cloudwatch_log_group", tf_name("states", ident), {
        "name": f"/aws/vendedlogs/states/{project}-{env.name}-{label}", "retention_in_days": 365, "kms_key_id": key,
    }, path=path)
    role = service_role(ctx, tf_name("states", ident), "states.amazonaws.com", [
        *statements,
        statement("DeliverLogs", LOG_DELIVERY, ["*"]),
        statement("Trace", TRACING, ["*"]),
        statement("UsePlatformKey", ["kms:Decrypt", "kms:GenerateDataKey"], [key]),
    ], path=path)
    # Log delivery reads execution data the platform key encrypts, to write it to the log group.
    ctx.allow_key_use("platform", statement(
        "VendedLogDeliveryDecrypts", ["kms:Decrypt"], ["*"], principals={"Service": ["delivery.logs.amazonaws.com"]},
        conditions=[("StringEquals", "aws:SourceAccount", [env.account])]))
    machine = ctx.resource("aws_sfn_state_machine", ident, {
        "name": f"{project}-{env.name}-{label}",
        "role_arn": role.ref("arn"),
        "type": "STANDARD",
        "definition": json.dumps(definition, indent=2, sort_keys=True),
        "logging_configuration": [{"log_destination": logs.ref("arn") + ":*", "include_execution_data": True, "level": "ALL"}],
        "tracing_configuration": [{"enabled": True}],
        "encryption_configuration": [{"type": "CUSTOMER_MANAGED_KMS_KEY", "kms_key_id": key,
                                      "kms_data_key_reuse_period_seconds": 300}],
    }, path=path)
    return machine
