"""The monitoring engine's model-quality and bias monitors on synthetic predictions and
ground truth, and their metric definitions on the worked examples of AWS's documentation."""

from __future__ import annotations

import numpy as np
import pytest
from engine_data import TRAFFIC, capture, event, ground_truth, rows, scored, write_jsonl
from engine_job import BINARY, FACETS, run_job

from mlops_modules.monitoring.engine import bias, model_quality


def quality_run(tmp_path, settings: dict, labels: list, outputs: list[str]) -> dict:
    inputs = {"capture": capture(tmp_path / "c", rows(len(outputs), 2), outputs),
              "ground_truth": ground_truth(tmp_path / "gt", labels).parent}
    return run_job(tmp_path, "model_quality", inputs, settings)


def test_good_predictions_pass_the_quality_gate(tmp_path):
    labels, outputs = scored(2000, 11, good=True)
    out = quality_run(tmp_path, BINARY, labels, outputs)
    assert out["constraint_violations.json"]["violations"] == []
    assert out["statistics.json"]["records"] == 2000
    assert out["statistics.json"]["metrics"]["auc"] > 0.95
    names = {d["MetricName"] for r in out["metrics.json"]["requests"] for d in r["MetricData"]}
    assert names == {"model_quality_accuracy", "model_quality_auc", "model_quality_f1", "model_quality_precision",
                     "model_quality_recall", "records", "violations"}


def test_bad_predictions_violate_the_minimum(tmp_path):
    labels, outputs = scored(2000, 11, good=False)
    out = quality_run(tmp_path, BINARY, labels, outputs)
    [violation] = out["constraint_violations.json"]["violations"]
    assert (violation["check"], violation["metric"], violation["threshold"]) == ("min", "auc", 0.85)
    assert violation["value"] == pytest.approx(0.5, abs=0.05)


def test_ground_truth_joins_by_inference_id_and_unlabelled_events_are_left_out(tmp_path):
    events = [event(f"e-{i}", [10.0, "urban", 30], out, inference_id=f"req-{i}")
              for i, out in enumerate(["0.9", "0.8", "0.2", "0.1"])]
    write_jsonl(tmp_path / "c" / "x.jsonl", events)
    labels = [{"groundTruthData": {"data": label, "encoding": "CSV"}, "eventMetadata": {"eventId": f"req-{i}"},
               "eventVersion": "0"} for i, label in enumerate(["1", "0", "0"])]
    write_jsonl(tmp_path / "gt" / "y.jsonl", labels)
    out = run_job(tmp_path, "model_quality", {"capture": tmp_path / "c", "ground_truth": tmp_path / "gt"},
                  {**BINARY, "probability_threshold": 0.5, "max": None})
    statistics = out["statistics.json"]
    assert (statistics["captured"], statistics["labelled"], statistics["records"]) == (4, 3, 3)
    assert statistics["metrics"]["confusion"] == {"tp": 1, "fp": 1, "fn": 0, "tn": 1}
    assert statistics["metrics"]["auc"] == 1.0


def test_binary_metrics_by_hand():
    truth = np.asarray([1, 1, 0, 0, 1], dtype=bool)
    predicted = np.asarray([1, 0, 1, 0, 1], dtype=bool)
    result = model_quality.binary(truth, predicted, None)
    assert (result["accuracy"], result["precision"], result["recall"], result["f1"]) == (0.6, 2 / 3, 2 / 3, 2 / 3)
    # ties count one half: positives 0.9, 0.3 against negatives 0.9, 0.1 win 0.5 + 1 + 0 + 1 of 4 pairs
    assert model_quality.auc(np.asarray([1, 0, 1, 0], dtype=bool), np.asarray([0.9, 0.9, 0.3, 0.1])) == 0.625
    assert model_quality.auc(np.asarray([1, 1], dtype=bool), np.asarray([0.9, 0.1])) is None


def test_regression_and_multiclass_metrics_by_hand():
    result = model_quality.regression(np.asarray([1.0, 2.0, 3.0]), np.asarray([1.0, 2.0, 5.0]))
    assert result == pytest.approx({"mae": 2 / 3, "mse": 4 / 3, "rmse": (4 / 3) ** 0.5, "r2": -1.0})
    # per-class F1: a 2/3 (weight 1/2), b 2/3 (1/4), c 1 (1/4)
    result = model_quality.multiclass(["a", "a", "b", "c"], ["a", "b", "b", "c"])
    assert result == pytest.approx({"accuracy": 0.75, "weighted_f1": 0.75})


def test_a_metric_the_problem_type_does_not_compute_is_a_configuration_error(tmp_path, capsys):
    labels, outputs = scored(10, 1, good=True)
    config = {"problem_type": "Regression", "metric": "auc", "min": 0.8}
    with pytest.raises(AssertionError):
        quality_run(tmp_path, config, labels, outputs)
    assert "Regression has no metric auc (it computes mae, mse, r2, rmse)" in capsys.readouterr().err


def _groups(a: dict, d: dict) -> tuple[np.ndarray, ...]:
    """(group, predicted, truth) arrays with these confusion counts in facet a and facet d."""
    group, predicted, truth = [], [], []
    for in_d, counts in ((False, a), (True, d)):
        for name, (p, t) in {"TP": (1, 1), "FP": (1, 0), "FN": (0, 1), "TN": (0, 0)}.items():
            group += [in_d] * counts.get(name, 0)
            predicted += [p] * counts.get(name, 0)
            truth += [t] * counts.get(name, 0)
    return tuple(np.asarray(x, dtype=bool) for x in (group, predicted, truth))


