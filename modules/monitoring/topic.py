"""The alerts topic of an environment: an SNS topic encrypted with the platform key, that
only CloudWatch alarms and EventBridge rules of this account may publish to, with the
spec's email subscribers. The platform key's policy lets CloudWatch alarms of this
account and EventBridge (without source conditions, which its KMS requests do not
carry) use the key, for this topic."""

from __future__ import annotations

from mlops.iam import document, statement
from mlops.module_api import BuildContext, Resource, tf_name

PUBLISHERS = ("cloudwatch.amazonaws.com", "events.amazonaws.com")


def build(ctx: BuildContext) -> Resource:
    env, project = ctx.env, ctx.spec["project"]
    path = ("monitoring",)
    topic = ctx.resource("aws_sns_topic", "alerts", {
        "name": f"{project}-{env.name}-alerts",
        "display_name": f"{project} {env.name} ML alerts",
        "kms_master_key_id": ctx.imported("keys").platform,
    }, path=path)
    policy = ctx.data("aws_iam_policy_document", "alerts_topic", document(statement(
        "AlarmsAndRulesPublish", ["sns:Publish"], [topic.ref("arn")], principals={"Service": list(PUBLISHERS)},
        conditions=[("StringEquals", "aws:SourceAccount", [env.account])],
    )), path=path)
    ctx.resource("aws_sns_topic_policy", "alerts", {"arn": topic.ref("arn"), "policy": policy.ref("json")}, path=path)
    # The topic is encrypted: publishers need the key too (SNS's "compatibility between event
    # sources from AWS services and encrypted topics"). CloudWatch's requests carry the
    # alarm as their source; EventBridge's KMS requests carry no aws:Source* key, so AWS
    # documents its grant without one (a condition on them would drop every notification).
    ctx.allow_key_use("platform", statement(
        "AlarmsUseKeyForAlerts", ["kms:Decrypt", "kms:GenerateDataKey*"], ["*"],
        principals={"Service": ["cloudwatch.amazonaws.com"]},
        conditions=[("StringEquals", "aws:SourceAccount", [env.account]),
                    ("ArnLike", "aws:SourceArn", [env.arn("cloudwatch", "alarm:*")])],
    ))
    ctx.allow_key_use("platform", statement(
        "RulesUseKeyForAlerts", ["kms:Decrypt", "kms:GenerateDataKey*"], ["*"],
        principals={"Service": ["events.amazonaws.com"]},
    ))
    for index, address in enumerate(ctx.section["notify"]):
        ctx.resource("aws_sns_topic_subscription", tf_name("alerts", address.split("@")[0], str(index)), {
            "topic_arn": topic.ref("arn"), "protocol": "email", "endpoint": address,
        }, path=("monitoring", "notify", index))
    ctx.output("alerts_topic_arn", topic.ref("arn"), "SNS topic that receives every ML alert of this environment")
    return topic
