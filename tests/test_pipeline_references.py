"""No unresolved reference in what mlops generates from pipeline steps.

- SageMaker pipeline definitions: every `{"Get": ...}` (inside `Std:Join` too) names a
  declared parameter, an execution variable, or a step listed before the step that
  reads it (a condition's branches see the steps before the condition and the earlier
  steps of their own branch); every DependsOn names an earlier step.
- Step Functions state machines: no SageMaker pipeline expression survives in any of
  them (`{"Get": ...}`, `{"Std:Join": ...}`, `{"Std:JsonGet": ...}`, or a string that
  starts `Steps.`, `Parameters.` or `ExecutionVariables.`).
- The renderer from neutral steps to a state machine refuses, when mlops builds, what
  it cannot express, instead of leaving it in the definition.
"""

from __future__ import annotations

import copy
import json
import re

import pytest

from golden import STACKS, ROOT, load_stack
from mlops_modules.models.steps import (Condition, ExecutionVariable, Gate, Join, MetricValue, Parameter, ParameterRef,
                                        Pipeline, Step, StepOutput)
from mlops_modules.models.to_pipeline import definition as pipeline_definition
from mlops_modules.models.to_states import RenderError, Task, definition as state_machine

EXECUTION_VARIABLES = {"CurrentDateTime", "StartDateTime", "PipelineName", "PipelineArn",
                       "PipelineExecutionId", "PipelineExecutionArn"}
EXPRESSIONS = {"Get", "Std:Join", "Std:JsonGet"}
PIPELINE_STRING = re.compile(r"^(Steps|Parameters|ExecutionVariables)\.")


def _all(kind: str, member: str) -> list[tuple[str, dict]]:
    found = []
    for path in STACKS:
        resources = load_stack(path).get("resource", {}).get(kind, {})
        found += [(f"{path.relative_to(ROOT).parent}:{name}", json.loads(body[member]))
                  for name, body in sorted(resources.items())]
    return found


PIPELINES = _all("aws_sagemaker_pipeline", "pipeline_definition")
MACHINES = _all("aws_sfn_state_machine", "definition")


def unresolved(definition: dict) -> list[str]:
    """Every reference of a pipeline definition that goes nowhere, as `step: what`."""
    declared = {p["Name"] for p in definition.get("Parameters", [])}
    problems: list[str] = []

    def visit(steps: list[dict], earlier: list[str]) -> None:
        for step in steps:
            body = {k: v for k, v in step.items() if k not in ("Name", "Type", "DependsOn")}
            if step["Type"] == "Condition":
                body = body["Arguments"].get("Conditions", [])
            problems.extend(f"{step['Name']}: DependsOn {d!r} is no earlier step"
                            for d in step.get("DependsOn", []) if d not in earlier)
            problems.extend(f"{step['Name']}: {p}" for p in _gets(body, declared, earlier))
            if step["Type"] == "Condition":
                for branch in ("IfSteps", "ElseSteps"):
                    visit(step["Arguments"].get(branch, []), list(earlier))
            earlier.append(step["Name"])

    visit(definition.get("Steps", []), [])
    return problems


def _gets(node, declared: set[str], earlier: list[str]) -> list[str]:
    if isinstance(node, dict):
        if set(node) == {"Get"}:
            return _get(node["Get"], declared, earlier)
        return [p for value in node.values() for p in _gets(value, declared, earlier)]
    if isinstance(node, list):
        return [p for item in node for p in _gets(item, declared, earlier)]
    return []


def _get(path, declared: set[str], earlier: list[str]) -> list[str]:
    head, _, rest = str(path).partition(".")
    step = re.split(r"[.\[]", rest, maxsplit=1)[0]
    if head == "Parameters" and rest in declared:
        return []
    if head == "ExecutionVariables" and rest in EXECUTION_VARIABLES:
        return []
    if head == "Steps" and step in earlier and len(rest) > len(step) + 1:
        return []
    return [f"Get {path!r} resolves to no declared parameter, execution variable or earlier step"]


