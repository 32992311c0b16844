"""EventBridge rules mlops generates, run through a real pattern matcher (moto's)
against AWS's published sample events (tests/events/): each matches what it must and
nothing else. Here: the new-data rules that start retraining and the source rules that
start release pipelines; test_event_patterns_monitoring.py has the monitoring loop's."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from golden import ROOT, STACKS
from moto.events.models import EventPattern
from ruamel.yaml import YAML

from mlops.module_api import tf_name

EVENTS = Path(__file__).resolve().parent / "events"


def _event(name: str, **detail) -> dict:
    event = json.loads((EVENTS / f"{name}.json").read_text())
    for path, value in detail.items():
        node = event["detail"]
        *parents, last = path.split("__")
        for part in parents:
            node = node[part]
        node[last] = value
    return event


def _new_data_rules():
    """(pattern, dataset URI the rule's target trains on, marker the spec names) of every
    new-data rule."""
    for path in STACKS:
        resources = json.loads(path.read_text()).get("resource", {})
        models = _spec(path).get("models", {})
        for name, rule in resources.get("aws_cloudwatch_event_rule", {}).items():
            if name.startswith("new_data_"):
                model = next(m for m in models.values() if f"new_data_{tf_name(_name(models, m))}" == name)
                marker = model["retrain"].get("new_data_marker", "_SUCCESS")
                yield pytest.param(json.loads(rule["event_pattern"]), _dataset(resources["aws_cloudwatch_event_target"][name]),
                                   marker, id=f"{path.relative_to(ROOT).parent}:{name}")


def _spec(stack: Path) -> dict:
    """The spec a committed stack was compiled from."""
    case = stack.parent.parent.parent
    return YAML(typ="safe").load((case / "mlops.yaml" if case.name != ROOT.name else ROOT / "mlops.yaml").read_text())


def _name(models: dict, model: dict) -> str:
    return next(name for name, m in models.items() if m is model)


def _dataset(target: dict) -> str:
    if "input" in target:
        return json.loads(target["input"])["DatasetUri"]
    parameters = target["sagemaker_pipeline_target"][0]["pipeline_parameter_list"]
    return next(p["value"] for p in parameters if p["name"] == "DatasetUri")


NEW_DATA_RULES = list(_new_data_rules())


def test_there_are_new_data_rules_to_check():
    assert NEW_DATA_RULES


@pytest.mark.parametrize("pattern, dataset, marker", NEW_DATA_RULES)
def test_a_new_data_rule_fires_on_the_marker_file_only(pattern, dataset, marker):
    """The marker (default `_SUCCESS`) under the dataset's prefix, at any depth; nothing else."""
    matcher = EventPattern.load(json.dumps(pattern))
    prefix = dataset.removeprefix("s3://").partition("/")[2]
    bucket = pattern["detail"]["bucket"]["name"][0]  # the bucket's Terraform reference: Terraform fills in both
    created = lambda key, bucket=bucket: _event("s3-object-created", bucket__name=bucket, object__key=key)  # noqa: E731
    assert matcher.matches_event(created(f"{prefix}2026-11-30/{marker}"))
    assert matcher.matches_event(created(f"{prefix}{marker}"))
    assert not matcher.matches_event(created(f"{prefix}2026-11-30/NOT{marker}"))
    assert not matcher.matches_event(created(f"{prefix}2026-11-30/part-0001.csv"))
    assert not matcher.matches_event(created(f"other/{prefix}{marker}"))
    assert not matcher.matches_event(created(f"{prefix}{marker}", bucket="someone-elses-bucket"))
    deleted = copy.deepcopy(created(f"{prefix}{marker}"))
    deleted["detail-type"] = "Object Deleted"
    assert not matcher.matches_event(deleted)


def _source_rules():
    """(pattern, branch) of every rule that starts a release pipeline on a push."""
    for path in STACKS:
        resources = json.loads(path.read_text()).get("resource", {})
        for name, rule in resources.get("aws_cloudwatch_event_rule", {}).items():
            pattern = json.loads(rule.get("event_pattern", "{}"))
            if pattern.get("source") == ["aws.codecommit"]:
                yield pytest.param(pattern, id=f"{path.relative_to(ROOT).parent}:{name}")


SOURCE_RULES = list(_source_rules())


def test_there_are_source_rules_to_check():
    assert SOURCE_RULES


@pytest.mark.parametrize("pattern", SOURCE_RULES)
def test_a_source_rule_fires_on_a_push_to_its_branch_only(pattern):
    """A branch created or moved in the rule's repository starts the pipeline; other
    branches, tags, deletions and other repositories do not."""
    matcher = EventPattern.load(json.dumps(pattern))
    repository = pattern["resources"][0]  # the repository's Terraform reference; Terraform fills in both
    branch = pattern["detail"]["referenceName"][0]

    def push(event="referenceUpdated", name=branch, kind="branch", resources=(repository,)):
        created = _event("codecommit-reference-created", event=event, referenceName=name, referenceType=kind,
                         referenceFullName=f"refs/heads/{name}")
        created["resources"] = list(resources)
        return created

    assert matcher.matches_event(push())
    assert matcher.matches_event(push(event="referenceCreated"))
    assert not matcher.matches_event(push(name=f"{branch}-old"))
    assert not matcher.matches_event(push(kind="tag"))
    assert not matcher.matches_event(push(event="referenceDeleted"))
    assert not matcher.matches_event(push(resources=["arn:aws:codecommit:us-east-2:123456789012:MyDemoRepo"]))
