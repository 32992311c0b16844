"""The model-quality monitor: captured predictions scored against uploaded ground truth.

Captured events and ground truth records join by key (`capture.py`: the inferenceId the
caller set, else the eventId) and row. The prediction is read from the endpoint's output
row: `probability_attribute` (0-based column) holds the positive-class probability for
BinaryClassification, `inference_attribute` (default: the last column) the predicted
label or value. Metrics (plain statistics, numpy only):
- BinaryClassification: a prediction is positive when its probability is above
  `probability_threshold` (default 0.5), or, without a probability, when the predicted
  label is the positive label; a label is positive when it equals `positive_label`
  (default [1]). accuracy, precision = TP/(TP+FP), recall = TP/(TP+FN),
  f1 = 2TP/(2TP+FP+FN) (0 when a denominator is 0), and auc: the probability that a
  random positive scores above a random negative (Mann-Whitney U with average ranks for
  ties), only with probabilities and both classes present.
- MulticlassClassification: accuracy, and weighted_f1 (per-class F1 weighted by the
  class's share of the ground truth).
- Regression: mae, mse, rmse, r2 = 1 - SS_res/SS_tot (undefined for constant labels).
Constraints: the configured `metric` with `min` and/or `max` (the spec's), and optional
`thresholds` {metric: {"min", "max"}}; a metric outside its bounds is a violation.
"""

from __future__ import annotations

import numpy as np

try:
    from . import metrics
    from .capture import InputError, read_capture, window, read_ground_truth, records
    from .report import violation, violations_report
    from .stats import as_category, as_number, is_missing
except ImportError:  # run from the uploaded folder as `python3 job.py`
    import metrics
    from capture import InputError, read_capture, window, read_ground_truth, records
    from report import violation, violations_report
    from stats import as_category, as_number, is_missing

KIND = "model_quality"


def column(row: list, attribute) -> object:
    index = len(row) - 1 if attribute is None else int(attribute)
    return row[index] if 0 <= index < len(row) else None


def auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if not positives or not negatives:
        return None
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    ranks = (ends - (counts - 1) / 2.0)[inverse]
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def binary(truth: np.ndarray, predicted: np.ndarray, scores: np.ndarray | None) -> dict:
    tp = int(np.sum(truth & predicted))
    fp = int(np.sum(~truth & predicted))
    fn = int(np.sum(truth & ~predicted))
    result = {
        "accuracy": float(np.mean(truth == predicted)),
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": int(np.sum(~truth & ~predicted))},
    }
    if scores is not None:
        result["auc"] = auc(truth, scores)
    return result


def multiclass(truth: list[str], predicted: list[str]) -> dict:
    t, p = np.asarray(truth, dtype=object), np.asarray(predicted, dtype=object)
    weighted = 0.0
    for label in sorted(set(truth) | set(predicted)):
        tp = int(np.sum((t == label) & (p == label)))
        fp = int(np.sum((t != label) & (p == label)))
        fn = int(np.sum((t == label) & (p != label)))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
        weighted += f1 * np.sum(t == label) / len(t)
    return {"accuracy": float(np.mean(t == p)), "weighted_f1": float(weighted)}


def regression(truth: np.ndarray, predicted: np.ndarray) -> dict:
    errors = predicted - truth
    mse = float(np.mean(errors**2))
    total = float(np.sum((truth - truth.mean()) ** 2))
    return {"mae": float(np.mean(np.abs(errors))), "mse": mse, "rmse": mse**0.5,
            "r2": 1 - float(np.sum(errors**2)) / total if total else None}


def positive(value, positive_labels: list) -> bool:
    return as_category(value) in {as_category(v) for v in positive_labels}


