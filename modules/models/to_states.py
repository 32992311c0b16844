"""Neutral pipeline steps (`steps.py`) as a Step Functions state machine (JSONPath):
each step a Task through a SageMaker service integration, run one after the other in
the pipeline's order, each response kept at its ResultPath for later states; the gate a
Choice, its branches after it.

Where a reference's value comes from, since a state machine has no pipeline to ask:
- a parameter the execution input carries (`inputs`: what the triggers send) is read
  from it (`$.DatasetUri`); any other is its default, fixed when mlops compiles;
- a step output is the same path in that step's result (`.sync` integrations return
  the Describe* response): `$.train.ModelArtifacts.S3ModelArtifacts`;
- the metric the gate compares is picked out of the training step's
  FinalMetricDataList by two Pass states right after that step (`ReadMetric`,
  `PickMetric`), because a Choice reads plain paths only.
SageMaker Pipelines names the jobs it starts; a state machine must (`Task.job`).

What it cannot render (a step kind without an integration here, a reference in a list,
an execution variable, a join, a path that indexes) raises `RenderError` when mlops
builds the stack: no pipeline expression is ever left in a state machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .steps import REFERENCES, Gate, MetricValue, ParameterRef, Pipeline, Step, StepOutput

# Step kind -> (the integration that runs it, the request member naming its job).
INTEGRATIONS = {
    "Training": ("arn:aws:states:::sagemaker:createTrainingJob.sync", "TrainingJobName"),
    "Processing": ("arn:aws:states:::sagemaker:createProcessingJob.sync", "ProcessingJobName"),
    "RegisterModel": ("arn:aws:states:::aws-sdk:sagemaker:createModelPackage", None),
}
# SageMaker's numeric conditions as Choice comparison operators.
CHOICES = {"GreaterThanOrEqualTo": "NumericGreaterThanEquals", "LessThanOrEqualTo": "NumericLessThanEquals",
           "GreaterThan": "NumericGreaterThan", "LessThan": "NumericLessThan"}
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
METRIC = "metric"  # where ReadMetric and PickMetric keep the gate's metric


class RenderError(ValueError):
    """Neutral steps a state machine cannot express: a bug in mlops (the spec checks
    keep such models on SageMaker Pipelines), reported at build time."""


@dataclass(frozen=True)
class Task:
    """How the state machine runs one step: `result` names where its response is kept
    (`$.<result>`; None: not kept), `job` the prefix of the job names it starts, `adds`
    request members only the state machine sends."""

    result: str | None = None
    job: str | None = None
    adds: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Path:
    """A run-time value: a JSONPath (or intrinsic function) into the state's input."""

    path: str


def definition(pipeline: Pipeline, *, comment: str, tasks: dict[str, Task], inputs: tuple[str, ...]) -> dict:
    """The state machine definition: the steps before the gate in order, then the gate."""
    gate = pipeline.gate
    if gate is None or pipeline.steps[-1] is not gate:
        raise RenderError("a state machine runs steps, then the gate: it needs a gate, last")
    renderer = _Renderer(pipeline, tasks, inputs)
    metric = renderer.gate_metric(gate)
    order: list[str] = []
    for step in pipeline.steps[:-1]:
        renderer.add(step)
        order.append(step.name)
        if metric and metric.step == step.name:
            renderer.read_metric(metric)
            order += ["ReadMetric", "PickMetric"]
    states = renderer.states
    for before, after in zip(order, order[1:] + [gate.name]):
        states[before]["Next"] = after
    states[gate.name] = renderer.choice(gate)
    for branch in (gate.if_steps, gate.else_steps):
        renderer.branch(branch)
    return {"Comment": comment, "StartAt": pipeline.steps[0].name, "States": states}


