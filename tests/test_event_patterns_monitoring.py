"""The monitoring loop's EventBridge rules, run through a real pattern matcher (moto's)
against AWS's published sample events (tests/events/, sources in its README): each
rule matches the events it exists for and nothing else.

What a rule must match is derived from the resources it is about (the model package
group, the monitoring schedule, the violations alarm, the monitoring pipeline), never
from the rule's own pattern:
- SageMaker Model Package State Change (baseline archiver, approver): a new version of
  the model's group, PendingManualApproval;
- SageMaker Processing Job State Change (Model Monitor violations): a run of the
  kind's schedule that completed with violations;
- CloudWatch Alarm State Change (mlops engine drift): the model's data-quality
  violations alarm entering ALARM;
- SageMaker Model Building Pipeline Execution Status Change: the monitoring pipeline
  of the model failing;
- CloudWatch Alarm State Change forwarded from an environment that serves this one's
  versions (`served_drift_<env>_<model>`): its violations alarm entering ALARM, in its
  account, read from its own stack (another environment of the same case).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from golden import ROOT, STACKS
from moto.events.models import EventPattern

EVENTS = Path(__file__).resolve().parent / "events"
KINDS = {
    "SageMaker Model Package State Change": "model-package",
    "SageMaker Processing Job State Change": "processing-job",
    "CloudWatch Alarm State Change": "alarm",
    "SageMaker Model Building Pipeline Execution Status Change": "pipeline",
}
SERVED = "served_drift_"  # a training environment's rule for drift in the environments serving from it
SCHEDULES = {"drift_": "data_quality", "model_quality_violations_": "model_quality", "bias_violations_": "bias",
             "explainability_violations_": "explainability"}


def _event(name: str, resources: list | None = None, **detail) -> dict:
    event = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
    if resources is not None:
        event["resources"] = resources
    event["detail"].update(detail)
    return event


def _rules():
    for path in STACKS:
        resources = json.loads(path.read_text()).get("resource", {})
        for name, rule in sorted(resources.get("aws_cloudwatch_event_rule", {}).items()):
            pattern = json.loads(rule["event_pattern"])
            kind = KINDS.get((pattern.get("detail-type") or [""])[0])
            if kind and not name.startswith(SERVED):
                yield pytest.param(kind, name, pattern, resources, id=f"{path.relative_to(ROOT).parent}:{name}")


RULES = list(_rules())


def test_there_are_rules_of_every_kind():
    assert {p.values[0] for p in RULES} == set(KINDS.values())


def _cases(kind: str, name: str, resources: dict) -> tuple[list[dict], list[dict]]:
    """(events the rule must match, events it must not) for one rule."""
    if kind == "model-package":
        model = name.split("_", 1)[1]
        group = resources["aws_sagemaker_model_package_group"][model]["model_package_group_name"]
        new = lambda group=group, **d: _event("sagemaker-model-package-state-change",  # noqa: E731
                                              ModelPackageGroupName=group, **d)
        return ([new(ModelApprovalStatus="PendingManualApproval")],
                [new(ModelApprovalStatus="Approved"), new(ModelApprovalStatus="Rejected"),
                 new(group=group + "-other", ModelApprovalStatus="PendingManualApproval")])
    if kind == "processing-job":
        prefix = next(p for p in SCHEDULES if name.startswith(p))
        schedule = f"${{aws_sagemaker_monitoring_schedule.{name.removeprefix(prefix)}_{SCHEDULES[prefix]}.arn}}"
        run = lambda status, message, arn=schedule: _event(  # noqa: E731
            "sagemaker-processing-job-state-change", MonitoringScheduleArn=arn, ProcessingJobStatus=status,
            ExitMessage=message)
        violations = "CompletedWithViolations: Job completed successfully with 3 violations."
        return ([run("Completed", violations)],
                [run("Completed", "Completed: Job completed successfully with no violations."),
                 run("Failed", "Error: the baseline file is missing"), run("InProgress", violations),
                 run("Completed", violations, arn=schedule.replace(".arn}", "_other.arn}"))])
    if kind == "alarm":
        alarm = f"${{aws_cloudwatch_metric_alarm.{name.removeprefix('drift_')}_data_quality_violations.arn}}"
        changed = lambda value, arn=alarm: _event(  # noqa: E731
            "cloudwatch-alarm-state-change", resources=[arn],
            state={**_event("cloudwatch-alarm-state-change")["detail"]["state"], "value": value})
        return ([changed("ALARM")],
                [changed("OK"), changed("INSUFFICIENT_DATA"), changed("ALARM", arn=alarm.replace("_violations", "_other"))])
    model = name.removeprefix("monitor_").removesuffix("_failed")
    pipeline = f"${{aws_sagemaker_pipeline.{model}_monitor.arn}}"
    status = lambda value, arn=pipeline: _event(  # noqa: E731
        "sagemaker-pipeline-execution-status-change", pipelineArn=arn, currentPipelineExecutionStatus=value)
    return ([status("Failed")],
            [status("Succeeded"), status("Executing"), status("Stopped"),
             status("Failed", arn=f"${{aws_sagemaker_pipeline.{model}.arn}}")])


def _resolved(pattern: dict, resources: dict) -> str:
    """The pattern as Terraform renders it: a reference to an attribute the stack sets
    literally (a group's name, say) becomes that value; ARNs, known only after apply,
    stay references, and the events carry the same references."""
    text = json.dumps(pattern)
    for ref in set(re.findall(r"\$\{([a-z0-9_]+)\.([a-z0-9_]+)\.([a-z_]+)\}", text)):
        value = resources.get(ref[0], {}).get(ref[1], {}).get(ref[2])
        if isinstance(value, str):
            text = text.replace("${%s.%s.%s}" % ref, value)
    return text


@pytest.mark.parametrize("kind, name, pattern, resources", RULES)
def test_a_rule_matches_its_events_and_nothing_else(kind, name, pattern, resources):
    matcher = EventPattern.load(_resolved(pattern, resources))
    matching, other = _cases(kind, name, resources)
    for event in matching:
        assert matcher.matches_event(event), (name, event["detail"])
    for event in other:
        assert not matcher.matches_event(event), (name, event.get("resources"), event["detail"])


def test_the_matcher_is_not_blind():
    """A pattern without the status filter matches too much, and the test would say so."""
    kind, name, pattern, resources = next(p.values for p in RULES if p.values[0] == "alarm")
    loose = copy.deepcopy(pattern)
    del loose["detail"]
    _, other = _cases(kind, name, resources)
    assert any(EventPattern.load(json.dumps(loose)).matches_event(e) for e in other)


def _served_rules():
    for path in STACKS:
        for name, rule in sorted(json.loads(path.read_text()).get("resource", {}).get("aws_cloudwatch_event_rule", {}).items()):
            if name.startswith(SERVED):
                yield pytest.param(path, name, json.loads(rule["event_pattern"]), id=f"{path.relative_to(ROOT).parent}:{name}")


SERVED_RULES = list(_served_rules())


def _forwarded(path: Path, name: str) -> list[tuple[str, str, str, str]]:
    """(rule name, account, region, alarm ARN) for each other environment of the case
    whose stack forwards a model's drift (a `drift_<model>_forward` target), read from
    that stack; the rule of this stack for it is `served_drift_<env>_<model>`."""
    found = []
    for other in [p for p in STACKS if p.parent.parent == path.parent.parent]:
        stack = json.loads(other.read_text())
        provider = stack["provider"]["aws"][0]
        account, region = provider["allowed_account_ids"][0], provider["region"]
        for target in stack["resource"].get("aws_cloudwatch_event_target", {}) if other != path else ():
            if target.startswith("drift_") and target.endswith("_forward"):
                model = target.removeprefix("drift_").removesuffix("_forward")
                alarm = stack["resource"]["aws_cloudwatch_metric_alarm"][f"{model}_data_quality_violations"]["alarm_name"]
                found.append((f"{SERVED}{other.parent.name}_{model}", account, region,
                              f"arn:aws:cloudwatch:{region}:{account}:alarm:{alarm}"))
    return found


def _alarm_event(account: str, region: str, arn: str, value: str = "ALARM") -> dict:
    event = _event("cloudwatch-alarm-state-change", resources=[arn],
                   state={**_event("cloudwatch-alarm-state-change")["detail"]["state"], "value": value})
    return {**event, "account": account, "region": region}


def test_there_are_served_drift_rules():
    assert SERVED_RULES, "no golden stack retrains on drift found where its versions are served"


@pytest.mark.parametrize("path, name, pattern", SERVED_RULES)
def test_a_served_drift_rule_matches_its_serving_alarm_and_nothing_else(path, name, pattern):
    """The alarm of the one serving environment the rule is for, in its account, entering
    ALARM; never another state, another serving environment's account or alarm, the
    training account itself, or another alarm."""
    matcher = EventPattern.load(json.dumps(pattern))
    forwarded = _forwarded(path, name)
    assert len(forwarded) >= 2, "the test needs two serving environments to tell apart"
    (_, account, region, arn), = [f for f in forwarded if f[0] == name]
    own = json.loads(path.read_text())["provider"]["aws"][0]["allowed_account_ids"][0]
    assert matcher.matches_event(_alarm_event(account, region, arn)), (name, arn)
    others = [event for rule, other_account, _, other_arn in forwarded if rule != name
              for event in (_alarm_event(other_account, region, other_arn), _alarm_event(account, region, other_arn),
                            _alarm_event(other_account, region, arn))]
    for event in (_alarm_event(account, region, arn, "OK"), _alarm_event(account, region, arn, "INSUFFICIENT_DATA"),
                  _alarm_event(own, region, arn), _alarm_event(account, region, arn.replace("-violations", "-other")),
                  *others):
        assert not matcher.matches_event(event), (name, event["account"], event["resources"], event["detail"]["state"])
