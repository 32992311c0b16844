"""The monitoring engine's baseline and data-quality monitor, run through its entry point
on synthetic data (tests/engine_data.py): statistics, violations and the metric data."""

from __future__ import annotations

import json

import pytest
from engine_data import COLUMNS, capture, rows, training_csv, write_jsonl, event
from engine_job import ENDPOINT, SETTINGS, run_job

from mlops_modules.monitoring.engine import baseline, job, stats


@pytest.fixture(scope="module")
def baseline_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("baseline")
    run_job(folder, "baseline", {"dataset": training_csv(folder / "train.csv")}, name="baseline")
    return folder / "baseline"


def test_baseline_statistics_and_constraints(baseline_dir):
    statistics = json.loads((baseline_dir / "statistics.json").read_text())
    constraints = json.loads((baseline_dir / "constraints.json").read_text())
    assert statistics["version"] == 1 and statistics["records"] == 4000
    amount, region, age = (statistics["features"][c] for c in COLUMNS)
    assert (amount["type"], region["type"], age["type"]) == ("numeric", "categorical", "numeric")
    # log-normal(3, 0.6): mean exp(3 + 0.18) = 24.0
    assert amount["mean"] == pytest.approx(24.0, rel=0.05)
    assert len(amount["bins"]["edges"]) == 9 and sum(amount["bins"]["proportions"]) == pytest.approx(1.0)
    assert all(p == pytest.approx(0.1, abs=0.01) for p in amount["bins"]["proportions"])
    assert region["frequencies"] == pytest.approx({"rural": 0.2, "suburban": 0.3, "urban": 0.5}, abs=0.03)
    assert constraints == {"version": 1, "features": {
        "age": {"type": "numeric", "min_completeness": 0.99, "drift_threshold": 0.1},
        "amount": {"type": "numeric", "min_completeness": 0.99, "drift_threshold": 0.1},
        "region": {"type": "categorical", "min_completeness": 0.99, "drift_threshold": 0.1}}}


def test_a_header_names_the_columns(tmp_path, baseline_dir):
    out = run_job(tmp_path, "baseline", {"dataset": training_csv(tmp_path / "h.csv", header=True)},
                  {**SETTINGS, "header": True, "columns": ["age", "amount", "region"]})
    assert out["statistics.json"]["features"] == json.loads((baseline_dir / "statistics.json").read_text())["features"]


def test_a_dataset_row_with_other_columns_is_broken_input(tmp_path, capsys):
    (tmp_path / "d.csv").write_text("0,1.5,urban,40\n1,2.5,rural\n")
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"kind": "baseline", "settings": SETTINGS, "inputs": {"dataset": "d.csv"}, "output": "o"}))
    assert job.main(["--config", str(config)]) == 1
    assert f"{tmp_path / 'd.csv'}:2: 3 columns, expected 4 (label, amount, region, age)" in capsys.readouterr().err


def test_traffic_like_the_training_data_has_no_violations(tmp_path, baseline_dir):
    out = run_job(tmp_path, "data_quality", {"baseline": baseline_dir, "capture": capture(tmp_path / "c", rows(1500, 7))})
    assert out["constraint_violations.json"] == {"version": 1, "monitor": "data_quality", "endpoint": ENDPOINT,
                                                 "violations": []}
    features = out["statistics.json"]["features"]
    assert out["statistics.json"]["records"] == 1500
    assert all(features[c]["drift"] < 0.06 and features[c]["completeness"] == 1.0 for c in COLUMNS)


def test_drift_in_one_feature_violates_for_that_feature_only(tmp_path, baseline_dir):
    out = run_job(tmp_path, "data_quality",
                  {"baseline": baseline_dir, "capture": capture(tmp_path / "c", rows(1500, 7, amount_scale=1.6))})
    [violation] = out["constraint_violations.json"]["violations"]
    assert (violation["check"], violation["feature"], violation["threshold"]) == ("drift", "amount", 0.1)
    drift = {d["Dimensions"][1]["Value"]: d["Value"] for r in out["metrics.json"]["requests"] for d in r["MetricData"]
             if d["MetricName"] == "feature_drift"}
    assert drift["amount"] > 0.3 and drift["amount"] == violation["value"]
    assert drift["region"] < 0.06 and drift["age"] < 0.06


