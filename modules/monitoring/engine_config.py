"""The configuration mlops's monitoring job reads for one monitor (`engine/job.py`):
the spec's settings of that kind, the endpoint's input `columns` in order (data quality:
its own `columns`; bias: its `features`), and the `window` of one schedule period, so
each run reads the capture of the period before it. Alarms are built from the metrics
these same settings make the job publish (`engine/metrics.py`, `published_metrics`).
"""

from __future__ import annotations

WINDOW_HOURS = {"hourly": 1, "daily": 24}
# The spec's keys each kind's job reads (the others are Terraform's: schedule, instance type, datasets).
ENGINE_SETTINGS = {
    "data_quality": ("columns", "features", "drift_threshold"),
    "model_quality": ("problem_type", "metric", "min", "max", "inference_attribute", "probability_attribute",
                      "probability_threshold"),
    "bias": ("features", "label", "facets", "positive_label", "probability_threshold", "inference_attribute",
             "probability_attribute", "alarms"),
}


def engine_settings(kind: str, settings: dict) -> dict:
    """What the job reads for one monitor: the spec's settings and the input `columns`
    (data quality: its own; bias: its features); every feature by default."""
    out = {k: settings[k] for k in ENGINE_SETTINGS[kind] if k in settings}
    if kind == "data_quality":
        out["features"] = settings["features"] or settings["columns"]
    if kind == "bias":
        out["columns"] = settings["features"]
    return out


def config(kind: str, endpoint: str, settings: dict) -> dict:
    return {"kind": kind, "endpoint": endpoint, "settings": engine_settings(kind, settings),
            "window": {"hours": WINDOW_HOURS[settings["schedule"]]}}
