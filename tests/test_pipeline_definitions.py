"""Every generated SageMaker pipeline definition validates against AWS's published
pipeline definition schema (../shared/reference/), and every Step Functions definition
is a well-formed state machine whose transitions all land on a state."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from conftest import ROOT
from golden import STACKS, load_stack

REFERENCE = ROOT.parent / "shared" / "reference" / "sagemaker-pipeline-definition.schema.json"


def _validator() -> Draft7Validator:
    if not REFERENCE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"AWS's pipeline definition schema is missing: {REFERENCE}")
        pytest.skip(f"{REFERENCE} is not here (it lives in shared/, beside the checkout)")
    return Draft7Validator(json.loads(REFERENCE.read_text("utf-8")))


def _all(kind: str):
    for path in STACKS:
        stack = load_stack(path)
        for name, body in sorted(stack.get("resource", {}).get(kind, {}).items()):
            yield f"{path.relative_to(ROOT).parent}:{name}", body


PIPELINES = list(_all("aws_sagemaker_pipeline"))
MACHINES = list(_all("aws_sfn_state_machine"))


def test_there_are_pipelines_and_state_machines_to_check() -> None:
    assert len(PIPELINES) >= 3 and len(MACHINES) >= 2


@pytest.mark.parametrize("body", [b for _, b in PIPELINES], ids=[i for i, _ in PIPELINES])
def test_pipeline_definition_passes_aws_schema(body: dict) -> None:
    validator = _validator()
    definition = json.loads(body["pipeline_definition"])
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(definition)]
    assert errors == []
    names = [s["Name"] for s in definition["Steps"]]
    if definition["Parameters"][0]["Name"] == "Monitor":  # a monitoring pipeline (monitoring/pipeline.py)
        for step in definition["Steps"]:
            assert step["Type"] == "Condition" and step["Arguments"]["ElseSteps"] == []
            [job] = step["Arguments"]["IfSteps"]
            assert job["Type"] == "Processing"
            assert job["Arguments"]["AppSpecification"]["ContainerEntrypoint"][-1].endswith("/job.py")
        return
    assert "Train" in names and "Evaluate" in names and "CheckMetric" in names
    condition = next(s for s in definition["Steps"] if s["Name"] == "CheckMetric")
    assert [s["Type"] for s in condition["Arguments"]["IfSteps"]] == ["RegisterModel"]
    assert [s["Type"] for s in condition["Arguments"]["ElseSteps"]] == ["Fail"]


def test_the_schema_check_rejects_a_broken_definition() -> None:
    validator = _validator()
    _, body = PIPELINES[0]
    definition = json.loads(body["pipeline_definition"])
    definition["Steps"][0]["Arguments"]["NotAnArgument"] = True
    assert list(validator.iter_errors(definition))


@pytest.mark.parametrize("body", [b for _, b in MACHINES], ids=[i for i, _ in MACHINES])
def test_state_machine_is_well_formed_logged_and_encrypted(body: dict) -> None:
    definition = json.loads(body["definition"])
    states = definition["States"]
    assert definition["StartAt"] in states
    for name, state in states.items():
        targets = [state.get("Next"), state.get("Default"), *[c["Next"] for c in state.get("Choices", [])]]
        for target in filter(None, targets):
            assert target in states, f"{name} -> {target}"
        assert state.get("End") or state["Type"] in ("Choice", "Fail", "Succeed") or state.get("Next"), name
    assert body["logging_configuration"][0]["level"] == "ALL"
    assert body["encryption_configuration"][0]["type"] == "CUSTOMER_MANAGED_KMS_KEY"
    assert body["tracing_configuration"][0]["enabled"] is True


def test_buildspecs_render_as_yaml_with_the_release_steps() -> None:
    from ruamel.yaml import YAML

    found = 0
    for _, body in _all("aws_codebuild_project"):
        spec = YAML(typ="safe").load(body["source"][0]["buildspec"])
        assert spec["version"] == 0.2
        commands = [c for phase in spec["phases"].values() for c in phase["commands"]]
        assert commands
        if "imageDetail.json" in str(spec.get("artifacts")):
            found += 1
            assert any(c.startswith("docker build") for c in commands)
            assert any("ssm put-parameter" in c for c in commands)
    assert found >= 2
