"""The bias monitor: post-training bias of live predictions, per facet.

Vocabulary, as SageMaker Clarify uses it (https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-detect-post-training-bias.html):
a *facet* is a sensitive column and the group *d* it names (`values: ["rural"]`: rows
whose value is "rural"; a number, `values: [60]`: rows whose value is above 60; write
the value as a string to name a numeric category); facet *a* is every other row with a
value (the value names the sensitive group, as Clarify's own implementation, smclarify,
reads it: its `sensitive_facet_index` is facet d). Rows whose value is missing are in
neither. A prediction is positive (y' = 1) when its probability (`probability_attribute`)
is above `probability_threshold` (default 0.5), or else when the predicted label
(`inference_attribute`, default the last column) is a `positive_label` (default [1]); an
observed label (y = 1) likewise.

Metrics, with Clarify's definitions (one page each, https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-post-training-bias-metric-<name>.html):
- DPPL = q'a - q'd, q' = n'(1)/n, the share predicted positive (`-dppl`);
- DI = q'd / q'a (`-di`), 1 when unbiased, so its violations compare |DI - 1|;
with ground truth (the spec's `label`), from each group's TP, FP, FN, TN:
- AD = ACCa - ACCd (`-ad`); RD = TPRa - TPRd, TPR = TP/(TP+FN) (`-rd`);
- DAR = TPa/(TPa+FPa) - TPd/(TPd+FPd) (`-dar`); DRR = TNd/(TNd+FNd) - TNa/(TNa+FNa) (`-drr`);
- DCA = ca - cd, c = n(1)/n'(1) = (TP+FN)/(TP+FP) (`-dcacc`);
- DCR = rd - ra, r = n(0)/n'(0) = (TN+FP)/(TN+FN) (`-dcr`);
- TE = FPa/FNa - FPd/FNd (`-te`).
A metric whose denominator is 0 in this window is undefined: reported as null, not
published. Violations: `max_abs` when |metric| (|DI - 1|) exceeds its `alarms` limit
(default DPPL 0.1, as the spec), `empty_facet` when a facet's group or its complement
has no row (usually a misspelt value).
"""

from __future__ import annotations

import numpy as np

try:
    from . import metrics
    from .capture import InputError, read_capture, window, read_ground_truth, records
    from .model_quality import column, positive
    from .report import violation, violations_report
    from .stats import as_category, as_number, is_missing
except ImportError:  # run from the uploaded folder as `python3 job.py`
    import metrics
    from capture import InputError, read_capture, window, read_ground_truth, records
    from model_quality import column, positive
    from report import violation, violations_report
    from stats import as_category, as_number, is_missing

KIND = "bias"


def _ratio(x: float, y: float) -> float | None:
    return x / y if y else None


def _diff(x: float | None, y: float | None) -> float | None:
    return None if x is None or y is None else x - y


def _counts(truth: np.ndarray, predicted: np.ndarray) -> dict[str, int]:
    return {"TP": int(np.sum(truth & predicted)), "FP": int(np.sum(~truth & predicted)),
            "FN": int(np.sum(truth & ~predicted)), "TN": int(np.sum(~truth & ~predicted))}


def post_training(group: np.ndarray, predicted: np.ndarray, truth: np.ndarray | None = None,
                  labelled: np.ndarray | None = None) -> dict[str, float | None]:
    """Clarify's post-training bias metrics; `group` marks facet d, the rest is facet a."""
    other = ~group
    q_a = _ratio(float(np.sum(predicted & other)), float(np.sum(other)))
    q_d = _ratio(float(np.sum(predicted & group)), float(np.sum(group)))
    result = {"DPPL": _diff(q_a, q_d), "DI": _ratio(q_d, q_a) if q_d is not None and q_a else None}
    if truth is None:
        return result
    keep = np.ones(len(group), dtype=bool) if labelled is None else labelled
    a = _counts(truth[keep & other], predicted[keep & other])
    d = _counts(truth[keep & group], predicted[keep & group])

    def per(c: dict, top: tuple, bottom: tuple) -> float | None:
        return _ratio(float(sum(c[k] for k in top)), float(sum(c[k] for k in bottom)))

    result.update({
        "AD": _diff(per(a, ("TP", "TN"), ("TP", "TN", "FP", "FN")), per(d, ("TP", "TN"), ("TP", "TN", "FP", "FN"))),
        "RD": _diff(per(a, ("TP",), ("TP", "FN")), per(d, ("TP",), ("TP", "FN"))),
        "DAR": _diff(per(a, ("TP",), ("TP", "FP")), per(d, ("TP",), ("TP", "FP"))),
        "DRR": _diff(per(d, ("TN",), ("TN", "FN")), per(a, ("TN",), ("TN", "FN"))),
        "DCA": _diff(per(a, ("TP", "FN"), ("TP", "FP")), per(d, ("TP", "FN"), ("TP", "FP"))),
        "DCR": _diff(per(d, ("TN", "FP"), ("TN", "FN")), per(a, ("TN", "FP"), ("TN", "FN"))),
        "TE": _diff(per(a, ("FP",), ("FN",)), per(d, ("FP",), ("FN",))),
    })
    return result


