"""What mlops generates, checked against AWS's own API models (botocore).

- the slices in compiler/awsapi/ are exactly what the pinned botocore says;
- every committed stack (goldens and generated/) has no pipeline step, Step Functions
  task or Terraform attribute that the API model rejects;
- the checker finds each class of defect it exists for (cases below, as data).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
from golden import ROOT, STACK_IDS, STACKS, load_stack

from mlops.awsapi import member_shape, model, pipelines, states
from mlops.awsapi import stack as api
from mlops.awsapi.operations import OPERATIONS
from mlops.awsapi.terraform import ATTRIBUTES
from mlops.module_api import Resource


@pytest.mark.slow  # the extractor in a new Python process
def test_slices_are_the_pinned_botocore():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "extract_api_models.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("resource_type", sorted(ATTRIBUTES))
def test_every_mapped_attribute_names_a_real_member(resource_type):
    for attribute, (service, operation, member) in ATTRIBUTES[resource_type].items():
        assert operation in OPERATIONS[service], f"{service} {operation} is not sliced"
        assert member_shape(service, operation, member), attribute


def _resources(path):
    stack = load_stack(path)
    for type_, by_name in stack.get("resource", {}).items():
        for name, attrs in by_name.items():
            yield Resource(type_, name, attrs, module="", spec_path=())


@pytest.mark.parametrize("path", STACKS, ids=STACK_IDS)
def test_aws_accepts_every_committed_stack(path):
    problems = [f"{r.address}: {p}" for r in _resources(path) for p in api.problems(r)]
    assert problems == []


def test_every_stack_kind_is_covered():
    """The checks above see pipelines, state machines and mapped attributes."""
    seen = {r.type for path in STACKS for r in _resources(path)}
    assert {"aws_sagemaker_pipeline", "aws_sfn_state_machine", "aws_iam_role", "aws_sagemaker_endpoint_configuration"} <= seen


def _pipeline() -> dict:
    stack = load_stack(ROOT / "generated" / "prod" / "cdk.tf.json")
    return json.loads(stack["resource"]["aws_sagemaker_pipeline"]["fraud_xgb"]["pipeline_definition"])


def _step(definition: dict, name: str) -> dict:
    return next(step for step in _walk(definition["Steps"]) if step["Name"] == name)


def _walk(steps):
    for step in steps:
        yield step
        if step["Type"] == "Condition":
            yield from _walk(step["Arguments"]["IfSteps"] + step["Arguments"]["ElseSteps"])


# (case, step, change to that step's Arguments (a function), the problem expected)
PIPELINE_CASES = [
    ("multi-line entry point over 256 characters", "Evaluate",
     lambda a: a["AppSpecification"].__setitem__("ContainerEntrypoint", ["python3", "-c", "import os\n" * 30]),
     "ContainerEntrypoint[2]: 300 characters, AWS allows at most 256"),
    ("a float where the environment takes strings", "Evaluate",
     lambda a: a["Environment"].__setitem__("METRIC_VALUE", {"Get": "Steps.Train.FinalMetricDataList['validation:auc'].Value"}),
     "Get Steps.Train.FinalMetricDataList['validation:auc'].Value gives a float, where AWS expects a string"),
    ("an unknown member", "Train", lambda a: a.__setitem__("EnableNetworkIsolaton", True),
     "unknown member 'EnableNetworkIsolaton' (did you mean 'EnableNetworkIsolation'?)"),
    ("a required member missing", "Train", lambda a: a.pop("RoleArn"), "required member 'RoleArn' is missing"),
    ("an undeclared parameter", "Train",
     lambda a: a["ResourceConfig"].__setitem__("InstanceCount", {"Get": "Parameters.TrainingInstanceCnt"}),
     "no parameter 'TrainingInstanceCnt' is declared (did you mean 'TrainingInstanceCount'?)"),
    ("a property the step does not have", "Register",
     lambda a: a["InferenceSpecification"]["Containers"][0].__setitem__("ModelDataUrl", {"Get": "Steps.Train.ModelArtifact.S3ModelArtifacts"}),
     "no member 'ModelArtifact' at DescribeTrainingJobResponse (did you mean 'ModelArtifacts'?)"),
    ("an instance type that does not exist", "Evaluate",
     lambda a: a["ProcessingResources"]["ClusterConfig"].__setitem__("InstanceType", "ml.m5.xlarg"),
     "'ml.m5.xlarg' is not one of the values AWS accepts (did you mean 'ml.m5.xlarge'?)"),
    ("a value out of range", "Train", lambda a: a["StoppingCondition"].__setitem__("MaxRuntimeInSeconds", 0),
     "0 is below the minimum 1"),
]


@pytest.mark.parametrize("case, step, change, expected", PIPELINE_CASES, ids=[c[0] for c in PIPELINE_CASES])
def test_pipeline_checker_finds(case, step, change, expected):
    definition = _pipeline()
    assert pipelines.check(definition) == []
    change(_step(definition, step)["Arguments"])
    problems = pipelines.check(definition)
    assert any(expected in p and p.startswith(f"{step}: ") for p in problems), problems


def test_a_parameter_default_is_checked_where_it_is_used():
    definition = _pipeline()
    for parameter in definition["Parameters"]:
        if parameter["Name"] == "TrainingInstanceType":
            parameter["DefaultValue"] = "ml.m5.xlarg"
    assert pipelines.check(definition) == [
        "Train: CreateTrainingJob.ResourceConfig.InstanceType (default of Get Parameters.TrainingInstanceType): "
        "'ml.m5.xlarg' is not one of the values AWS accepts (did you mean 'ml.m5.xlarge'?)"]


def test_a_step_reference_and_depends_on_must_name_steps():
    definition = _pipeline()
    _step(definition, "CheckMetric")["DependsOn"].append("Evalute")
    condition = _step(definition, "CheckMetric")["Arguments"]["Conditions"][0]
    condition["LeftValue"] = {"Get": "Steps.Trian.FinalMetricDataList['validation:auc'].Value"}
    problems = pipelines.check(definition)
    assert "CheckMetric: DependsOn names no step 'Evalute'" in problems
    assert any("no step 'Trian' (did you mean 'Train'?)" in p for p in problems), problems


def test_a_numeric_condition_on_a_string_is_found():
    definition = _pipeline()
    condition = _step(definition, "CheckMetric")["Arguments"]["Conditions"][0]
    condition["LeftValue"] = {"Get": "Steps.Train.TrainingJobName"}
    assert pipelines.check(definition) == [
        "CheckMetric: Conditions[0].LeftValue: GreaterThanOrEqualTo compares numbers, and this is a string"]


def _machine() -> dict:
    stack = load_stack(ROOT / "generated" / "prod" / "cdk.tf.json")
    return json.loads(stack["resource"]["aws_sfn_state_machine"]["train_fraud_custom"]["definition"])


def test_state_machine_checker_finds_what_aws_rejects():
    machine = _machine()
    assert states.check(machine) == []
    broken = copy.deepcopy(machine)
    broken["States"]["Train"]["Parameters"].pop("TrainingJobName.$")
    broken["States"]["Evaluate"]["Parameters"]["AppSpecification"]["ContainerEntrypoint"] = ["python3", "-c", "x\ny"]
    broken["States"]["Register"]["Resource"] = "arn:aws:states:::aws-sdk:sagemaker:deleteModelPackage"
    assert sorted(states.check(broken)) == [
        "Evaluate: CreateProcessingJob.AppSpecification.ContainerEntrypoint[2]: 'x\\ny' does not match AWS's pattern .*",
        "Register: sagemaker DeleteModelPackage is not in the pinned API slices "
        "(add it to mlops.awsapi.operations and run tools/extract_api_models.py)",
        "Train: CreateTrainingJob: required member 'TrainingJobName' is missing",
    ]


def test_jsonata_arguments_are_checked_and_expressions_left_to_run_time():
    stack = load_stack(ROOT / "generated" / "prod" / "cdk.tf.json")
    machine = json.loads(stack["resource"]["aws_sfn_state_machine"]["retrain_fraud_xgb"]["definition"])
    assert machine["QueryLanguage"] == "JSONata"
    assert states.check(machine) == []
    broken = copy.deepcopy(machine)
    broken["States"]["RunningRuns"]["Arguments"]["MaxResults"] = 1000
    broken["States"]["Retrain"]["Arguments"]["PipelineNme"] = broken["States"]["Retrain"]["Arguments"].pop("PipelineName")
    problems = sorted(states.check(broken))
    assert any(p.startswith("Retrain: StartPipelineExecution") and "PipelineNme" in p for p in problems), problems
    assert any(p.startswith("RunningRuns: ListPipelineExecutions.MaxResults") for p in problems), problems


@pytest.mark.parametrize("type_, attrs, expected", [
    ("aws_iam_role", {"name": "acme-retail-analytics-staging-release-customer-lifetime-value-x-y"},
     "name (CreateRole RoleName): 65 characters, AWS allows at most 64"),
    ("aws_iam_role", {"name": "release role"}, "name (CreateRole RoleName): 'release role' does not match AWS's pattern"),
    ("aws_sagemaker_endpoint_configuration", {"name_prefix": "acme-retail-analytics-staging-customer-lifetime-"},
     "name_prefix + the 26-character suffix Terraform adds (CreateEndpointConfig EndpointConfigName): 74 characters"),
    ("aws_sagemaker_endpoint_configuration", {"production_variants": [{"instance_type": "ml.m5.larg"}]},
     "production_variants[0].instance_type (CreateEndpointConfig ProductionVariants.InstanceType): 'ml.m5.larg' is not one"),
    ("aws_cloudwatch_metric_alarm", {"comparison_operator": "GreaterThan"},
     "comparison_operator (PutMetricAlarm ComparisonOperator): 'GreaterThan' is not one of the values AWS accepts"),
    ("awscc_sagemaker_model_bias_job_definition", {"job_resources": {"cluster_config": {"instance_type": "m5.large"}}},
     "job_resources.cluster_config.instance_type (CreateModelBiasJobDefinition JobResources.ClusterConfig.InstanceType)"),
])
def test_terraform_attributes_are_checked_against_their_api_member(type_, attrs, expected):
    problems = api.problems(Resource(type_, "x", attrs, module="", spec_path=()))
    assert any(p.startswith(expected) for p in problems), problems


def test_terraform_interpolations_are_left_to_apply_time():
    role = Resource("aws_iam_role", "x", {"name": "${aws_iam_role.other.name}-copy"}, module="", spec_path=())
    assert api.problems(role) == []


def test_slices_cover_every_operation_they_name():
    for service, operations in OPERATIONS.items():
        assert set(operations) <= set(model(service).operations), service


def test_every_step_is_checked_or_named_as_unchecked():
    definition = _pipeline()
    fail = _step(definition, "MetricBelowThreshold")
    fail["Arguments"]["ErrorMessage"] = {"Get": "Parameters.MetricTreshold"}
    definition["Steps"].append({"Name": "Train", "Type": "Lambda", "Arguments": {}})
    problems = pipelines.check(definition)
    assert "Train: another step has this name; step names must be unique" in problems
    assert "Train: mlops does not know how to check a Lambda step (add it to mlops.awsapi.pipelines)" in problems
    assert any(p.startswith("MetricBelowThreshold: Arguments.ErrorMessage: Get Parameters.MetricTreshold: no parameter")
               for p in problems), problems


def test_tag_values_aws_rejects_are_found_with_javas_unicode_classes():
    """Letters of any script are tag characters (\\p{L}); & and <> are not."""
    from mlops.awsapi import tags

    errors = tags.check({"tags": {"team": "ML & Data", "région": "Île-de-France"}, "owner": "ML team <ml@example.com>"})
    assert [e.path for e in errors] == [("tags", "team"), ("owner",)]


def test_java_classes_written_out_for_ascii_match_what_the_regex_module_matches():
    """The fast path for ASCII values (\\p{L} as A-Za-z, ...) is exact: for every pattern
    in the slices that uses Java's classes, each ASCII character, alone and repeated,
    matches exactly when the regex module says it does."""
    import re

    import regex

    from mlops.awsapi import _ascii_classes

    patterns = {shape["pattern"] for service in OPERATIONS for shape in model(service).shapes.values()
                if "\\p{" in shape.get("pattern", "")}
    assert patterns
    for pattern in patterns:
        try:
            reference = regex.compile(pattern, regex.VERSION0)
        except regex.error:
            continue
        try:
            fast = re.compile(_ascii_classes(pattern), re.ASCII)
        except re.error:  # Java-only syntax: _pattern hands these to the regex module
            continue
        for text in (chr(c) * n for c in range(128) for n in (1, 3)):
            assert bool(fast.fullmatch(text)) == bool(reference.fullmatch(text)), (pattern, text)