def test_missing_values_break_completeness(tmp_path, baseline_dir):
    out = run_job(tmp_path, "data_quality",
                  {"baseline": baseline_dir, "capture": capture(tmp_path / "c", rows(1500, 7, missing_region=0.2))})
    [violation] = out["constraint_violations.json"]["violations"]
    assert (violation["check"], violation["feature"], violation["threshold"]) == ("completeness", "region", 0.99)
    assert violation["value"] == pytest.approx(0.8, abs=0.03)


@pytest.mark.parametrize("encoding", ["BASE64", "JSON"])
def test_base64_and_json_captures_read_like_csv(tmp_path, baseline_dir, encoding):
    traffic = rows(300, 3)
    csv_out = run_job(tmp_path, "data_quality", {"baseline": baseline_dir, "capture": capture(tmp_path / "a", traffic)},
                      name="csv")
    other = run_job(tmp_path, "data_quality",
                    {"baseline": baseline_dir, "capture": capture(tmp_path / "b", traffic, encoding=encoding)}, name="other")
    assert other["statistics.json"] == csv_out["statistics.json"]
    assert other["statistics.json"]["records"] == 300


def test_text_in_a_numeric_feature_and_short_rows_are_violations(tmp_path, baseline_dir):
    traffic = rows(400, 5)
    for row in traffic[:40]:
        row[2] = "unknown"
    events = [event(f"e-{i}", row, "0.5") for i, row in enumerate(traffic)]
    events.append({"captureData": {"endpointInput": {"observedContentType": "text/csv", "mode": "INPUT",
                                                     "data": "12.5,urban", "encoding": "CSV"}},
                   "eventMetadata": {"eventId": "short"}, "eventVersion": "0"})
    write_jsonl(tmp_path / "c" / "x.jsonl", events)
    out = run_job(tmp_path, "data_quality", {"baseline": baseline_dir, "capture": tmp_path / "c"})
    found = {(v["check"], v.get("feature")): v["value"] for v in out["constraint_violations.json"]["violations"]}
    assert found == {("data_type", "age"): 0.1, ("column_count", None): 1}
    assert out["statistics.json"]["records"] == 400


def test_a_broken_capture_line_is_broken_input_named_by_file_and_line(tmp_path, baseline_dir, capsys):
    folder = capture(tmp_path / "c", rows(10, 1))
    broken = folder / "AllTraffic/2026/11/30/10/capture-b.jsonl"
    broken.write_text(broken.read_text() + "{not json\n")
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"kind": "data_quality", "endpoint": ENDPOINT, "settings": SETTINGS,
                                  "inputs": {"baseline": str(baseline_dir), "capture": str(folder)}, "output": "o"}))
    assert job.main(["--config", str(config), "--no-publish"]) == 1
    assert f"monitoring job: {broken}:6: not JSON" in capsys.readouterr().err


def test_the_baseline_must_know_every_monitored_feature(tmp_path, baseline_dir, capsys):
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"kind": "data_quality", "endpoint": ENDPOINT,
                                  "settings": {"columns": COLUMNS + ["merchant"], "features": ["merchant"]},
                                  "inputs": {"baseline": str(baseline_dir), "capture": str(tmp_path)}, "output": "o"}))
    assert job.main(["--config", str(config), "--no-publish"]) == 1
    assert "the baseline has no feature merchant" in capsys.readouterr().err


@pytest.mark.parametrize("window, expected", [
    ({"hours": 1}, 10),  # the hour before the run's timestamp, 10:00
    ({"start": "2026-11-30T10:00:00+01:00", "end": "2026-11-30T11:00:00Z"}, 20),  # 09:00Z to 11:00Z
    ({}, 30),
])
def test_a_window_reads_only_the_events_of_its_hours(tmp_path, baseline_dir, window, expected):
    # 10 events each at 08:30, 09:30 and 10:30, nanosecond fractions as some clients write them
    events = [event(f"e-{i}", row, "0.5", time=f"2026-11-30T{8 + i % 3:02d}:30:00.123456789Z")
              for i, row in enumerate(rows(30, 2))]
    write_jsonl(tmp_path / "c" / "x.jsonl", events)
    out = run_job(tmp_path, "data_quality", {"baseline": baseline_dir, "capture": tmp_path / "c"}, window=window)
    assert out["statistics.json"]["records"] == expected