class _Renderer:
    def __init__(self, pipeline: Pipeline, tasks: dict[str, Task], inputs: tuple[str, ...]):
        self.defaults = {p.name: p.default for p in pipeline.parameters}
        self.tasks, self.inputs = tasks, inputs
        self.results: dict[str, str] = {}  # step -> where its response is, once rendered
        self.states: dict[str, dict] = {}
        self.metric: MetricValue | None = None

    def add(self, step: Step) -> None:
        """A Task state for one step (its Next is set by the caller)."""
        if step.kind not in INTEGRATIONS or step.fields:
            raise RenderError(f"{step.name}: a state machine has no integration for a {step.kind} step")
        if step.name not in self.tasks:
            raise RenderError(f"{step.name}: no Task says how the state machine runs this step")
        resource, job_member = INTEGRATIONS[step.kind]
        task = self.tasks[step.name]
        parameters = {**self.arguments(step.arguments, step.name), **task.adds}
        if job_member:
            if not task.job:
                raise RenderError(f"{step.name}: a {step.kind} step needs a job name (Task.job)")
            parameters[job_member + ".$"] = f"States.Format('{task.job}-{{}}', States.UUID())"
        state = {"Type": "Task", "Resource": resource, "Parameters": parameters}
        if task.result:
            state["ResultPath"] = f"$.{task.result}"
            self.results[step.name] = task.result
        self.states[step.name] = state

    def gate_metric(self, gate: Gate) -> MetricValue | None:
        found = {v for c in gate.conditions for v in (c.left, c.right) if isinstance(v, MetricValue)}
        if len(found) > 1:
            raise RenderError(f"{gate.name}: a state machine reads one metric for the gate, not {len(found)}")
        return next(iter(found), None)

    def read_metric(self, metric: MetricValue) -> None:
        """ReadMetric and PickMetric: the metric's final value at `$.metric.value`."""
        if metric.step not in self.results or "'" in metric.metric:
            raise RenderError(f"ReadMetric: cannot read {metric.metric!r} from the result of {metric.step!r}")
        found = f"$.{self.results[metric.step]}.FinalMetricDataList[?(@.MetricName == '{metric.metric}')].Value"
        self.states["ReadMetric"] = {"Type": "Pass", "ResultPath": f"$.{METRIC}", "Next": "PickMetric",
                                     "Parameters": {"values.$": found}}
        self.states["PickMetric"] = {"Type": "Pass", "ResultPath": f"$.{METRIC}",
                                     "Parameters": {"value.$": f"States.ArrayGetItem($.{METRIC}.values, 0)"}}
        self.metric = metric

    def choice(self, gate: Gate) -> dict:
        """The gate as a Choice: its one condition, a path on the left and a number on the right."""
        if len(gate.conditions) != 1 or gate.conditions[0].kind not in CHOICES:
            raise RenderError(f"{gate.name}: a state machine renders one numeric condition")
        condition = gate.conditions[0]
        left, right = self.value(condition.left, gate.name), self.value(condition.right, gate.name)
        if not isinstance(left, _Path) or isinstance(right, _Path) or not gate.if_steps or not gate.else_steps:
            raise RenderError(f"{gate.name}: a Choice compares a run-time value with a number, and branches both ways")
        return {"Type": "Choice", "Default": gate.else_steps[0].name,
                "Choices": [{"Variable": left.path, CHOICES[condition.kind]: right, "Next": gate.if_steps[0].name}]}

    def branch(self, steps: tuple[Step, ...]) -> None:
        """A gate's branch: its steps one after the other, the last one ending the run."""
        for i, step in enumerate(steps):
            last = i == len(steps) - 1
            if step.kind == "Fail":
                if not last:
                    raise RenderError(f"{step.name}: a Fail step ends its branch")
                self.states[step.name] = {"Type": "Fail", "Error": step.name, "Cause": step.arguments["ErrorMessage"]}
                continue
            self.add(step)
            self.states[step.name].update({"End": True} if last else {"Next": steps[i + 1].name})

    def arguments(self, node: Any, where: str) -> Any:
        """A copy of a step's arguments with every reference rendered: a run-time value
        under a member `Key` becomes `Key.$`."""
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                rendered = self.arguments(value, f"{where}.{key}")
                if isinstance(rendered, _Path):
                    out[key + ".$"] = rendered.path
                else:
                    out[key] = rendered
            return out
        if isinstance(node, (list, tuple)):
            items = [self.arguments(item, f"{where}[{i}]") for i, item in enumerate(node)]
            if any(isinstance(item, _Path) for item in items):
                raise RenderError(f"{where}: JSONPath has no run-time values inside a list")
            return items
        if isinstance(node, REFERENCES):
            return self.value(node, where)
        return node

    def value(self, ref: Any, where: str) -> Any:
        """One reference as a literal (a parameter's default) or a `_Path`."""
        if isinstance(ref, ParameterRef):
            if ref.name in self.inputs:
                return _Path(f"$.{ref.name}")
            return self.defaults[ref.name]
        if isinstance(ref, StepOutput) and ref.step in self.results and _PLAIN.match(ref.path):
            return _Path(f"$.{self.results[ref.step]}.{ref.path}")
        if isinstance(ref, MetricValue) and ref == self.metric:
            return _Path(f"$.{METRIC}.value")
        if isinstance(ref, REFERENCES):
            raise RenderError(f"{where}: a state machine cannot render {ref!r} here")
        return ref
