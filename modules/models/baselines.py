"""Baselines the training pipeline computes and registers with each model version, so a
monitor compares live traffic with the version its endpoint serves, not with numbers
someone typed.

- data-quality: Model Monitor's analyzer on the training data (statistics, constraints).
- model-quality: the candidate model scores the holdout in a batch transform that keeps
  each row's label beside its prediction; the analyzer computes the quality metrics and
  the constraints a later model-quality monitor checks live predictions against.
- bias, explainability: Clarify checks on the holdout through a shadow endpoint of the
  candidate model (post-training bias metrics; SHAP attributions), each configured by an
  analysis file Terraform writes from the spec.

The candidate: AWS's pipeline definition schema takes only a literal S3 URI as a model's
ModelDataUrl, so `StageModel` copies the trained artifact to a fixed key from which
`CandidateModel` is created (in the VPC, network-isolated, as the training role).

The holdout is CSV without a header: the label first, then the columns the endpoint
receives (the layout of the built-in algorithms' training data). Every output lands in
`models/<model>/baselines/<kind>/`; when a version is registered, the monitoring module
keeps a copy under `.../v<version>/` for the monitors of that version.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from . import engine_baseline
from .jobs import processing, resources
from .steps import Step, StepOutput

if TYPE_CHECKING:
    from .definition import Inputs

# Files each kind's check writes, which the archive keeps per version.
FILES = {"data-quality": ("statistics.json", "constraints.json"),
         "model-quality": ("statistics.json", "constraints.json"),
         "bias": ("analysis.json",),
         "explainability": ("analysis.json",)}
CLARIFY = {"bias": ("BiasBaseline", "MODEL_BIAS", "Bias"),
           "explainability": ("ExplainabilityBaseline", "MODEL_EXPLAINABILITY", "Explainability")}
CHECK_OUTPUT = "/opt/ml/processing/output"
CHECK_INPUT = "/opt/ml/processing/input/baseline_dataset_input"
JSON = "application/json"
COLLECTED = "predictions-collected"
# The output file of each holdout file, in the holdout's order, each line ending in a
# newline (awk 1); fails if one is missing.
COLLECT = ("cd /opt/ml/processing/holdout && find . -type f | sort | while read -r f; do "
           "awk 1 \"/opt/ml/processing/predictions/$f.out\" || exit 1; done > /opt/ml/processing/collected/predictions.csv")


def prefix(model: str, kind: str) -> str:
    """Where the pipeline writes one kind of baseline, relative to the output bucket."""
    return f"models/{model}/baselines/{kind}"


def config_key(model: str, kind: str) -> str:
    """Where Terraform writes a Clarify check's analysis configuration."""
    return f"models/{model}/baselines/config/{kind}/analysis_config.json"


@dataclass(frozen=True)
class Plan:
    """What the baseline steps of one model need; a kind not monitored is None."""

    monitor_image: str
    clarify_image: str = ""
    holdout_uri: str = ""
    data_quality: dict | None = None    # {"dataset_uri", "header"}
    engine_data_quality: dict | None = None  # mlops's engine: {"code_uri", "config_uri", "dataset_uri", "instance_type"}
    model_quality: dict | None = None   # the monitoring spec's model_quality settings
    clarify: dict = field(default_factory=dict)  # kind -> {"settings", "config_uri"}

    @property
    def kinds(self) -> list[str]:
        found = [k for k, v in (("data-quality", self.data_quality or self.engine_data_quality),
                                ("model-quality", self.model_quality)) if v]
        return found + sorted(self.clarify)

    @property
    def needs_candidate(self) -> bool:
        return bool(self.model_quality or self.clarify)


