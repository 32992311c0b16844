"""SageMaker pipeline definitions, checked step by step against the APIs they call.

A `Training` step's `Arguments` are a CreateTrainingJob request, a `Processing`,
`QualityCheck` or `ClarifyCheck` step's a CreateProcessingJob request, and so on; the
pipeline service names the jobs, so those members are not required here (`FILLED`).
Expressions are resolved to what they give at run time:
- `{"Get": "Parameters.X"}`: the declared parameter's type, and its default checked
  like a literal;
- `{"Get": "Steps.S.<path>"}`: the member at `<path>` of what step S's Describe*
  operation returns (DescribeTrainingJob for a Training step), with its type; check
  steps expose the properties AWS documents for them (`CHECK_PROPERTIES`);
- `Std:Join` gives a string; `ExecutionVariables.*` give strings.
Every problem comes back as `step: where: what`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from ..errors import did_you_mean
from . import Hole, check_request, model

# Step type -> (the request its Arguments are, the members the pipeline fills in,
# the Describe* operation its properties come from).
STEPS: dict[str, tuple[str, frozenset[str], str | None]] = {
    "Training": ("CreateTrainingJob", frozenset({"TrainingJobName"}), "DescribeTrainingJob"),
    "Processing": ("CreateProcessingJob", frozenset({"ProcessingJobName"}), "DescribeProcessingJob"),
    "QualityCheck": ("CreateProcessingJob", frozenset({"ProcessingJobName"}), None),
    "ClarifyCheck": ("CreateProcessingJob", frozenset({"ProcessingJobName"}), None),
    "Transform": ("CreateTransformJob", frozenset({"TransformJobName"}), "DescribeTransformJob"),
    "Model": ("CreateModel", frozenset({"ModelName"}), "DescribeModel"),
    "RegisterModel": ("CreateModelPackage", frozenset(), "DescribeModelPackage"),
}
# Properties of the check steps (SageMaker Pipelines documentation, "Step properties"
# of QualityCheck and ClarifyCheck): S3 URIs of what the check computed or used.
CHECK_PROPERTIES = {
    "QualityCheck": ("CalculatedBaselineConstraints", "CalculatedBaselineStatistics",
                     "BaselineUsedForDriftCheckConstraints", "BaselineUsedForDriftCheckStatistics"),
    "ClarifyCheck": ("CalculatedBaselineConstraints", "BaselineUsedForDriftCheckConstraints"),
}
PARAMETER_TYPES = {"String": "string", "Integer": "integer", "Float": "float", "Boolean": "boolean"}
# Conditions that compare numbers; the others compare anything.
NUMERIC_CONDITIONS = {"GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo"}
_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def check(definition: dict[str, Any]) -> list[str]:
    """Every problem of one pipeline definition."""
    listed = list(_steps(definition.get("Steps", [])))
    steps = dict(listed)
    parameters = {p["Name"]: p for p in definition.get("Parameters", [])}
    problems = [f"{name}: another step has this name; step names must be unique"
                for i, (name, _) in enumerate(listed) if name in dict(listed[:i])]
    for name, step in steps.items():
        resolve = _Resolver(steps, parameters, name)
        for other in step.get("DependsOn", []):
            if other not in steps:
                problems.append(f"{name}: DependsOn names no step {other!r}")
        kind = step["Type"]
        if kind in STEPS:
            operation, filled, _ = STEPS[kind]
            arguments = resolve(step.get("Arguments", {}), "Arguments")
            problems += [f"{name}: {p}" for p in check_request("sagemaker", operation, arguments, filled=filled)]
        elif kind == "Condition":
            problems += _conditions(step, resolve)
        elif kind == "Fail":
            resolve(step.get("Arguments", {}), "Arguments")
        else:
            problems.append(f"{name}: mlops does not know how to check a {kind} step (add it to mlops.awsapi.pipelines)")
        problems += [f"{name}: {p}" for p in resolve.problems]
    return problems


def _steps(steps: list[dict]) -> Iterator[tuple[str, dict]]:
    for step in steps:
        yield step["Name"], step
        if step["Type"] == "Condition":
            yield from _steps(step["Arguments"].get("IfSteps", []))
            yield from _steps(step["Arguments"].get("ElseSteps", []))


def _conditions(step: dict, resolve: _Resolver) -> list[str]:
    """References in every condition resolve; the ones that compare numbers get numbers."""
    problems = []
    conditions = resolve(step["Arguments"].get("Conditions", []), "Conditions")
    for i, condition in enumerate(conditions):
        if condition.get("Type") not in NUMERIC_CONDITIONS:
            continue
        for side in ("LeftValue", "RightValue"):
            value = condition.get(side)
            kind = value.type if isinstance(value, Hole) else ("number" if _number(value) else "other")
            if kind not in ("integer", "long", "float", "double", "number", None):
                problems.append(f"{step['Name']}: Conditions[{i}].{side}: {condition['Type']} compares numbers, "
                                f"and this is a {kind}")
    return problems


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Resolver:
    """Turns pipeline expressions into `Hole`s, noting references that go nowhere."""

    def __init__(self, steps: dict[str, dict], parameters: dict[str, dict], step: str):
        self.steps, self.parameters, self.step = steps, parameters, step
        self.problems: list[str] = []

    def __call__(self, node: Any, where: str) -> Any:
        if isinstance(node, dict):
            if set(node) == {"Get"}:
                return self.get(node["Get"], where)
            if set(node) == {"Std:Join"}:
                self(node["Std:Join"].get("Values", []), where)
                return Hole("string", "Std:Join")
            if set(node) == {"Std:JsonGet"}:
                return Hole(None, "Std:JsonGet")
            return {key: self(value, f"{where}.{key}") for key, value in node.items()}
        if isinstance(node, list):
            return [self(item, f"{where}[{i}]") for i, item in enumerate(node)]
        return node

    def get(self, path: str, where: str) -> Hole:
        what = f"Get {path}"
        head, _, rest = path.partition(".")
        if head == "Parameters":
            parameter = self.parameters.get(rest)
            if parameter is None:
                return self._unknown(where, f"{what}: no parameter {rest!r} is declared", rest, self.parameters)
            return Hole(PARAMETER_TYPES.get(parameter.get("Type", "String")), what, parameter.get("DefaultValue"))
        if head == "ExecutionVariables":
            return Hole("string", what)
        if head != "Steps":
            return self._unknown(where, f"{what}: not a Parameters, Steps or ExecutionVariables reference", "", ())
        name, _, prop = rest.partition(".")
        step = self.steps.get(name)
        if step is None:
            return self._unknown(where, f"{what}: no step {name!r}", name, self.steps)
        return self._property(step, prop, what, where)

    def _property(self, step: dict, prop: str, what: str, where: str) -> Hole:
        kind = step["Type"]
        if kind in CHECK_PROPERTIES:
            if prop in CHECK_PROPERTIES[kind]:
                return Hole("string", what)
            return self._unknown(where, f"{what}: a {kind} step has no property {prop!r}", prop, CHECK_PROPERTIES[kind])
        describe = STEPS.get(kind, (None, None, None))[2]
        if describe is None:
            return self._unknown(where, f"{what}: a {kind} step has no properties", "", ())
        found = resolve_path("sagemaker", model("sagemaker").output(describe), prop)
        if isinstance(found, str):
            self.problems.append(f"{where}: {what}: {found} (in {describe}'s response)")
            return Hole(None, what)
        return Hole(found[0], what)

    def _unknown(self, where: str, message: str, name: str, choices) -> Hole:
        hint = did_you_mean(name, choices) if name else None
        self.problems.append(f"{where}: {message}" + (f" ({hint})" if hint else ""))
        return Hole(None, message)


@cache
def resolve_path(service: str, shape_name: str, path: str) -> tuple[str] | str:
    """The botocore type at `path` (`A.B[0].C`, `L['name'].V`) below a shape, as a
    one-tuple; or a sentence saying where the path leaves the shape."""
    m = model(service)
    tokens = list(_TOKEN.finditer(path))
    if "".join(t.group(0) for t in tokens) != path or not path:
        return f"cannot read the path {path!r}"
    name = shape_name
    for token in tokens:
        shape = m.shape(name)
        member = token.group(1)
        if member is not None:
            members = shape.get("members", {})
            if shape["type"] != "structure" or member not in members:
                hint = did_you_mean(member, members)
                return f"no member {member!r} at {name}" + (f" ({hint})" if hint else "")
            name = members[member]["shape"]
        elif shape["type"] == "list":
            name = shape["member"]["shape"]
        elif shape["type"] == "map" and token.group(2) is None:
            name = shape["value"]["shape"]
        else:
            return f"{name} is a {shape['type']}, which cannot be indexed with {token.group(0)}"
    return (m.shape(name)["type"],)
