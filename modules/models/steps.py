"""A model's training pipeline as neutral data: built once per model (`definition.py`),
rendered to a SageMaker pipeline definition (`to_pipeline.py`) and to a Step Functions
state machine (`to_states.py`). Neither renderer reads the other's output.

Vocabulary:
- a *step* is one SageMaker API request (`arguments`) of a kind SageMaker Pipelines
  names (`Training` is CreateTrainingJob, `Processing` CreateProcessingJob, ...);
- a *reference* stands for a value known only at run time: a pipeline parameter
  (`ParameterRef`), a member of an earlier step's Describe* response (`StepOutput`),
  the final value of a metric a training step reported (`MetricValue`), an execution
  variable (`ExecutionVariable`), or a string joined from such values (`Join`);
- the *gate* is the quality gate: conditions, the steps run when they hold and the
  steps run when they do not.

Arguments are plain dicts and lists whose leaves are literals (Terraform expressions
included) or references; only a renderer turns a reference into an orchestrator's
expression. A `Pipeline` checks when it is built that every reference names a declared
parameter or an earlier step, so a wrong name is a bug found at build time, not a
pipeline that fails at run time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True)
class ParameterRef:
    """The value of a pipeline parameter at run time."""

    name: str


@dataclass(frozen=True)
class StepOutput:
    """A member of what an earlier step's Describe* operation returns (for a Training
    step, DescribeTrainingJob), or a property of a check step; `path` is that member's
    path (`ModelArtifacts.S3ModelArtifacts`)."""

    step: str
    path: str


@dataclass(frozen=True)
class MetricValue:
    """The final value of a metric an earlier training step reported."""

    step: str
    metric: str


@dataclass(frozen=True)
class ExecutionVariable:
    """A value of the running execution (`PipelineExecutionId`, ...)."""

    name: str


@dataclass(frozen=True)
class Join:
    """A string: `values` (literals or references) joined with `on`."""

    on: str
    values: tuple


Reference = Union[ParameterRef, StepOutput, MetricValue, ExecutionVariable, Join]
REFERENCES = (ParameterRef, StepOutput, MetricValue, ExecutionVariable, Join)


@dataclass(frozen=True)
class Parameter:
    """A pipeline parameter: its type is SageMaker's (`String`, `Integer`, `Float`)."""

    name: str
    type: str
    default: Any
    description: str | None = None


@dataclass(frozen=True)
class Step:
    """One step. `fields` holds the members a step kind has beside its arguments (a
    check step's CheckType, ...). Built once, never changed: renderers copy."""

    name: str
    kind: str
    arguments: dict
    depends_on: tuple[str, ...] = ()
    fields: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Condition:
    """`left <kind> right`, `kind` as SageMaker names it (`GreaterThanOrEqualTo`)."""

    kind: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Gate:
    """The quality gate: when every condition holds, `if_steps` run, else `else_steps`."""

    name: str
    conditions: tuple[Condition, ...]
    if_steps: tuple[Step, ...]
    else_steps: tuple[Step, ...]
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pipeline:
    """Parameters and steps in order; the gate, when there is one, comes last."""

    parameters: tuple[Parameter, ...]
    steps: tuple[Step | Gate, ...]

    def __post_init__(self) -> None:
        problems = unresolved(self)
        if problems:
            raise ValueError("pipeline steps refer to nothing (a bug in mlops): " + "; ".join(problems))

    @property
    def gate(self) -> Gate | None:
        return next((s for s in self.steps if isinstance(s, Gate)), None)


def references(node: Any) -> Iterator[Reference]:
    """Every reference in a tree of arguments, in order, the parts of a Join included."""
    if isinstance(node, Join):
        yield node
        yield from references(list(node.values))
    elif isinstance(node, REFERENCES):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from references(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from references(item)


def unresolved(pipeline: Pipeline) -> list[str]:
    """What does not resolve: a parameter not declared, a step not listed before the
    step that refers to it (a gate's branches see every step before the gate and the
    earlier steps of their own branch), a repeated step name."""
    declared = {p.name for p in pipeline.parameters}
    problems: list[str] = []
    seen: list[str] = []

    def visit(step: Step | Gate, earlier: list[str]) -> None:
        if step.name in seen:
            problems.append(f"{step.name}: another step has this name")
        seen.append(step.name)
        trees = [step.arguments, step.fields] if isinstance(step, Step) else [
            [(c.left, c.right) for c in step.conditions]]
        problems.extend(f"{step.name}: DependsOn {d!r} is no earlier step" for d in step.depends_on if d not in earlier)
        for ref in references(trees):
            if isinstance(ref, ParameterRef) and ref.name not in declared:
                problems.append(f"{step.name}: no parameter {ref.name!r} is declared")
            elif isinstance(ref, (StepOutput, MetricValue)) and ref.step not in earlier:
                problems.append(f"{step.name}: {ref.step!r} is no earlier step")

    earlier: list[str] = []
    for step in pipeline.steps:
        visit(step, earlier)
        if isinstance(step, Gate):
            for branch in (step.if_steps, step.else_steps):
                inside = list(earlier)
                for s in branch:
                    visit(s, inside)
                    inside = inside + [s.name]
        earlier = earlier + [step.name]
    return problems
