"""Neutral pipeline steps (`steps.py`) as a SageMaker pipeline definition: parameters
declared with their defaults, references as pipeline expressions (`{"Get": ...}`,
`{"Std:Join": ...}`), the gate as a Condition step with its branches inside.

AWS's published definition schema (checked in the tests) allows only plain values and
these expressions in arguments; `mlops.awsapi.pipelines` resolves each `Get` against
the Describe* response of the step it names.
"""

from __future__ import annotations

from typing import Any

from .steps import Condition, ExecutionVariable, Gate, Join, MetricValue, ParameterRef, Pipeline, Step, StepOutput

VERSION = "2020-12-01"


def definition(pipeline: Pipeline) -> dict:
    """The definition `aws_sagemaker_pipeline` takes (as JSON)."""
    return {"Version": VERSION, "Metadata": {"GeneratedBy": "mlops"},
            "Parameters": [_parameter(p) for p in pipeline.parameters],
            "Steps": [_step(s) for s in pipeline.steps]}


def expression(ref: Any) -> Any:
    """One reference as a pipeline expression; anything else unchanged."""
    if isinstance(ref, ParameterRef):
        return {"Get": f"Parameters.{ref.name}"}
    if isinstance(ref, StepOutput):
        return {"Get": f"Steps.{ref.step}.{ref.path}"}
    if isinstance(ref, MetricValue):
        return {"Get": f"Steps.{ref.step}.FinalMetricDataList['{ref.metric}'].Value"}
    if isinstance(ref, ExecutionVariable):
        return {"Get": f"ExecutionVariables.{ref.name}"}
    if isinstance(ref, Join):
        return {"Std:Join": {"On": ref.on, "Values": [_render(v) for v in ref.values]}}
    return ref


def _parameter(p) -> dict:
    out = {"Name": p.name, "Type": p.type, "DefaultValue": p.default}
    if p.description is not None:
        out["Description"] = p.description
    return out


def _step(step: Step | Gate) -> dict:
    if isinstance(step, Gate):
        out = {"Name": step.name, "Type": "Condition", "Arguments": {
            "Conditions": [_condition(c) for c in step.conditions],
            "IfSteps": [_step(s) for s in step.if_steps],
            "ElseSteps": [_step(s) for s in step.else_steps]}}
    else:
        out = {"Name": step.name, "Type": step.kind, **_render(step.fields), "Arguments": _render(step.arguments)}
    if step.depends_on:
        out["DependsOn"] = list(step.depends_on)
    return out


def _condition(c: Condition) -> dict:
    return {"Type": c.kind, "LeftValue": _render(c.left), "RightValue": _render(c.right)}


def _render(node: Any) -> Any:
    """A copy of a tree of arguments with every reference rendered."""
    if isinstance(node, dict):
        return {key: _render(value) for key, value in node.items()}
    if isinstance(node, (list, tuple)):
        return [_render(item) for item in node]
    return expression(node)
