"""What the schema cannot say about a model: cross-references (datasets, buckets,
repositories, images), the catalog of algorithms and frameworks (versions, metrics,
GPU needs), and combinations that would only fail at run time (spot training without
checkpoints, a threshold on a metric nobody emits, an invalid schedule)."""

from __future__ import annotations

from mlops.errors import SpecError, did_you_mean, unknown_name
from mlops.module_api import Environment

from . import catalog
from .channels import check_gate
from mlops_modules.monitoring.exports import MODEL_MONITOR, engine_of

from .exports import needs_package
from .definition import transform_instance
from .triggers import check_schedule


def check(spec, env: Environment) -> list[SpecError]:
    errors: list[SpecError] = []
    models = spec["models"]
    if models and "workspace" not in spec:
        errors.append(SpecError(("models",), "models run with the workspace's execution roles, but the spec has no workspace section",
                                hint="add workspace: {}"))
        return errors
    for name in sorted(models):
        errors += _model(spec, name, models[name])
        errors += _name_lengths(spec, env, name, models[name])
        errors += _scores_csv(spec, name, models[name])
        errors += _scores_in_batch(spec, name, models[name])
        errors += _uploads_need_a_role(env, name, models[name])
    return errors


def _uploads_need_a_role(env: Environment, name: str, model: dict) -> list[SpecError]:
    """Without an evaluation script of its own, a model's pipeline runs the report script
    mlops ships, which Terraform uploads into the KMS-encrypted output bucket; the key
    policy lets Terraform encrypt objects only as the role the environment names."""
    if env.role_arn or model["evaluation"].get("entry_point"):
        return []
    return [SpecError(("models", name, "evaluation"), f"Terraform uploads {name}'s evaluation report script encrypted, and "
                      f"the key policy can name it only if {env.name} says which role Terraform runs as",
                      hint=f"set environments.{env.name}.role (a role name or ARN the provider assumes)")]


def _scores_in_batch(spec, name: str, model: dict) -> list[SpecError]:
    """The model-quality baseline scores the holdout with a batch transform on the
    endpoint's instance type (models/baselines.py), which must be one transform offers."""
    monitors = spec.get("monitoring", {}).get("models", {}).get(name, {})
    instance = (model.get("endpoint") or {}).get("instance_type")
    if engine_of(spec.get("monitoring") or {}, name) != MODEL_MONITOR:
        return []  # mlops's engine scores live traffic against the spec's thresholds, no holdout
    if not monitors.get("model_quality") or not instance or transform_instance(instance):
        return []
    return [SpecError(("models", name, "endpoint", "instance_type"), f"the model-quality baseline scores the holdout "
                      f"with a batch transform on the endpoint's instance type, and AWS offers no transform on {instance}",
                      hint="pick an endpoint instance type batch transform offers too (ml.m5.large, say)")]


def _scores_csv(spec, name: str, model: dict) -> list[SpecError]:
    """Model-quality, bias and explainability baselines score a CSV holdout with the
    trained model (models/baselines.py); a built-in algorithm that reads another format
    cannot be scored that way."""
    monitors = spec.get("monitoring", {}).get("models", {}).get(name, {})
    kind = next((k for k in ("model_quality", "bias", "explainability") if monitors.get(k)), None)
    if engine_of(spec.get("monitoring") or {}, name) != MODEL_MONITOR:
        kind = None  # mlops's engine computes no scored baseline
    algorithm = catalog.ALGORITHMS.get(model["training"].get("algorithm") or "")
    if not kind or not algorithm or algorithm.content_type == "text/csv":
        return []
    return [SpecError(("monitoring", "models", name, kind), f"the {kind.replace('_', '-')} baseline scores a CSV holdout, and "
                      f"{model['training']['algorithm']} reads {algorithm.content_type}",
                      hint="monitor data quality only for this model, or train it on CSV data")]


SAGEMAKER_NAME_LIMIT = 63


def _name_lengths(spec, env: Environment, name: str, model: dict) -> list[SpecError]:
    """SageMaker names (group, endpoint, model) are built from project, environment and
    model names; catch the ones over 63 characters here rather than at apply time."""
    version = (model.get("endpoint") or {}).get("model_version") or 1
    longest = f"{spec['project']}-{env.name}-{name}-v{version}"
    if len(longest) <= SAGEMAKER_NAME_LIMIT:
        return []
    return [SpecError(("models", name), f"SageMaker names for {name} in {env.name} would be {len(longest)} characters "
                      f"('{longest}'); SageMaker allows {SAGEMAKER_NAME_LIMIT}",
                      hint="shorten the project, environment or model name", key=True)]


def _ref(errors, path, value, choices, what, where) -> bool:
    found = unknown_name(path, value, choices, what, where,
                         hint=f"{where}: " + ", ".join(sorted(choices)) if choices else f"declare it under {where}")
    errors += found
    return not found


