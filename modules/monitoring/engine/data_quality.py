"""The data-quality monitor: the captured window against the training baseline.

Per monitored feature it checks, against `constraints.json` (`baseline.py`):
- `completeness`: the share of present values is below the feature's `min_completeness`;
- `data_type`: a numeric feature received values that are not numbers (their share);
- `drift`: `stats.drift` (Jensen-Shannon distance on the baseline's bins or categories)
  exceeds `drift_threshold` (the configured `settings.drift_threshold` when set, as the
  spec's alarms use it, else the constraint's);
and, for the window, `column_count`: captured rows that do not have the configured
number of columns (they are left out of every other check).

Writes `statistics.json` (the window's statistics per feature in the baseline's format,
plus `drift` and `completeness`; version 1), `constraint_violations.json` (`report.py`)
and the data it publishes: `feature_drift` and `feature_completeness` per feature,
`records` and `violations` (`metrics.py`).
"""

from __future__ import annotations

import json
import pathlib

try:
    from . import metrics, stats
    from .capture import InputError, read_capture, window, records
    from .report import violation, violations_report
except ImportError:  # run from the uploaded folder as `python3 job.py`
    import metrics
    import stats
    from capture import InputError, read_capture, window, records
    from report import violation, violations_report

KIND = "data_quality"


def load_baseline(folder) -> tuple[dict, dict]:
    """(statistics, constraints) from a baseline folder, version-checked."""
    loaded = []
    for name in ("statistics.json", "constraints.json"):
        path = pathlib.Path(folder) / name
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise InputError(f"{path}: cannot read the baseline: {err}") from None
        if not isinstance(document, dict) or document.get("version") != 1:
            raise InputError(f"{path}: not a version 1 mlops baseline file")
        loaded.append(document)
    return loaded[0], loaded[1]


def check_feature(name: str, values: list, baseline: dict, constraint: dict,
                  drift_threshold: float) -> tuple[dict, list[dict]]:
    """A feature's statistics in the window (`seen`) and its violations."""
    seen = stats.window_summary(values, baseline)
    present = seen["count"] - seen["missing"]
    seen["completeness"] = present / seen["count"] if seen["count"] else None
    seen["drift"] = stats.drift(baseline, seen)
    found = []
    if seen["completeness"] is not None and seen["completeness"] < constraint["min_completeness"]:
        found.append(violation("completeness", seen["completeness"], constraint["min_completeness"],
                               f"{name}: {seen['missing']} of {seen['count']} values missing", feature=name))
    if seen.get("non_numeric"):
        share = seen["non_numeric"] / present
        found.append(violation("data_type", share, 0.0,
                               f"{name}: {seen['non_numeric']} values are not numbers, the baseline's are", feature=name))
    if seen["drift"] is not None and seen["drift"] > drift_threshold:
        found.append(violation("drift", seen["drift"], drift_threshold,
                               f"{name}: distribution moved {seen['drift']:.3f} from the baseline "
                               f"(Jensen-Shannon distance)", feature=name))
    return seen, found


def run(config: dict, baseline_folder, capture_folder) -> tuple[dict[str, dict], list]:
    """({file name: document}, data to publish) for one window."""
    endpoint, settings = config["endpoint"], config.get("settings", {})
    columns = settings.get("columns") or settings.get("features") or []
    features = settings.get("features") or columns
    if not columns:
        raise InputError("configuration: settings.features (or settings.columns) names no column")
    baseline, constraints = load_baseline(baseline_folder)
    absent = [f for f in features if f not in baseline["features"] or f not in constraints["features"]]
    if absent:
        raise InputError(f"{baseline_folder}: the baseline has no feature {', '.join(absent)}")
    rows = records(read_capture(capture_folder, *window(config)), columns)
    fitting = [r for r in rows if r.inputs is not None]
    malformed = sum(r.malformed for r in rows)
    summaries, found, data = {}, [], []
    for name in features:
        constraint = constraints["features"][name]
        threshold = float(settings.get("drift_threshold", constraint["drift_threshold"]))
        seen, problems = check_feature(name, [r.inputs[name] for r in fitting],
                                         baseline["features"][name], constraint, threshold)
        summaries[name], found = seen, found + problems
        drift_metric, completeness_metric = metrics.feature_metrics(endpoint, name)
        if seen["drift"] is not None:
            data.append(metrics.Datum(drift_metric, seen["drift"]))
        if seen["completeness"] is not None:
            data.append(metrics.Datum(completeness_metric, seen["completeness"]))
    if malformed:
        found.append(violation("column_count", malformed, 0,
                               f"{malformed} captured rows do not have the {len(columns)} columns "
                               f"{', '.join(columns)}"))
    records_metric, violations_metric = metrics.monitor_metrics(KIND, endpoint)
    data += [metrics.Datum(records_metric, len(fitting)), metrics.Datum(violations_metric, len(found))]
    statistics = {"version": 1, "kind": KIND, "endpoint": endpoint, "records": len(fitting),
                  "malformed": malformed, "features": summaries}
    return {"statistics.json": statistics,
            "constraint_violations.json": violations_report(KIND, endpoint, found)}, data
