"""Notifications reach the alerts topic (issue 11 defect 3): the topic is encrypted with
the platform key, so CloudWatch alarms and EventBridge rules need both the topic policy's
`sns:Publish` and the key policy's `kms:GenerateDataKey*` and `kms:Decrypt`, with
conditions their requests actually carry. Statement by statement, as AWS documents:

- Amazon SNS Developer Guide, "Enable compatibility between event sources from AWS
  services and encrypted topics"
  (docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services):
  the key policy lets the service principal use `kms:GenerateDataKey*` and `kms:Decrypt`;
- Amazon EventBridge User Guide, "Using resource-based policies for Amazon EventBridge",
  Amazon SNS permissions
  (docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions):
  the topic policy lets `events.amazonaws.com` publish; for a topic encrypted with a
  customer managed key, the key policy grants EventBridge without `aws:SourceArn`,
  `aws:SourceAccount` or `aws:SourceOrgID`, which its KMS requests do not carry (a
  statement conditioned on them never matches, and every notification is dropped);
- Amazon CloudWatch User Guide, "Using Amazon CloudWatch alarms" / confused-deputy
  prevention (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html):
  `cloudwatch.amazonaws.com` publishes on behalf of the alarm, with `aws:SourceAccount`
  and `aws:SourceArn` (the alarm's ARN) in its requests.
"""

from __future__ import annotations

import json
import re

import pytest
from golden import STACK_IDS, STACKS

SOURCE_KEYS = {"aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID", "aws:SourceOrgPaths"}
KEY_ACTIONS = {"kms:GenerateDataKey*", "kms:Decrypt"}
DOC = re.compile(r"^\$\{data\.aws_iam_policy_document\.([a-z0-9_]+)\.json\}$")
TOPICS = [pytest.param(p, id=sid) for p, sid in zip(STACKS, STACK_IDS, strict=True)
          if "aws_sns_topic_policy" in json.loads(p.read_text()).get("resource", {})]


def _statements(stack: dict, reference: str) -> list[dict]:
    return stack["data"]["aws_iam_policy_document"][DOC.match(reference).group(1)]["statement"]


def _granting(statements: list[dict], service: str, actions: set[str]) -> list[dict]:
    return [s for s in statements if s["effect"] == "Allow"
            and service in [i for p in s.get("principals", []) if p["type"] == "Service" for i in p["identifiers"]]
            and actions <= set(s["actions"])]


def _conditions(statement: dict) -> dict[str, tuple[str, list]]:
    return {c["variable"]: (c["test"], c["values"]) for c in statement.get("condition", [])}


def _context(stack: dict) -> tuple[str, dict, dict]:
    resources = stack["resource"]
    account = stack["provider"]["aws"][0]["allowed_account_ids"][0]
    topic = next(iter(resources["aws_sns_topic_policy"].values()))
    key = re.match(r"^\$\{aws_kms_key\.([a-z0-9_]+)\.arn\}$", resources["aws_sns_topic"]["alerts"]["kms_master_key_id"])
    return account, topic, resources["aws_kms_key"][key.group(1)]


def test_there_are_topics_to_check() -> None:
    assert TOPICS


@pytest.mark.parametrize("path", TOPICS)
def test_eventbridge_may_use_the_key_without_conditions_it_cannot_meet(path) -> None:
    stack = json.loads(path.read_text())
    _, _, key = _context(stack)
    grants = _granting(_statements(stack, key["policy"]), "events.amazonaws.com", KEY_ACTIONS)
    assert grants, "the key policy does not let EventBridge encrypt messages for the alerts topic"
    for grant in grants:
        assert grant["resources"] == ["*"]
        assert not SOURCE_KEYS & set(_conditions(grant)), (
            f"{grant['sid']}: EventBridge's KMS requests carry no {sorted(SOURCE_KEYS & set(_conditions(grant)))}")


@pytest.mark.parametrize("path", TOPICS)
def test_cloudwatch_alarms_may_use_the_key_for_this_account_only(path) -> None:
    stack = json.loads(path.read_text())
    account, _, key = _context(stack)
    grants = _granting(_statements(stack, key["policy"]), "cloudwatch.amazonaws.com", KEY_ACTIONS)
    assert grants, "the key policy does not let CloudWatch alarms encrypt messages for the alerts topic"
    for grant in grants:
        conditions = _conditions(grant)
        assert conditions.get("aws:SourceAccount") == ("StringEquals", [account]), grant["sid"]
        test, arns = conditions.get("aws:SourceArn", ("", []))
        assert test == "ArnLike" and all(re.fullmatch(rf"arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:{account}:alarm:\*", a)
                                         for a in arns), grant["sid"]


@pytest.mark.parametrize("path", TOPICS)
@pytest.mark.parametrize("service", ["cloudwatch.amazonaws.com", "events.amazonaws.com"])
def test_alarms_and_rules_of_this_account_may_publish(path, service) -> None:
    stack = json.loads(path.read_text())
    account, topic, _ = _context(stack)
    grants = _granting(_statements(stack, topic["policy"]), service, {"sns:Publish"})
    assert grants, f"the topic policy does not let {service} publish"
    for grant in grants:
        assert grant["resources"] == [topic["arn"]]
        assert _conditions(grant).get("aws:SourceAccount") == ("StringEquals", [account])