def steps(i: Inputs, vpc: dict) -> tuple[list[Step], dict, list[str]]:
    """The baseline steps, the ModelMetrics they register, and the names of the steps
    the quality gate waits for."""
    plan = i.baselines
    out, metrics = [], {}
    if plan.data_quality:
        out.append(_data_quality(i, vpc, plan))
        metrics["ModelDataQuality"] = _statistics_and_constraints("DataQualityBaseline")
    if plan.engine_data_quality:
        out.append(engine_baseline.step(i, vpc, plan.engine_data_quality))
    if plan.needs_candidate:
        out += _candidate(i, vpc)
    if plan.model_quality:
        out += _predict(i, vpc, plan) + [_model_quality(i, vpc, plan)]
        metrics["ModelQuality"] = _statistics_and_constraints("ModelQualityBaseline")
    for kind in sorted(plan.clarify):
        name, _, metric = CLARIFY[kind]
        out.append(_clarify(i, vpc, plan, kind))
        metrics[metric] = {"Report": {"ContentType": JSON, "S3Uri": StepOutput(name, "CalculatedBaselineConstraints")}}
    # The gate waits for every baseline, so no version registers before its baselines exist.
    gate_after = [s.name for s in out if s.kind in ("QualityCheck", "ClarifyCheck") or s.name == "DataQualityBaseline"]
    return out, metrics, gate_after


def _statistics_and_constraints(step: str) -> dict:
    return {"Statistics": {"ContentType": JSON, "S3Uri": StepOutput(step, "CalculatedBaselineStatistics")},
            "Constraints": {"ContentType": JSON, "S3Uri": StepOutput(step, "CalculatedBaselineConstraints")}}


def _quality_check(name: str, check: str, i: Inputs, vpc: dict, instance_type: str, dataset, kind: str,
                   environment: dict, plan: Plan, depends_on: tuple[str, ...]) -> Step:
    """A Model Monitor analyzer run that only computes (SkipCheck): nothing to compare
    with yet, the result becomes the baseline of the version registered next."""
    step = processing(name, instance_type, i, vpc, entry=None, inputs=[("baseline_dataset_input", dataset, CHECK_INPUT)],
                      outputs=[("quality_check_output", f"{i.output_uri}/baselines/{kind}/", CHECK_OUTPUT)],
                      image=plan.monitor_image, depends_on=depends_on,
                      environment={"dataset_source": CHECK_INPUT, "output_path": CHECK_OUTPUT,
                                   "publish_cloudwatch_metrics": "Disabled", **environment})
    return replace(step, kind="QualityCheck", fields={"CheckType": check, "SkipCheck": True, "RegisterNewBaseline": True,
                                                      "ModelPackageGroupName": i.group})


def _data_quality(i: Inputs, vpc: dict, plan: Plan) -> Step:
    header = str(plan.data_quality["header"]).lower()
    return _quality_check("DataQualityBaseline", "DATA_QUALITY", i, vpc, "ml.m5.large", plan.data_quality["dataset_uri"],
                          "data-quality", {"dataset_format": '{"csv": {"header": %s, "output_columns_position": "START"}}' % header},
                          plan, ("Train",))


def _candidate(i: Inputs, vpc: dict) -> list[Step]:
    staged = f"{i.output_uri}/candidate/"
    stage = processing("StageModel", "ml.t3.medium", i, vpc,
                       entry=["/bin/sh", "-c", "cp /opt/ml/processing/model/model.tar.gz /opt/ml/processing/candidate/"],
                       inputs=[("model", StepOutput("Train", "ModelArtifacts.S3ModelArtifacts"), "/opt/ml/processing/model")],
                       outputs=[("candidate", staged, "/opt/ml/processing/candidate")])
    model = Step("CandidateModel", "Model", {
        "ExecutionRoleArn": i.training_role,
        "PrimaryContainer": {"Image": i.inference_image, "ModelDataUrl": f"{staged}model.tar.gz"},
        "VpcConfig": vpc,
        "EnableNetworkIsolation": True,
    }, ("StageModel",))
    return [stage, model]


