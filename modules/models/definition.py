"""The training pipeline of one model as neutral steps (`steps.py`): built once here,
rendered by `to_pipeline.py` as a SageMaker pipeline definition and by `to_states.py`
as a Step Functions state machine.

Steps: optional `Preprocess` (processing), `Train`, `Evaluate` (processing that writes
evaluation.json), `CheckMetric` (the gate: the training job's final metric against
the `MetricThreshold` parameter), then `Register` into the model package group, or
`MetricBelowThreshold` (a fail step). With monitors that compare against baselines, the
steps of `baselines.py` run before the gate and `Register` records what they computed
(the model-quality baseline then replaces evaluation.json as the version's quality
statistics). AWS's published pipeline definition schema (checked in the tests) allows
only plain strings and `Get` expressions in arguments, so S3 locations are fixed per
model and the quality gate reads the metric the training job reported.

Terraform expressions (`${...}`) appear inside strings (role ARNs, images, bucket
names): Terraform fills them in when it renders the definition.

Known limit: `TrainingInstanceType` is a pipeline parameter, but the training image
(CPU or GPU build) and whether the volume gets a KMS key are chosen at compile time
from its default; a run started with an instance type of the other processor, or with
local NVMe storage where the default has none, gets an image or a volume key that does
not fit it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops.awsapi import model as api_model
from mlops.module_api import literal

from . import baselines
from .baselines import Plan
from .jobs import processing, resources
from .steps import Condition, Gate, MetricValue, Parameter, ParameterRef, Pipeline, Step, StepOutput

# Where processing steps find the scripts they run (ProcessingInputs named "code").
CODE = "/opt/ml/processing/code"
# Unpacks the source package a code pipeline published, then runs one script from it.
RUN_SCRIPT = "cd " + CODE + " && tar -xzf sourcedir.tar.gz && exec python3 {script}"


@dataclass(frozen=True)
class Inputs:
    """Everything the definition needs, resolved by the module (references included)."""

    model: str
    group: str                  # model package group name
    training_role: str
    training_image: str
    inference_image: str
    processing_image: str
    dataset_uri: str
    validation_uri: str | None
    output_uri: str             # s3://bucket/models/<model>
    code_uri: str | None        # s3://.../sourcedir.tar.gz for script-based training
    report_uri: str | None      # s3://.../evaluation_report.py when the model has no evaluation script
    region: str
    key: str
    subnets: list[str]
    security_group: str
    metric: str
    threshold: float
    at_least: bool
    content_type: str
    endpoint_instance: str
    # With monitoring that compares against baselines: what the baseline steps need.
    baselines: Plan | None = None
    # The image a step's script runs in ("preprocess", "evaluate"), when not the processing image.
    script_images: dict[str, str] = field(default_factory=dict)
    test_uri: str | None = None  # the test channel (built-in algorithms' test:* metrics)


def training_steps(m: dict, i: Inputs) -> Pipeline:
    """The model's training pipeline as neutral steps, rendered by `to_pipeline` and
    `to_states`."""
    vpc = {"Subnets": list(i.subnets), "SecurityGroupIds": [i.security_group]}
    steps: list = []
    train_input = ParameterRef("DatasetUri")
    if m.get("processing"):
        steps.append(processing("Preprocess", m["processing"]["instance_type"], i, vpc,
                                entry=["/bin/sh", "-c", RUN_SCRIPT.format(script=m["processing"]["entry_point"])],
                                inputs=[("input", ParameterRef("DatasetUri"), "/opt/ml/processing/input"),
                                        ("code", i.code_uri, CODE)],
                                outputs=[("train", f"{i.output_uri}/preprocessed/", "/opt/ml/processing/train")],
                                image=i.script_images.get("preprocess")))
        train_input = StepOutput("Preprocess", "ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri")
    steps.append(_training(m, i, train_input, vpc))
    steps.append(_evaluation(m, i, vpc))
    register = _register(i)
    gate_after = ("Evaluate",)
    if i.baselines:
        extra, metrics, waits = baselines.steps(i, vpc)
        steps += extra
        register["ModelMetrics"].update(metrics)
        gate_after += tuple(waits)
    fail = Step("MetricBelowThreshold", "Fail",
                {"ErrorMessage": f"{i.metric} did not pass the threshold; the model was not registered"})
    check = Condition("GreaterThanOrEqualTo" if i.at_least else "LessThanOrEqualTo",
                      MetricValue("Train", i.metric), ParameterRef("MetricThreshold"))
    steps.append(Gate("CheckMetric", (check,), (Step("Register", "RegisterModel", register),), (fail,), gate_after))
    return Pipeline(_parameters(m, i), tuple(steps))


def _parameters(m: dict, i: Inputs) -> tuple[Parameter, ...]:
    training = m["training"]
    return (
        Parameter("DatasetUri", "String", i.dataset_uri,
                  "S3 URI of the dataset version to train on (default: the whole dataset prefix)"),
        Parameter("TrainingInstanceType", "String", training["instance_type"]),
        Parameter("TrainingInstanceCount", "Integer", training["instance_count"]),
        Parameter("MetricThreshold", "Float", float(i.threshold),
                  f"Register only if {i.metric} is {'at least' if i.at_least else 'at most'} this"),
    )


def _evaluation(m: dict, i: Inputs, vpc: dict) -> Step:
    """`Evaluate`: the model's evaluation script, or (without one) the report of the
    metrics the training job reported, as evaluation.json."""
    evaluation = m["evaluation"]
    written = [("evaluation", f"{i.output_uri}/evaluation/", "/opt/ml/processing/evaluation")]
    if evaluation.get("entry_point"):
        test_uri = i.test_uri or i.validation_uri or ParameterRef("DatasetUri")
        return processing("Evaluate", evaluation["instance_type"], i, vpc,
                          entry=["/bin/sh", "-c", RUN_SCRIPT.format(script=evaluation["entry_point"])],
                          inputs=[("model", StepOutput("Train", "ModelArtifacts.S3ModelArtifacts"), "/opt/ml/processing/model"),
                                  ("test", test_uri, "/opt/ml/processing/test"),
                                  ("code", i.code_uri, CODE)],
                          outputs=written, image=i.script_images.get("evaluate"))
    # scripts/evaluation_report.py asks the SageMaker API (through the VPC endpoint)
    # for the training job's metrics, so this one step cannot be network-isolated.
    return processing("Evaluate", "ml.t3.medium", i, vpc, entry=["python3", f"{CODE}/evaluation_report.py"],
                      inputs=[("code", i.report_uri, CODE)], outputs=written, isolated=False,
                      environment={"METRIC_NAME": i.metric, "TRAINING_JOB": StepOutput("Train", "TrainingJobName"),
                                   "AWS_DEFAULT_REGION": i.region})


def _register(i: Inputs) -> dict:
    """The CreateModelPackage request of `Register` (the caller adds baseline metrics)."""
    register = {
        "ModelPackageGroupName": i.group,
        "ModelPackageDescription": f"{i.model}, registered by its mlops training pipeline",
        "InferenceSpecification": {
            "Containers": [{"Image": i.inference_image, "ModelDataUrl": StepOutput("Train", "ModelArtifacts.S3ModelArtifacts")}],
            "SupportedContentTypes": [i.content_type],
            "SupportedResponseMIMETypes": ["application/json", "text/csv"],
            "SupportedRealtimeInferenceInstanceTypes": [i.endpoint_instance],
        },
        "ModelMetrics": {"ModelQuality": {"Statistics": {
            "ContentType": "application/json", "S3Uri": f"{i.output_uri}/evaluation/evaluation.json"}}},
    }
    if transform_instance(i.endpoint_instance):
        register["InferenceSpecification"]["SupportedTransformInstanceTypes"] = [i.endpoint_instance]
    return register


def transform_instance(instance_type: str) -> bool:
    """Whether batch transform runs on the instance type (AWS's TransformInstanceType:
    some endpoint types, ml.c5.large for one, are not offered for transform)."""
    return instance_type in api_model("sagemaker").shape("TransformInstanceType")["enum"]


def _training(m: dict, i: Inputs, train_input, vpc: dict) -> Step:
    training = m["training"]
    spec = {"TrainingImage": i.training_image, "TrainingInputMode": "File"}
    if training["metric_definitions"]:
        spec["MetricDefinitions"] = [{"Name": d["name"], "Regex": literal(d["regex"])} for d in training["metric_definitions"]]
    channels = [_channel("train", train_input, i.content_type)]
    if i.validation_uri:
        channels.append(_channel("validation", i.validation_uri, i.content_type))
    if i.test_uri:
        channels.append(_channel("test", i.test_uri, i.content_type))
    hyper = {k: literal(_string(v)) for k, v in sorted(training["hyperparameters"].items())}
    if training.get("algorithm") == "xgboost" and "eval_metric" not in hyper:
        # Built-in XGBoost reports only the metrics named in eval_metric (default logloss);
        # ask for the one the quality gate reads.
        hyper["eval_metric"] = i.metric.split(":", 1)[1]
    if i.code_uri and training.get("entry_point"):  # a framework container runs the training script
        channels.append(_channel("code", i.code_uri, "application/x-tar"))
        hyper["sagemaker_program"] = training["entry_point"]
        hyper["sagemaker_submit_directory"] = "/opt/ml/input/data/code/sourcedir.tar.gz"
    stopping = {"MaxRuntimeInSeconds": training["max_runtime_minutes"] * 60}
    args = {
        "AlgorithmSpecification": spec,
        "RoleArn": i.training_role,
        "InputDataConfig": channels,
        "OutputDataConfig": {"S3OutputPath": f"{i.output_uri}/training/", "KmsKeyId": i.key},
        "ResourceConfig": resources(training["instance_type"], {"InstanceType": ParameterRef("TrainingInstanceType"),
                                                                  "InstanceCount": ParameterRef("TrainingInstanceCount"),
                                                                  "VolumeSizeInGB": training["volume_gb"]}, i.key),
        "StoppingCondition": stopping,
        "VpcConfig": vpc,
        "EnableNetworkIsolation": training["network_isolation"],
        "EnableInterContainerTrafficEncryption": True,
        "HyperParameters": hyper,
    }
    if training.get("spot"):
        args["EnableManagedSpotTraining"] = True
        stopping["MaxWaitTimeInSeconds"] = training["spot"]["max_wait_minutes"] * 60
        bucket_uri = i.output_uri.split("/models/")[0]
        args["CheckpointConfig"] = {"S3Uri": f"{bucket_uri}/{training['spot']['checkpoint_prefix']}"}
    return Step("Train", "Training", args)


def _channel(name: str, uri, content_type: str) -> dict:
    return {"ChannelName": name, "ContentType": content_type, "InputMode": "File",
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri,
                                            "S3DataDistributionType": "FullyReplicated"}}}


def _string(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