def leftovers(node, where: str = "") -> list[str]:
    """SageMaker pipeline expressions anywhere in a state machine definition."""
    if isinstance(node, dict):
        found = [f"{where}: a {{{k!r}: ...}} expression" for k in sorted(EXPRESSIONS & set(node))]
        return found + [p for key, value in node.items() if key not in EXPRESSIONS for p in leftovers(value, f"{where}.{key}")]
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in leftovers(item, f"{where}[{i}]")]
    if isinstance(node, str) and PIPELINE_STRING.match(node):
        return [f"{where}: the pipeline reference {node!r}"]
    return []


def test_every_training_pipeline_and_orchestrator_is_checked() -> None:
    trainings = [d for _, d in PIPELINES if any(s["Name"] == "Train" for s in d["Steps"])]
    assert len(trainings) >= 10 and len(PIPELINES) > len(trainings)  # monitoring pipelines too
    assert sum('"Steps.Train.' in json.dumps(d) for d in trainings) == len(trainings)
    assert len([n for n, _ in MACHINES if n.endswith((":train_fraud_custom", ":train_defects"))]) >= 3


@pytest.mark.parametrize("definition", [d for _, d in PIPELINES], ids=[n for n, _ in PIPELINES])
def test_pipeline_references_resolve(definition: dict) -> None:
    assert unresolved(definition) == []


@pytest.mark.parametrize("definition", [d for _, d in MACHINES], ids=[n for n, _ in MACHINES])
def test_no_pipeline_expression_in_a_state_machine(definition: dict) -> None:
    assert leftovers(definition) == []


def _with_baselines() -> dict:
    return next(d for _, d in PIPELINES if {"StageModel", "Predict", "CollectPredictions"} <= {s["Name"] for s in d["Steps"]})


def test_planted_references_that_go_nowhere_are_found() -> None:
    definition = copy.deepcopy(_with_baselines())
    steps = {s["Name"]: s for s in definition["Steps"]}
    assert unresolved(definition) == []
    steps["Train"]["Arguments"]["ResourceConfig"]["InstanceType"] = {"Get": "Parameters.InstanceType"}
    steps["Evaluate"]["Arguments"]["Environment"] = {"JOB": {"Std:Join": {"On": "", "Values": [
        {"Get": "Steps.Predict.TransformOutput.S3OutputPath"}]}}}  # Predict comes after Evaluate
    steps["StageModel"]["DependsOn"] = ["CollectPredictions"]
    register = steps["CheckMetric"]["Arguments"]["IfSteps"][0]
    register["Arguments"]["ModelPackageDescription"] = {"Get": "Steps.MetricBelowThreshold.Name"}  # the other branch
    steps["CheckMetric"]["Arguments"]["Conditions"][0]["RightValue"] = {"Get": "Threshold"}
    assert unresolved(definition) == [
        "Train: Get 'Parameters.InstanceType' resolves to no declared parameter, execution variable or earlier step",
        "Evaluate: Get 'Steps.Predict.TransformOutput.S3OutputPath' resolves to no declared parameter, "
        "execution variable or earlier step",
        "StageModel: DependsOn 'CollectPredictions' is no earlier step",
        "CheckMetric: Get 'Threshold' resolves to no declared parameter, execution variable or earlier step",
        "Register: Get 'Steps.MetricBelowThreshold.Name' resolves to no declared parameter, execution variable "
        "or earlier step",
    ]