def membership(values: list, facet: dict) -> tuple[np.ndarray, np.ndarray]:
    """(in group d, has a value) per row, for one facet."""
    target = facet["values"][0]
    present = np.asarray([not is_missing(v) for v in values], dtype=bool)
    if isinstance(target, (int, float)) and not isinstance(target, bool):
        numbers = [as_number(v) for v in values]
        present &= np.asarray([n is not None for n in numbers], dtype=bool)
        return np.asarray([n is not None and n > target for n in numbers], dtype=bool), present
    return np.asarray([as_category(v) == as_category(target) for v in values], dtype=bool) & present, present


def _predicted(settings: dict, row: list) -> bool | None:
    probability = settings.get("probability_attribute")
    if probability is not None:
        value = as_number(column(row, probability))
        return None if value is None else value > float(settings.get("probability_threshold", 0.5))
    value = column(row, settings.get("inference_attribute"))
    return None if value is None or is_missing(value) else positive(value, settings.get("positive_label", [1]))


def run(config: dict, capture_folder, ground_truth_folder=None) -> tuple[dict[str, dict], list]:
    endpoint, settings = config["endpoint"], config.get("settings", {})
    columns = settings.get("columns") or settings.get("features") or []
    facets = settings.get("facets") or []
    if not all(isinstance(f, dict) and isinstance(f.get("values"), list) and len(f["values"]) == 1 for f in facets):
        raise InputError('configuration: each of settings.facets is {"name": <column>, "values": [<value or threshold>]}')
    unknown = [str(f.get("name")) for f in facets if f.get("name") not in columns]
    if not facets or unknown:
        raise InputError(f"configuration: settings.facets must name columns of settings.features {columns}"
                         + (f", not {', '.join(unknown)}" if unknown else ""))
    labelled_run = bool(settings.get("label")) and ground_truth_folder is not None
    names = metrics.BIAS_PREDICTED + (metrics.BIAS_LABELLED if labelled_run else ())
    alarms = settings.get("alarms", {"DPPL": 0.1})
    if set(alarms) - set(names):
        raise InputError(f"configuration: settings.alarms names {', '.join(sorted(set(alarms) - set(names)))}, "
                         f"which need ground truth (settings.label and a ground truth input)")
    labels = read_ground_truth(ground_truth_folder) if labelled_run else None
    rows = [r for r in records(read_capture(capture_folder, *window(config)), columns, labels)
            if r.inputs is not None and r.output is not None and _predicted(settings, r.output) is not None]
    predicted = np.asarray([_predicted(settings, r.output) for r in rows], dtype=bool)
    labelled = np.asarray([r.label is not None and not is_missing(r.label) for r in rows], dtype=bool)
    truth = np.asarray([bool(l) and positive(r.label, settings.get("positive_label", [1]))
                        for r, l in zip(rows, labelled)], dtype=bool) if labelled_run else None
    report, found, data = {}, [], []
    for facet in facets:
        label = metrics.facet_label(facet)
        group, present = membership([r.inputs[facet["name"]] for r in rows], facet)
        values = post_training(group[present], predicted[present],
                               None if truth is None else truth[present], labelled[present])
        report[label] = {"group": int(group.sum()), "others": int((present & ~group).sum()), "metrics": values}
        if rows and (not group.any() or not (present & ~group).any()):
            found.append(violation("empty_facet", int(group.sum()), 1,
                                   f"{label}: no captured row is {'in' if not group.any() else 'outside'} the group",
                                   facet=label))
        for name in names:
            if values[name] is not None:
                data.append(metrics.Datum(metrics.bias_metric(endpoint, label, name), values[name]))
        for name, limit in sorted(alarms.items()):
            value = values[name]
            deviation = None if value is None else abs(value - 1 if name == "DI" else value)
            if deviation is not None and deviation > limit:
                found.append(violation("max_abs", value, limit, f"{label}: |{name}| {deviation:.4f} exceeds {limit}",
                                       metric=name, facet=label))
    records_metric, violations_metric = metrics.monitor_metrics(KIND, endpoint)
    data += [metrics.Datum(records_metric, len(rows)), metrics.Datum(violations_metric, len(found))]
    statistics = {"version": 1, "kind": KIND, "endpoint": endpoint, "records": len(rows),
                  "labelled": int(labelled.sum()) if labelled_run else 0, "facets": report}
    return {"statistics.json": statistics,
            "constraint_violations.json": violations_report(KIND, endpoint, found)}, data