def _model(spec, name: str, model: dict) -> list[SpecError]:
    """The data a model names; then, when it says how it trains in exactly one way, what
    that way needs, and the settings around training."""
    training, tpath = model["training"], ("models", name, "training")
    datasets = spec.get("data", {}).get("datasets", {})
    errors: list[SpecError] = []
    _ref(errors, tpath + ("input",), training["input"], datasets, "dataset", "data.datasets")
    for channel in ("validation", "test"):
        if training.get(channel):
            _ref(errors, tpath + (channel,), training[channel], datasets, "dataset", "data.datasets")
    _ref(errors, tpath + ("output_bucket",), training["output_bucket"], spec.get("data", {}).get("buckets", {}),
         "bucket", "data.buckets")
    kinds = [k for k in ("algorithm", "framework", "image") if training.get(k)]
    if len(kinds) != 1:
        errors.append(SpecError(tpath, "say how to train with exactly one of algorithm, framework or image"
                                + (f" (found {', '.join(kinds)})" if kinds else ""),
                                hint="algorithm: xgboost (built-in), framework: pytorch (your script), or image: <repositories.images name>"))
        return errors
    return errors + _training(spec, name, model, kinds[0]) + _settings(spec, name, model)


def _training(spec, name: str, model: dict, kind: str) -> list[SpecError]:
    """What training one way needs: an algorithm or framework version and image for the
    instance, or a declared image; a metric the job emits for the gate; scripts' source."""
    base, training = ("models", name), model["training"]
    tpath, metric = base + ("training",), model["evaluation"]["metric"]
    repos = spec.get("repositories", {})
    errors: list[SpecError] = []
    emitted = {d["name"] for d in training["metric_definitions"]}
    if kind == "algorithm":
        errors += _algorithm(tpath, training, metric)
        emitted |= set(catalog.ALGORITHMS[training["algorithm"]].metrics)
    elif kind == "framework":
        errors += _framework(base, model)
    else:
        _ref(errors, tpath + ("image",), training["image"], repos.get("images", {}), "image", "repositories.images")
    if training.get("serving_version") and kind != "framework":
        errors.append(SpecError(tpath + ("serving_version",), "serving_version chooses a framework's serving container; "
                                f"this model trains with {kind} {training[kind]}, which serves itself",
                                hint="remove serving_version"))
    if kind != "algorithm" and metric not in emitted:
        errors.append(SpecError(base + ("evaluation", "metric"), f"the training job does not emit '{metric}'",
                                hint=did_you_mean(metric, emitted) or f"add metric_definitions: [{{name: {metric}, regex: ...}}] so the job reports it"))
    elif kind == "algorithm" and metric not in emitted:
        errors.append(SpecError(base + ("evaluation", "metric"), f"{training['algorithm']} does not emit '{metric}'",
                                hint=did_you_mean(metric, emitted) or "metrics: " + ", ".join(sorted(emitted))))
    elif kind == "algorithm":
        errors += check_gate(name, training, metric)
    if needs_package(model) and training.get("source"):
        _ref(errors, tpath + ("source",), training["source"], repos.get("code", {}), "code repository", "repositories.code")
    elif needs_package(model) and kind != "framework":
        errors.append(SpecError(tpath, "processing and evaluation scripts come from training.source, which is not set",
                                hint="source: <repositories.code name> (and source_dir)"))
    return errors


def _algorithm(tpath: tuple, training: dict, metric: str) -> list[SpecError]:
    errors = []
    algorithm = catalog.ALGORITHMS[training["algorithm"]]
    version, instance = training.get("version"), training["instance_type"]
    if version not in algorithm.versions:
        errors.append(SpecError(tpath + ("version",) if version else tpath,
                                f"{training['algorithm']} has no version '{version}'" if version else f"{training['algorithm']} needs a version",
                                hint="versions: " + ", ".join(algorithm.versions)))
    if catalog.processor(instance) not in algorithm.processors:
        errors.append(SpecError(tpath + ("instance_type",), *_processor_error(training["algorithm"], "trains", algorithm.processors, instance)))
    asked = str(training["hyperparameters"].get("eval_metric", ""))
    if training["algorithm"] == "xgboost" and asked and metric.split(":", 1)[-1] not in asked.split(","):
        errors.append(SpecError(tpath + ("hyperparameters", "eval_metric"),
                                f"xgboost reports only the eval_metric metrics ({asked}), not '{metric}'",
                                hint=f"add {metric.split(':', 1)[-1]} to eval_metric, or drop eval_metric and mlops sets it"))
    return errors