def test_planted_pipeline_expressions_in_a_state_machine_are_found() -> None:
    definition = copy.deepcopy(next(d for n, d in MACHINES if n.endswith(":train_fraud_custom")))
    parameters = definition["States"]["Train"]["Parameters"]
    parameters["ResourceConfig"]["InstanceType"] = "Parameters.TrainingInstanceType"
    parameters["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] = {
        "Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}
    assert leftovers(definition) == [
        ".States.Train.Parameters.InputDataConfig[0].DataSource.S3DataSource.S3Uri: a {'Get': ...} expression",
        ".States.Train.Parameters.ResourceConfig.InstanceType: the pipeline reference 'Parameters.TrainingInstanceType'",
    ]


def _neutral(*steps: Step, parameters=(Parameter("DatasetUri", "String", "s3://b/d/"),)) -> Pipeline:
    gate = Gate("CheckMetric", (Condition("GreaterThanOrEqualTo", MetricValue("Train", "validation:auc"), 0.8),),
                (Step("Register", "RegisterModel", {"ModelDataUrl": StepOutput("Train", "ModelArtifacts.S3ModelArtifacts")}),),
                (Step("Failed", "Fail", {"ErrorMessage": "no"}),))
    return Pipeline(tuple(parameters), (*steps, gate))


TASKS = {"Train": Task(result="train", job="m"), "Preprocess": Task(result="pre", job="m-pre"), "Register": Task()}


def _render(pipeline: Pipeline) -> dict:
    return state_machine(pipeline, comment="c", tasks=TASKS, inputs=("DatasetUri",))


def test_the_state_machine_renderer_renders_references_it_can() -> None:
    rendered = _render(_neutral(Step("Train", "Training", {"S3Uri": ParameterRef("DatasetUri"), "Tags": [{"Value": "x"}]})))
    assert rendered["States"]["Train"]["Parameters"] == {
        "S3Uri.$": "$.DatasetUri", "Tags": [{"Value": "x"}], "TrainingJobName.$": "States.Format('m-{}', States.UUID())"}
    assert rendered["States"]["Register"]["Parameters"] == {"ModelDataUrl.$": "$.train.ModelArtifacts.S3ModelArtifacts"}
    assert rendered["States"]["CheckMetric"]["Choices"] == [
        {"Variable": "$.metric.value", "NumericGreaterThanEquals": 0.8, "Next": "Register"}]
    assert leftovers(rendered) == []


@pytest.mark.parametrize("steps, message", [
    ((Step("Preprocess", "Processing", {}), Step("Train", "Training", {
        "S3Uri": StepOutput("Preprocess", "ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri")})),
     "Train.S3Uri: a state machine cannot render StepOutput"),
    ((Step("Train", "Training", {"Channels": [ParameterRef("DatasetUri")]}),), "no run-time values inside a list"),
    ((Step("Train", "Training", {"Job": ExecutionVariable("PipelineExecutionId")}),), "cannot render ExecutionVariable"),
    ((Step("Train", "Training", {}), Step("Baseline", "QualityCheck", {})), "no integration for a QualityCheck step"),
    ((Step("Train", "Training", {}), Step("Evaluate", "Processing", {})), "Evaluate: no Task says how"),
])
def test_the_state_machine_renderer_refuses_what_it_cannot_render(steps, message) -> None:
    with pytest.raises(RenderError, match=re.escape(message)):
        _render(_neutral(*steps))


def test_neutral_steps_that_refer_to_nothing_are_refused_when_built() -> None:
    with pytest.raises(ValueError, match="Train: no parameter 'Dataset' is declared; "
                                         "Train: 'Preprocess' is no earlier step"):
        _neutral(Step("Train", "Training", {"A": ParameterRef("Dataset"), "B": StepOutput("Preprocess", "X")}))


def test_the_pipeline_renderer_writes_each_reference_as_sagemaker_reads_it() -> None:
    job = Join("-", ("job", ExecutionVariable("PipelineExecutionId"), StepOutput("Train", "TrainingJobName")))
    pipeline = _neutral(Step("Train", "Training", {"Uri": ParameterRef("DatasetUri")}),
                        Step("Evaluate", "Processing", {"Environment": {"JOB": job}}, ("Train",)))
    steps = {s["Name"]: s for s in pipeline_definition(pipeline)["Steps"]}
    assert steps["Train"]["Arguments"] == {"Uri": {"Get": "Parameters.DatasetUri"}}
    assert steps["Evaluate"]["Arguments"]["Environment"]["JOB"] == {"Std:Join": {"On": "-", "Values": [
        "job", {"Get": "ExecutionVariables.PipelineExecutionId"}, {"Get": "Steps.Train.TrainingJobName"}]}}
    assert steps["CheckMetric"]["Arguments"]["Conditions"][0]["LeftValue"] == {
        "Get": "Steps.Train.FinalMetricDataList['validation:auc'].Value"}
    assert unresolved(pipeline_definition(pipeline)) == []