def _scored(settings: dict) -> tuple[int, bool]:
    """Which output column the model-quality baseline reads, counted from the end (the
    transform appends the output to the input row), and whether it is a probability.
    The output is taken to end at the highest column the spec names."""
    named = {k: int(settings[k]) for k in ("inference_attribute", "probability_attribute") if k in settings}
    width = max(named.values(), default=0) + 1
    probability = settings["problem_type"] == "BinaryClassification" and "probability_attribute" in named
    column = named["probability_attribute"] if probability else named.get("inference_attribute", width - 1)
    return column - width, probability


def _predict(i: Inputs, vpc: dict, plan: Plan) -> list[Step]:
    """Score the holdout: drop the label going in, join the row back coming out, keep
    the label and the scored column. The transform names its outputs after the input
    files, so `CollectPredictions` gathers this run's into one file: a file left from an
    earlier run's holdout never reaches the baseline."""
    column, _ = _scored(plan.model_quality)
    predictions = f"{i.output_uri}/baselines/predictions/"
    transform = Step("Predict", "Transform", {
        "ModelName": StepOutput("CandidateModel", "ModelName"),
        "TransformInput": {"ContentType": "text/csv", "SplitType": "Line", "DataSource": {
            "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": plan.holdout_uri}}},
        "TransformOutput": {"S3OutputPath": predictions, "Accept": "text/csv", "AssembleWith": "Line", "KmsKeyId": i.key},
        "TransformResources": resources(i.endpoint_instance, {"InstanceType": i.endpoint_instance, "InstanceCount": 1}, i.key),
        "DataProcessing": {"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": f"$[0,{column}]"},
    })
    collect = processing("CollectPredictions", "ml.t3.medium", i, vpc, entry=["/bin/sh", "-c", COLLECT], inputs=[
        ("holdout", plan.holdout_uri, "/opt/ml/processing/holdout"),
        ("predictions", StepOutput("Predict", "TransformOutput.S3OutputPath"), "/opt/ml/processing/predictions")],
        outputs=[("collected", f"{i.output_uri}/baselines/{COLLECTED}/", "/opt/ml/processing/collected")])
    return [transform, collect]


def _model_quality(i: Inputs, vpc: dict, plan: Plan) -> Step:
    settings = plan.model_quality
    environment = {"dataset_format": '{"csv": {"header": false}}', "analysis_type": "MODEL_QUALITY",
                   "problem_type": settings["problem_type"], "ground_truth_attribute": "_c0"}
    _, probability = _scored(settings)
    if probability:
        environment["probability_attribute"] = "_c1"
        environment["probability_threshold_attribute"] = str(settings.get("probability_threshold", 0.5))
    else:
        environment["inference_attribute"] = "_c1"
    return _quality_check("ModelQualityBaseline", "MODEL_QUALITY", i, vpc, settings["instance_type"],
                          f"{i.output_uri}/baselines/{COLLECTED}/predictions.csv", "model-quality", environment, plan,
                          ("CollectPredictions",))


def _clarify(i: Inputs, vpc: dict, plan: Plan, kind: str) -> Step:
    """A Clarify check. Not network-isolated: Clarify creates, calls and deletes a shadow
    endpoint of the candidate through the VPC's SageMaker endpoints."""
    name, check, _ = CLARIFY[kind]
    entry = plan.clarify[kind]
    step = processing(name, entry["settings"]["instance_type"], i, vpc, entry=None, inputs=[
        ("analysis_config", entry["config_uri"], "/opt/ml/processing/input/config"),
        ("dataset", plan.holdout_uri, "/opt/ml/processing/input/data")],
        outputs=[("analysis_result", f"{i.output_uri}/baselines/{kind}/", CHECK_OUTPUT)],
        image=plan.clarify_image, isolated=False)
    return replace(step, kind="ClarifyCheck", fields={"CheckType": check, "SkipCheck": True, "RegisterNewBaseline": True,
                                                      "ModelPackageGroupName": i.group,
                                                      "ModelName": StepOutput("CandidateModel", "ModelName")})