def test_a_window_without_traffic_is_no_violation_and_publishes_only_counts(tmp_path, baseline_dir):
    (tmp_path / "empty").mkdir()
    out = run_job(tmp_path, "data_quality", {"baseline": baseline_dir, "capture": tmp_path / "empty"})
    assert out["constraint_violations.json"]["violations"] == []
    published = {(d["MetricName"], d["Value"]) for r in out["metrics.json"]["requests"] for d in r["MetricData"]}
    assert published == {("records", 0.0), ("violations", 0.0)}


def test_same_inputs_same_bytes(tmp_path, baseline_dir):
    folder = capture(tmp_path / "c", rows(200, 9, amount_scale=1.3))
    first = run_job(tmp_path, "data_quality", {"baseline": baseline_dir, "capture": folder}, name="one")
    second = run_job(tmp_path, "data_quality", {"baseline": baseline_dir, "capture": folder}, name="two")
    assert first == second
    assert all((tmp_path / "one" / n).read_bytes() == (tmp_path / "two" / n).read_bytes() for n in first)


def test_js_distance_bounds():
    assert stats.js_distance([0.5, 0.5], [0.5, 0.5]) == 0.0
    assert stats.js_distance([1.0, 0.0], [0.0, 1.0]) == 1.0  # disjoint: the maximum, finite
    # [1, 0] against [0.5, 0.5]: JSD = 1.5 - 0.75 * log2(3) bits
    assert stats.js_distance([1.0, 0.0], [0.5, 0.5]) == pytest.approx((1.5 - 0.75 * 1.584962500721156) ** 0.5)


def test_bins_are_closed_on_the_right():
    assert stats.bin_proportions(stats.np.asarray([1.0, 2.0, 2.5, 3.0, 9.0]), [2.0, 3.0]) == [0.4, 0.4, 0.2]
    assert baseline.compute({"x": ["1", "", "3"]}, ["x"])[1]["features"]["x"]["min_completeness"] == round(2 / 3 - 0.01, 6)


def test_the_capture_example_of_awss_documentation_and_multi_record_requests(tmp_path):
    """The line AWS's data capture page shows (features shortened), a request of two CSV
    rows answered by two rows, and one answered by JSON predictions."""
    from mlops_modules.monitoring.engine import capture as reader

    documented = ('{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT",'
                  '"data":"69,0,153.7\\n","encoding":"CSV"},"endpointOutput":{"observedContentType":'
                  '"text/csv; charset=utf-8","mode":"OUTPUT","data":"0.0254181120544672","encoding":"CSV"}},'
                  '"eventMetadata":{"eventId":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",'
                  '"inferenceTime":"2022-02-14T17:25:49Z"},"eventVersion":"0"}')
    two_rows = event("two", None, "0.1\n0.9")
    two_rows["captureData"]["endpointInput"] = {"observedContentType": "text/csv", "mode": "INPUT",
                                                "data": "1,2,3\n4,5,6", "encoding": "CSV"}
    as_json = event("json", None, None)
    as_json["captureData"] = {
        "endpointInput": {"observedContentType": "application/json", "mode": "INPUT", "encoding": "JSON",
                          "data": '{"instances": [{"features": [7, 8, 9]}, {"features": [1, 1, 1]}]}'},
        "endpointOutput": {"observedContentType": "application/json", "mode": "OUTPUT", "encoding": "JSON",
                           "data": '{"predictions": [0.3, 0.7]}'}}
    (tmp_path / "c.jsonl").write_text(documented + "\n" + json.dumps(two_rows) + "\n" + json.dumps(as_json) + "\n")
    found = [(r.key, r.inputs, r.output) for r in reader.records(reader.read_capture(tmp_path), ["a", "b", "c"])]
    assert found == [
        ("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", {"a": "69", "b": "0", "c": "153.7"}, ["0.0254181120544672"]),
        ("two", {"a": "1", "b": "2", "c": "3"}, ["0.1"]), ("two", {"a": "4", "b": "5", "c": "6"}, ["0.9"]),
        ("json", {"a": 7, "b": 8, "c": 9}, [0.3]), ("json", {"a": 1, "b": 1, "c": 1}, [0.7]),
    ]


def test_types_make_numeric_looking_codes_categories():
    values = {"zip": ["75001", "75002", "75001", "69001"]}
    assert baseline.compute(values, ["zip"])[0]["features"]["zip"]["type"] == "numeric"
    statistics, constraints = baseline.compute(values, ["zip"], types={"zip": "categorical"})
    assert statistics["features"]["zip"]["frequencies"] == {"69001": 0.25, "75001": 0.5, "75002": 0.25}
    assert constraints["features"]["zip"]["type"] == "categorical"
