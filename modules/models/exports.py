"""What the models module publishes: its plan, before any module builds
(`ctx.planned("models")`), and per model what it built (`ctx.imported("models")`).

Other modules name a model's endpoint, pipeline, registry group or baselines from here,
never by rebuilding the names the models module gives them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlops.module_api import Environment, Resource

from mlops_modules.data.exports import Bucket


def capture_prefix(model: str) -> str:
    """Where an endpoint captures requests and responses, in its capture bucket."""
    return f"capture/{model}/"


def needs_package(model: Mapping) -> bool:
    """Whether a model runs a script (training, preprocessing or evaluation), which a code
    package pipeline packages from its source repository (the repositories module's
    artifact bucket keeps that pipeline's artifacts)."""
    training = model["training"]
    return bool(training.get("framework") or model.get("processing") or model["evaluation"].get("entry_point"))


@dataclass(frozen=True)
class ModelsPlan:
    """What the models module will build, for the workspace's roles (which build first)."""

    captures: Mapping[str, tuple[str, str]]  # model -> (data.buckets name, prefix) its endpoint captures to
    reports: bool  # some model's pipeline runs mlops's report step, which reads training job metrics


def plan(section: Mapping, env: Environment) -> ModelsPlan:
    captures = {name: (endpoint["capture_bucket"], capture_prefix(name)) for name, model in sorted(section.items())
                for endpoint in [model.get("endpoint") or {}] if endpoint.get("data_capture_percent")}
    return ModelsPlan(captures=captures, reports=not all(m["evaluation"].get("entry_point") for m in section.values()))


@dataclass(frozen=True)
class Endpoint:
    """The endpoint serving the version an environment pins, and the model behind it."""

    resource: Resource     # the aws_sagemaker_endpoint
    name: str              # its name (alarm dimensions, monitoring job inputs)
    version: int           # the model package version it serves (endpoint.model_version)
    model_name: str        # the aws_sagemaker_model's name (Clarify's shadow endpoint copies it)
    model_arns: str        # an ARN pattern matching the SageMaker model of every version it may serve
    capture: Bucket | None  # where it captures requests and responses, under `capture_prefix`
    capture_prefix: str


@dataclass(frozen=True)
class Baseline:
    """One kind of baseline the training pipeline computes: where it writes the files, in
    the output bucket (the monitoring module keeps a copy per version, `v<version>/`)."""

    prefix: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class EngineCode:
    """mlops's monitoring engine as uploaded for one model: where its files are (a key
    prefix in the output bucket, and its S3 URI), the objects (for `depends_on`) and the
    processing image it runs in."""

    prefix: str
    uri: str
    objects: tuple[Resource, ...]
    image: str


@dataclass(frozen=True)
class Model:
    group: Resource               # the aws_sagemaker_model_package_group
    group_name: str
    output: Bucket                # where its pipeline writes artifacts, evaluations and baselines
    dataset_uri: str              # the training dataset (the pipeline's DatasetUri default)
    pipeline: Resource | None     # the aws_sagemaker_pipeline; None when Step Functions orchestrates
    endpoint: Endpoint | None     # None when the environment pins no version
    baselines: Mapping[str, Baseline]  # by kind (data-quality, model-quality, bias, explainability)
    engine: EngineCode | None     # when mlops's monitoring engine monitors the model

    @property
    def pipeline_name(self) -> str:
        return self.pipeline.attrs["pipeline_name"]

    def served_baseline(self, kind: str, file: str) -> str:
        """The S3 URI of one baseline file of the version the endpoint serves."""
        baseline = self.baselines[kind]
        assert file in baseline.files, f"{kind} baselines have no {file}"
        return f"s3://{self.output.ref('bucket')}/{baseline.prefix}/v{self.endpoint.version}/{file}"


@dataclass(frozen=True)
class Models:
    models: Mapping[str, Model]
    # Prebuilt analyzers the baseline steps looked up (registry paths), which monitors run too;
    # None when no baseline step uses them.
    model_monitor_image: str | None
    clarify_image: str | None