@pytest.mark.parametrize("metric, a, d, expected", [
    # clarify-post-training-bias-metric-rd: recall 65/70 against 20/27
    ("RD", {"TN": 20, "FN": 5, "FP": 10, "TP": 65}, {"TN": 18, "FN": 7, "FP": 5, "TP": 20}, 65 / 70 - 20 / 27),
    # clarify-post-training-bias-metric-ad: accuracy 0.7 against 0.5
    ("AD", {"TP": 60, "TN": 10, "FP": 10, "FN": 20}, {"TP": 40, "TN": 10, "FP": 10, "FN": 40}, 0.2),
    # clarify-post-training-bias-metric-dar: 35 of 70 acceptances right against 40 of 100
    ("DAR", {"TP": 35, "FP": 35}, {"TP": 40, "FP": 60}, 0.1),
    # clarify-post-training-bias-metric-te: 6/8 against 2/5
    ("TE", {"FN": 8, "FP": 6, "TP": 43, "TN": 43}, {"FN": 5, "FP": 2, "TP": 20, "TN": 23}, 0.35),
    # clarify-post-training-bias-metric-dppl and -di: 60% of a, 50% of d predicted positive
    ("DPPL", {"TP": 60, "TN": 40}, {"TP": 25, "TN": 25}, 0.1),
    ("DI", {"TP": 60, "TN": 40}, {"TP": 25, "TN": 25}, 0.5 / 0.6),
    # clarify-post-training-bias-metric-dca, example 1: 70/60 - 20/30
    ("DCA", {"TP": 60, "FN": 10, "TN": 30}, {"TP": 20, "FP": 10, "TN": 20}, 0.5),
    # clarify-post-training-bias-metric-drr: 40/50 - 80/100
    ("DRR", {"TN": 80, "FN": 20}, {"TN": 40, "FN": 10}, 0.0),
    ("DRR", {"TN": 80, "FN": 20}, {"TN": 30, "FN": 20}, 0.6 - 0.8),
    # clarify-post-training-bias-metric-dcr, example 1: rd - ra = 40/30 - 50/60
    ("DCR", {"TN": 50, "FN": 10, "TP": 40}, {"TN": 30, "FP": 10, "TP": 10}, 0.5),
])
def test_bias_metrics_match_the_clarify_documentation(metric, a, d, expected):
    group, predicted, truth = _groups(a, d)
    assert bias.post_training(group, predicted, truth)[metric] == pytest.approx(expected)


def _bias_run(tmp_path, outputs: list[str], settings: dict, labels: list | None = None) -> dict:
    inputs = {"capture": capture(tmp_path / "c", TRAFFIC, outputs)}
    if labels is not None:
        inputs["ground_truth"] = ground_truth(tmp_path / "gt", labels).parent
    return run_job(tmp_path, "bias", inputs, settings)


def test_a_biased_facet_violates_dppl_and_an_unbiased_one_does_not(tmp_path):
    rng = np.random.default_rng(5)
    # the model approves rural applicants far less often; age plays no part
    outputs = [f"{rng.random() * (0.5 if row[1] == 'rural' else 1.0):.4f}" for row in TRAFFIC]
    out = _bias_run(tmp_path, outputs, FACETS)
    [violation] = out["constraint_violations.json"]["violations"]
    assert (violation["check"], violation["facet"], violation["metric"]) == ("max_abs", "region=rural", "DPPL")
    assert violation["value"] == pytest.approx(0.5, abs=0.06)  # about 1/2 of a approved, none of d
    facets = out["statistics.json"]["facets"]
    assert abs(facets["age>60"]["metrics"]["DPPL"]) < 0.1
    assert facets["region=rural"]["group"] + facets["region=rural"]["others"] == 2000


def test_with_ground_truth_the_labelled_metrics_are_published(tmp_path):
    rng = np.random.default_rng(6)
    outputs = [f"{rng.random():.4f}" for _ in TRAFFIC]
    labels = [int(float(o) > 0.5) if i % 2 else int(rng.random() < 0.5) for i, o in enumerate(outputs)]
    out = _bias_run(tmp_path, outputs, {**FACETS, "label": "is_fraud", "alarms": {"DPPL": 0.1, "RD": 0.2}}, labels)
    assert out["constraint_violations.json"]["violations"] == []
    published = {(d["MetricName"], d["Dimensions"][1]["Value"]) for r in out["metrics.json"]["requests"]
                 for d in r["MetricData"] if d["MetricName"].startswith("bias_")}
    assert published == {(f"bias_{m}", f) for m in ("AD", "DAR", "DCA", "DCR", "DI", "DPPL", "DRR", "RD", "TE")
                         for f in ("region=rural", "age>60")}
    assert out["statistics.json"]["labelled"] == 2000


def test_a_facet_value_nobody_has_is_reported(tmp_path):
    out = _bias_run(tmp_path, ["0.7"] * len(TRAFFIC), {**FACETS, "facets": [{"name": "region", "values": ["rurl"]}]})
    [violation] = out["constraint_violations.json"]["violations"]
    assert (violation["check"], violation["facet"]) == ("empty_facet", "region=rurl")
    assert out["statistics.json"]["facets"]["region=rurl"]["metrics"]["DPPL"] is None


@pytest.mark.parametrize("facets, message", [
    ([{"name": "region", "values": ["rural", "urban"]}], "each of settings.facets is"),
    ([{"name": "country", "values": ["fr"]}], "must name columns of settings.features ['amount', 'region', 'age'], not country"),
])
def test_a_facet_that_cannot_be_measured_is_a_configuration_error(tmp_path, capsys, facets, message):
    with pytest.raises(AssertionError):
        _bias_run(tmp_path, ["0.7"] * len(TRAFFIC), {**FACETS, "facets": facets})
    assert message in capsys.readouterr().err
