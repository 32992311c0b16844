"""EventBridge rules mlops generates, run through a real pattern matcher (moto's)
against AWS's published sample events (tests/events/): each matches what it must and
nothing else. Covered so far: the new-data rules that start retraining."""

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
