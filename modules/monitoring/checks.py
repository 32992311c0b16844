"""What the schema cannot say about monitoring: cross-references to models and datasets,
what each engine can monitor, and what each monitor needs (data capture, a baseline from
the training pipeline, a column list to name features by)."""

from __future__ import annotations

from mlops.errors import SpecError, did_you_mean, unknown_name
from mlops.module_api import Environment

from .engine.metrics import published_metrics, quality_metric
from .engine_config import engine_settings
from .exports import MLOPS, MODEL_MONITOR, engine_of
from .retraining import enabled

LABELS_HINT = "declare where labels are uploaded under data.datasets"


def check(spec, env: Environment) -> list[SpecError]:
    errors = []
    models = spec.get("models", {})
    for name in sorted(spec["monitoring"]["models"]):
        path = ("monitoring", "models", name)
        if name not in models:
            errors.append(SpecError(path, f"no model named '{name}' in models",
                                    hint=did_you_mean(name, models) or "monitor a model declared under models", key=True))
            continue
        if not (models[name].get("endpoint") or {}).get("model_version"):
            errors.append(SpecError(path, f"{name} has no endpoint in {env.name} (no endpoint.model_version), so there is nothing to monitor",
                                    hint=f"pin a version in environments.{env.name}.overrides.models.{name}.endpoint, "
                                         f"or monitor it only where it is deployed (environments.<env>.overrides.monitoring)",
                                    key=True))
            continue
        settings = spec["monitoring"]["models"][name]
        engine = engine_of(spec["monitoring"], name)
        errors += _check_baselines(spec, name, settings, engine)
        errors += _check_data_quality(spec, name, settings, engine)
        errors += _check_model_quality(spec, name, settings)
        errors += _check_clarify(spec, env, name, settings)
        if engine == MLOPS:
            errors += _check_mlops_engine(spec, env, name, settings)
    return errors


def _check_mlops_engine(spec, env: Environment, name: str, settings: dict) -> list[SpecError]:
    """The mlops engine runs data_quality, model_quality and bias; Terraform uploads its
    files and configurations encrypted (so it needs the role it runs as)."""
    path = ("monitoring", "models", name)
    errors = []
    if settings.get("explainability"):
        errors.append(SpecError(path + ("explainability",), "the mlops monitoring engine does not compute SHAP "
                                "explanations; only SageMaker Clarify (Model Monitor) does",
                                hint=f"set monitoring.models.{name}.engine: model-monitor if this account still has "
                                     "Model Monitor, or remove explainability"))
    quality = settings.get("model_quality")
    if quality:
        endpoint = f"{spec['project']}-{env.name}-{name}"
        published = published_metrics("model_quality", endpoint, engine_settings("model_quality", quality))
        if quality_metric(endpoint, quality["metric"]) not in published:
            offered = sorted(m.name.removeprefix("model_quality_") for m in published if m.name.startswith("model_quality_"))
            why = (" (AUC ranks probabilities: set probability_attribute)" if quality["metric"] == "auc"
                   and quality["problem_type"] == "BinaryClassification" else "")
            errors.append(SpecError(path + ("model_quality", "metric"), f"the monitoring job publishes no "
                                    f"{quality['metric']} for {quality['problem_type']} with these settings{why}, so its "
                                    "alarm would never fire", hint="alarm on one of " + ", ".join(offered)))
    kinds = [k for k in ("data_quality", "model_quality", "bias") if settings.get(k)]
    if kinds and not env.role_arn:
        errors.append(SpecError(path + (kinds[0],), f"Terraform uploads the monitoring job and its configuration "
                                f"encrypted, and the key policy can name it only if {env.name} says which role "
                                "Terraform runs as",
                                hint=f"set environments.{env.name}.role (a role name or ARN the provider assumes)"))
    return errors


def _check_clarify(spec, env: Environment, name: str, settings: dict) -> list[SpecError]:
    errors = []
    datasets = spec.get("data", {}).get("datasets", {})
    for kind in ("bias", "explainability"):
        monitor, path = settings.get(kind), ("monitoring", "models", name, kind)
        if not monitor:
            continue
        if not env.role_arn and engine_of(spec["monitoring"], name) == MODEL_MONITOR:
            errors.append(SpecError(path, f"Terraform writes the {kind} monitor's configuration encrypted, and the key "
                                    f"policy can name it only if {env.name} says which role Terraform runs as",
                                    hint=f"set environments.{env.name}.role (a role name or ARN the provider assumes)"))
        if not spec["models"][name]["endpoint"]["data_capture_percent"]:
            errors.append(SpecError(path, f"the {kind} monitor reads captured traffic, and {name}'s endpoint captures none",
                                    hint="set endpoint.data_capture_percent (for example 20)"))
        if kind != "bias":
            continue
        errors += unknown_name(path + ("ground_truth",), monitor["ground_truth"], datasets, "dataset", "data.datasets",
                               hint=LABELS_HINT)
        for index, facet in enumerate(monitor["facets"]):
            if facet["name"] not in monitor["features"]:
                errors.append(SpecError(path + ("facets", index, "name"), f"facet '{facet['name']}' is not one of the features",
                                        hint=did_you_mean(facet["name"], monitor["features"]) or "name a column listed in features"))
        if monitor["label"] in monitor["features"]:
            errors.append(SpecError(path + ("label",), f"'{monitor['label']}' is the label and cannot also be a feature",
                                    hint="list only the endpoint's input columns under features"))
    return errors


