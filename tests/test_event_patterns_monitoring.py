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
  of the model failing.
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
            if kind:
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