def _framework(base: tuple, model: dict) -> list[SpecError]:
    errors = []
    training, tpath = model["training"], base + ("training",)
    framework = catalog.FRAMEWORKS[training["framework"]]
    version = training.get("version")
    if version not in framework.training:
        errors.append(SpecError(tpath + ("version",) if version else tpath,
                                f"{training['framework']} has no prebuilt training container for version '{version}'" if version else "framework training needs a version",
                                hint=did_you_mean(version or "", framework.training) or "versions: " + ", ".join(framework.training)))
    else:
        errors += _framework_images(base, model, framework)
    for key in ("entry_point", "source"):
        if not training.get(key):
            errors.append(SpecError(tpath, f"framework training needs {key}",
                                    hint="entry_point: train.py and source: <repositories.code name>"))
    return errors


def _settings(spec, name: str, model: dict) -> list[SpecError]:
    """Spot training, the gate's threshold, the retraining schedule, the orchestrator and
    the endpoint."""
    base, training, evaluation = ("models", name), model["training"], model["evaluation"]
    tpath, metric = base + ("training",), evaluation["metric"]
    errors: list[SpecError] = []
    spot = training.get("spot")
    if spot and not spot.get("checkpoint_prefix"):
        errors.append(SpecError(tpath + ("spot",), "spot training without a checkpoint location restarts from scratch after every interruption",
                                hint="add checkpoint_prefix: checkpoints/<model>/"))
    if spot and spot["max_wait_minutes"] < training["max_runtime_minutes"]:
        errors.append(SpecError(tpath + ("spot", "max_wait_minutes"), "max_wait_minutes must be at least max_runtime_minutes",
                                hint=f"use {training['max_runtime_minutes']} or more"))
    if ("min" in evaluation) == ("max" in evaluation):
        errors.append(SpecError(base + ("evaluation",), "give exactly one threshold: min (for scores) or max (for losses)",
                                hint=f"min: 0.85 for {metric}" if "auc" in metric or "accuracy" in metric else "max: 0.1"))
    if model["retrain"].get("schedule"):
        errors += check_schedule(model["retrain"]["schedule"], base + ("retrain", "schedule"))
    if model["orchestrator"] == "step-functions" and model.get("processing"):
        errors.append(SpecError(base + ("processing",), "preprocessing runs with the sagemaker-pipelines orchestrator only",
                                hint="remove orchestrator: step-functions, or preprocess before the data lands"))
    endpoint = model.get("endpoint") or {}
    if endpoint and endpoint["min_instances"] > endpoint["max_instances"]:
        errors.append(SpecError(base + ("endpoint", "max_instances"), "max_instances is below min_instances"))
    if endpoint.get("data_capture_percent"):
        _ref(errors, base + ("endpoint", "capture_bucket"), endpoint["capture_bucket"],
             spec.get("data", {}).get("buckets", {}), "bucket", "data.buckets")
    return errors


def _processor_error(what: str, verb: str, processors: tuple[str, ...], instance: str) -> tuple[str, str]:
    """Message and hint for an instance whose processor an image is not built for."""
    if processors == (catalog.GPU,):
        return (f"{what} {verb} on GPU instances only, and {instance} has no GPU",
                "use a GPU instance such as ml.g5.xlarge or ml.p3.2xlarge")
    return f"{what} {verb} on CPU instances only, and {instance} is a GPU instance", "use a CPU instance such as ml.m5.xlarge"


def _framework_images(base: tuple, model: dict, framework: catalog.Framework) -> list[SpecError]:
    """Every image a framework model runs exists for the processor it runs on: training,
    its scripts (in the training container), and serving (on the endpoint's instance
    type, or the default one the registered model names)."""
    errors = []
    training = model["training"]
    tpath = base + ("training",)
    name, version = training["framework"], training["version"]
    built = framework.training[version]
    steps = [(tpath + ("instance_type",), training["instance_type"], "trains")]
    for key, what in (("processing", "preprocessing"), ("evaluation", "evaluation")):
        if (model.get(key) or {}).get("entry_point"):
            steps.append((base + (key, "instance_type"), model[key]["instance_type"], f"{what} runs"))
    for path, instance, verb in steps:
        if not built.tag(catalog.processor(instance)):
            message, hint = _processor_error(f"{name} {version}", verb, tuple(built.tags), instance)
            errors.append(SpecError(path, message, hint=hint))
    serving = catalog.serving_version(training)
    if serving not in framework.serving:
        where = tpath + ("serving_version",) if training.get("serving_version") else tpath + ("version",)
        errors.append(SpecError(where, f"{name} {serving} has no prebuilt serving container for the registered model and endpoint",
                                hint="set training.serving_version to one of: " + ", ".join(framework.serving)))
        return errors
    endpoint = model.get("endpoint") or {}
    instance = endpoint.get("instance_type", catalog.DEFAULT_ENDPOINT)
    image = framework.serving[serving]
    if not image.tag(catalog.processor(instance)):
        message, hint = _processor_error(f"the {name} {serving} serving container", "runs", tuple(image.tags), instance)
        path = base + ("endpoint", "instance_type") if endpoint else base
        errors.append(SpecError(path, message, hint=hint if endpoint else f"add endpoint: {{instance_type: ...}}; {hint}"))
    return errors
