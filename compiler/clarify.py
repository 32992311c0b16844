"""Part of the module API: SageMaker Clarify's analysis configuration, the JSON file a
Clarify job reads from S3, written from the spec's bias and explainability settings.

Two kinds of jobs read it: the *checks* of a training pipeline, which run a candidate
model on the holdout (CSV without a header, the label first) and register the result as
the version's baseline (models module), and the *monitors* of an endpoint, which analyze
captured traffic (monitoring module). Both describe the same columns, label, facets and
SHAP settings, from here.
"""

from __future__ import annotations

CSV = "text/csv"


def bias(settings: dict) -> dict:
    """The columns (the label first), the label with its positive values, and the facets."""
    return {
        "headers": [settings["label"], *settings["features"]],
        "label": settings["label"],
        "label_values_or_threshold": settings["positive_label"],
        "facet": [{"name_or_index": f["name"], "value_or_threshold": f["values"]} for f in settings["facets"]],
    }


def shap(settings: dict) -> dict:
    """SHAP attributions averaged over the records, without local values."""
    found = {"num_samples": settings["num_samples"], "agg_method": "mean_abs", "use_logit": False,
             "save_local_shap_values": False}
    if settings.get("baseline"):
        found["baseline"] = settings["baseline"]
    return found


def bias_check(settings: dict) -> dict:
    """The bias check of a candidate on the holdout (post-training metrics)."""
    score_key = "probability" if settings.get("probability_attribute") else "label"
    return {
        "dataset_type": CSV,
        **bias(settings),
        "probability_threshold": settings["probability_threshold"],
        "methods": {"post_training_bias": {"methods": "all"}, "report": {"name": "report", "title": "Bias baseline"}},
        "predictor": _candidate(settings, score_key),
    }


def explainability_check(settings: dict) -> dict:
    """The SHAP baseline of a candidate on the holdout. The holdout's first column is the
    label, which Clarify drops before calling the model; it gets a name no feature has."""
    label = next(n for n in ("label", "_label", "__label") if n not in settings["features"])
    return {
        "dataset_type": CSV,
        "headers": [label, *settings["features"]],
        "label": label,
        "methods": {"shap": shap(settings), "report": {"name": "report", "title": "Explainability baseline"}},
        "predictor": _candidate(settings, "label"),
    }


def bias_monitor(settings: dict) -> dict:
    """The parameters a bias monitor reads (and no others)."""
    return {"version": "1.0", **bias(settings)}


def explainability_monitor(settings: dict, model_name: str) -> dict:
    """An explainability monitor: SHAP against a shadow endpoint of the served model."""
    return {
        "version": "1.0",
        "headers": settings["features"],
        "methods": {"shap": shap(settings)},
        "predictor": {"model_name": model_name, "instance_type": settings["instance_type"], "initial_instance_count": 1,
                      "content_type": CSV, "accept_type": CSV},
    }


def _candidate(settings: dict, score_key: str) -> dict:
    """The shadow endpoint of the candidate model; the score is a column of its CSV output."""
    predictor = {"instance_type": settings["instance_type"], "initial_instance_count": 1,
                 "content_type": CSV, "accept_type": CSV}
    where = settings.get("probability_attribute") or settings.get("inference_attribute")
    if where:
        predictor[score_key] = int(where)
    return predictor