def _check_model_quality(spec, name: str, settings: dict) -> list[SpecError]:
    path = ("monitoring", "models", name, "model_quality")
    quality = settings.get("model_quality")
    if not quality:
        return []
    errors = []
    datasets = spec.get("data", {}).get("datasets", {})
    errors += unknown_name(path + ("ground_truth",), quality["ground_truth"], datasets, "dataset", "data.datasets",
                           hint=LABELS_HINT)
    if ("min" in quality) == ("max" in quality):
        errors.append(SpecError(path, "give exactly one alarm threshold: min (scores) or max (errors)"))
    if not spec["models"][name]["endpoint"]["data_capture_percent"]:
        errors.append(SpecError(path, f"the model-quality monitor reads captured predictions, and {name}'s endpoint "
                                "captures none", hint="set endpoint.data_capture_percent (for example 20)"))
    return errors


def _check_baselines(spec, name: str, settings: dict, engine: str) -> list[SpecError]:
    """Monitors compare with baselines the SageMaker pipeline computes, from data it can
    find: every Model Monitor kind; with the mlops engine, the data-quality baseline only
    (model quality and bias are measured against the spec's thresholds)."""
    path = ("monitoring", "models", name)
    errors = []
    datasets = spec.get("data", {}).get("datasets", {})
    kinds = [k for k in ("data_quality", "model_quality", "bias", "explainability") if settings.get(k)]
    if engine == MLOPS:
        kinds = [k for k in kinds if k == "data_quality"]
    if kinds and spec["models"][name]["orchestrator"] != "sagemaker-pipelines":
        errors.append(SpecError(path + (kinds[0],), "baselines come from the SageMaker pipeline's check steps; "
                                "this model is orchestrated by Step Functions",
                                hint="use orchestrator: sagemaker-pipelines for monitored models"))
    if settings.get("holdout"):
        errors += unknown_name(path + ("holdout",), settings["holdout"], datasets, "dataset", "data.datasets",
                               hint="declare the labeled holdout under data.datasets")
    scored = [k for k in kinds if k != "data_quality"]
    if scored and not settings.get("holdout") and not spec["models"][name]["training"].get("validation"):
        errors.append(SpecError(path + (scored[0],), f"the {scored[0].replace('_', '-')} baseline is computed on a labeled "
                                f"holdout, and {name} has neither a holdout nor a validation dataset; scored on its own "
                                "training data, the model would look better than it is",
                                hint="add holdout: <dataset> (CSV without a header, the label first, then the endpoint's columns)"))
    return errors


def _check_data_quality(spec, name: str, settings: dict, engine: str) -> list[SpecError]:
    path = ("monitoring", "models", name)
    model = spec["models"][name]
    quality = settings.get("data_quality")
    errors = []
    if enabled(settings["on_drift"]) and not quality:
        errors.append(SpecError(path + ("on_drift",), "on_drift retrains when the data-quality monitor finds drift, "
                                "but there is no data_quality monitor", hint="add data_quality: {schedule: hourly}"))
    if not quality:
        return errors
    if not model["endpoint"]["data_capture_percent"]:
        errors.append(SpecError(path + ("data_quality",), f"the data-quality monitor reads captured data, and {name}'s "
                                "endpoint captures none", hint="set endpoint.data_capture_percent (for example 20)"))
    datasets = spec.get("data", {}).get("datasets", {})
    if quality.get("baseline_dataset"):
        errors += unknown_name(path + ("data_quality", "baseline_dataset"), quality["baseline_dataset"], datasets,
                               "dataset", "data.datasets")
    return errors + _feature_names(path + ("data_quality",), quality, engine)


def _feature_names(path: tuple, quality: dict, engine: str) -> list[SpecError]:
    """Alarms watch metrics named after features, so the names must be the ones the job
    publishes. Model Monitor names a CSV's columns from its header row, and `_c0`, `_c1`,
    ... without one (issue 11: drift alarms on metrics that never exist); the mlops
    engine names them from `columns`."""
    if engine == MODEL_MONITOR:
        if quality["features"] and not quality["header"]:
            return [SpecError(path + ("features",), "without a header row in the baseline dataset, Model Monitor names "
                              "the columns _c0, _c1, ..., so no metric is named after these features and their drift "
                              "alarms would never fire", hint="set header: true and give the baseline dataset a header "
                              "row, or use engine: mlops with columns (names from the spec)")]
        return []
    if not quality.get("columns"):
        return [SpecError(path, "the mlops monitoring engine names the endpoint's CSV input columns from the spec, "
                          "and data_quality has no columns", hint="add columns: [...] (the endpoint's input columns, "
                          "in order; features then names those to alarm on)")]
    return [SpecError(path + ("features", index), f"feature '{feature}' is not one of the columns",
                      hint=did_you_mean(feature, quality["columns"]) or "name a column listed in columns")
            for index, feature in enumerate(quality["features"]) if feature not in quality["columns"]]