def score(settings: dict, pairs: list[tuple[list, object]]) -> dict:
    """Metrics of (output row, label) pairs for the configured problem type."""
    problem = settings["problem_type"]
    if problem == "BinaryClassification":
        labels = settings.get("positive_label", [1])
        truth = np.asarray([positive(label, labels) for _, label in pairs], dtype=bool)
        probability = settings.get("probability_attribute")
        if probability is not None:
            scores = np.asarray([as_number(column(row, probability)) for row, _ in pairs], dtype=float)
            predicted = scores > float(settings.get("probability_threshold", 0.5))
            return binary(truth, predicted, scores)
        predicted = np.asarray([positive(column(row, settings.get("inference_attribute")), labels)
                                for row, _ in pairs], dtype=bool)
        return binary(truth, predicted, None)
    if problem == "MulticlassClassification":
        return multiclass([as_category(label) for _, label in pairs],
                          [as_category(column(row, settings.get("inference_attribute"))) for row, _ in pairs])
    return regression(np.asarray([as_number(label) for _, label in pairs], dtype=float),
                      np.asarray([as_number(column(row, settings.get("inference_attribute"))) for row, _ in pairs],
                                 dtype=float))


def _usable(settings: dict, row: list | None, label) -> bool:
    """A pair the metrics can use: a prediction in the configured column, a label."""
    if row is None or is_missing(label):
        return False
    problem = settings["problem_type"]
    probability = settings.get("probability_attribute") if problem == "BinaryClassification" else None
    value = column(row, probability if probability is not None else settings.get("inference_attribute"))
    if value is None or is_missing(value):
        return False
    if probability is not None:
        return as_number(value) is not None
    if problem == "Regression":
        return as_number(value) is not None and as_number(label) is not None
    return True


def bounds(settings: dict) -> dict[str, dict]:
    """{metric: {"min", "max"}} from the spec's metric/min/max and `thresholds`."""
    limits = {name: dict(limit) for name, limit in (settings.get("thresholds") or {}).items()}
    if settings.get("metric"):
        limit = limits.setdefault(settings["metric"], {})
        limit.update({k: settings[k] for k in ("min", "max") if settings.get(k) is not None})
    unknown = sorted(set(limits) - set(metrics.quality_names(settings)))
    if unknown:
        raise InputError(f"configuration: {settings['problem_type']} has no metric {', '.join(unknown)} "
                         f"(it computes {', '.join(metrics.quality_names(settings))})")
    return limits
def run(config: dict, capture_folder, ground_truth_folder) -> tuple[dict[str, dict], list]:
    endpoint, settings = config["endpoint"], config.get("settings", {})
    if settings.get("problem_type") not in metrics.MODEL_QUALITY:
        raise InputError("configuration: settings.problem_type must be one of "
                         + ", ".join(sorted(metrics.MODEL_QUALITY)))
    limits = bounds(settings)
    events = read_capture(capture_folder, *window(config))
    rows = records(events, settings.get("columns") or [], read_ground_truth(ground_truth_folder))
    labelled = [r for r in rows if r.label is not None]
    pairs = [(r.output, r.label) for r in labelled if _usable(settings, r.output, r.label)]
    scores = score(settings, pairs) if pairs else {}
    found, data = [], []
    for name in metrics.quality_names(settings):
        value = scores.get(name)
        if value is not None:
            data.append(metrics.Datum(metrics.quality_metric(endpoint, name), value))
    for name, limit in sorted(limits.items()):
        value = scores.get(name)
        if value is None:
            continue
        if limit.get("min") is not None and value < limit["min"]:
            found.append(violation("min", value, limit["min"], f"{name} {value:.4f} is below {limit['min']}", metric=name))
        if limit.get("max") is not None and value > limit["max"]:
            found.append(violation("max", value, limit["max"], f"{name} {value:.4f} is above {limit['max']}", metric=name))
    records_metric, violations_metric = metrics.monitor_metrics(KIND, endpoint)
    data += [metrics.Datum(records_metric, len(pairs)), metrics.Datum(violations_metric, len(found))]
    statistics = {"version": 1, "kind": KIND, "endpoint": endpoint, "problem_type": settings["problem_type"],
                  "captured": len(rows), "labelled": len(labelled), "records": len(pairs),
                  "metrics": scores}
    return {"statistics.json": statistics,
            "constraint_violations.json": violations_report(KIND, endpoint, found)}, data
