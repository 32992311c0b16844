"""What the models module publishes: its plan, before any module builds
(`ctx.planned("models")`), and per model what it built (`ctx.imported("models")`).

Other modules name a model's endpoint, pipeline, registry group or baselines from here,
never by rebuilding the names the models module gives them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mlops.iam import statement
from mlops.module_api import Environment, Resource
from mlops.serving import decrypt_through_s3

from mlops_modules.data.exports import Bucket


def group_name(project: str, env_name: str, model: str) -> str:
    """The model package group of `model` in the environment that trains it, which the
    environments serving from that one name too."""
    return f"{project}-{env_name}-{model}"


def endpoint_name(project: str, env_name: str, model: str) -> str:
    """The name of the endpoint serving `model` in `env_name` (and of what is named after it)."""
    return f"{project}-{env_name}-{model}"


def artifacts(model: str) -> str:
    """Where the training pipeline writes a model's training jobs' output, in its output
    bucket; SageMaker puts each job's artifact at `<job>/output/model.tar.gz` below."""
    return f"models/{model}/training/"


ARTIFACT = "*/output/model.tar.gz"  # the artifact of any training job, below `artifacts`


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
    # An environment that serves another's versions runs no pipeline, hence no report step.
    reports = not env.serves_from and not all(m["evaluation"].get("entry_point") for m in section.values())
    return ModelsPlan(captures=captures, reports=reports)


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
class TrainedIn:
    """For a model an environment serves from another (`serves_from`), where its versions
    come from: the training environment, the group they are registered in, that
    environment's output bucket (its S3 name) and the alias of the key their artifacts
    and baselines are encrypted with (its id is made by AWS)."""

    env: Environment
    group_name: str
    bucket: str
    key_alias: str

    @property
    def bucket_arn(self) -> str:
        return f"arn:{self.env.partition}:s3:::{self.bucket}"

    def reads(self, sid: str, prefixes: Iterable[str], *, listed: bool) -> list[dict]:
        """What a serving role needs to read the objects under `prefixes` of the training
        environment's bucket: get them, decrypt them and, when `listed` (a Processing
        input of type S3Prefix lists its prefix first), list those prefixes only. The
        training environment's bucket and key policies must grant the role too."""
        patterns = sorted({f"{p}*" for p in prefixes})
        found = [statement(f"{sid}Objects", ["s3:GetObject"], [f"{self.bucket_arn}/{p}" for p in patterns])]
        if listed:
            found.append(statement(f"{sid}Prefixes", ["s3:ListBucket"], [self.bucket_arn],
                                   conditions=[("StringLike", "s3:prefix", patterns)]))
        return found + [decrypt_through_s3(f"{sid}Decrypt", self.env, self.key_alias)]


@dataclass(frozen=True)
class Model:
    group: Resource | None        # the aws_sagemaker_model_package_group; None when served from another environment
    group_name: str
    output: Bucket                # where its pipeline writes artifacts, evaluations and baselines
    dataset_uri: str              # the training dataset (the pipeline's DatasetUri default)
    pipeline: Resource | None     # the aws_sagemaker_pipeline; None when Step Functions orchestrates
    endpoint: Endpoint | None     # None when the environment pins no version
    baselines: Mapping[str, Baseline]  # by kind (data-quality, model-quality, bias, explainability)
    engine: EngineCode | None     # when mlops's monitoring engine monitors the model
    trained_in: TrainedIn | None = None  # when the environment serves it from another (serves_from)

    @property
    def pipeline_name(self) -> str:
        return self.pipeline.attrs["pipeline_name"]

    @property
    def baseline_bucket(self) -> str:
        """The S3 name of the bucket that keeps the baselines of each version: the output
        bucket of the environment that trains the model."""
        return self.trained_in.bucket if self.trained_in else self.output.ref("bucket")

    def served_baseline(self, kind: str, file: str) -> str:
        """The S3 URI of one baseline file of the version the endpoint serves."""
        baseline = self.baselines[kind]
        assert file in baseline.files, f"{kind} baselines have no {file}"
        return f"s3://{self.baseline_bucket}/{baseline.prefix}/v{self.endpoint.version}/{file}"


@dataclass(frozen=True)
class Models:
    models: Mapping[str, Model]
    # Prebuilt analyzers the baseline steps looked up (registry paths), which monitors run too;
    # None when no baseline step uses them.
    model_monitor_image: str | None
    clarify_image: str | None
