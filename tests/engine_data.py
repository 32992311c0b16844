"""Synthetic data for the monitoring engine's tests, generated with fixed seeds.

A card-payment model with three input columns: `amount` (numeric, log-normal), `region`
(categorical: urban, suburban, rural) and `age` (numeric, integers). The training CSV
has no header and the label first, the layout SageMaker's built-in algorithms train on;
capture files follow SageMaker's data capture format, ground truth Model Monitor's.
"""

from __future__ import annotations

import base64
import json
import pathlib

import numpy as np

COLUMNS = ["amount", "region", "age"]
REGIONS = ["urban", "suburban", "rural"]


def rows(n: int, seed: int, *, amount_scale: float = 1.0, missing_region: float = 0.0) -> list[list]:
    """n input rows; `amount_scale` moves amount's distribution (drift)."""
    rng = np.random.default_rng(seed)
    amount = np.round(rng.lognormal(3.0, 0.6, n) * amount_scale, 2)
    region = rng.choice(REGIONS, n, p=[0.5, 0.3, 0.2])
    age = rng.integers(18, 80, n)
    missing = rng.random(n) < missing_region
    return [[float(a), "" if m else str(r), int(g)] for a, r, g, m in zip(amount, region, age, missing)]


# 2,000 requests, the traffic the bias monitor's tests score.
TRAFFIC = rows(2000, 21)


def training_csv(path: pathlib.Path, n: int = 4000, seed: int = 1, header: bool = False) -> pathlib.Path:
    rng = np.random.default_rng(seed + 1000)
    lines = ["label," + ",".join(COLUMNS)] if header else []
    for row in rows(n, seed):
        lines.append(",".join([str(int(rng.random() < 0.1))] + [str(v) for v in row]))
    path.write_text("\n".join(lines) + "\n")
    return path


def _payload(text: str, encoding: str, content_type: str, mode: str) -> dict:
    data = base64.b64encode(text.encode()).decode() if encoding == "BASE64" else text
    return {"observedContentType": content_type, "mode": mode, "data": data, "encoding": encoding}


def event(event_id: str, row: list | None, output: str | None, *, encoding: str = "CSV",
          inference_id: str | None = None, time: str = "2026-11-30T10:00:00Z") -> dict:
    """One capture line: a CSV request (or a JSON object of named values when `encoding`
    is JSON) and a CSV response; BASE64 encodes the CSV text."""
    capture = {}
    if row is not None:
        if encoding == "JSON":
            capture["endpointInput"] = _payload(json.dumps(dict(zip(COLUMNS, row))), "JSON", "application/json", "INPUT")
        else:
            capture["endpointInput"] = _payload(",".join(str(v) for v in row), encoding, "text/csv", "INPUT")
    if output is not None:
        capture["endpointOutput"] = _payload(output, "CSV", "text/csv; charset=utf-8", "OUTPUT")
    meta = {"eventId": event_id, "inferenceTime": time}
    if inference_id:
        meta["inferenceId"] = inference_id
    return {"captureData": capture, "eventMetadata": meta, "eventVersion": "0"}


def write_jsonl(path: pathlib.Path, records: list[dict]) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def capture(folder: pathlib.Path, input_rows: list[list], outputs: list[str] | None = None, *,
            encoding: str = "CSV") -> pathlib.Path:
    """Capture files as SageMaker shards them (by hour), half the events in each."""
    outputs = outputs or ["0.5"] * len(input_rows)
    events = [event(f"e-{i:05d}", row, out, encoding=encoding) for i, (row, out) in enumerate(zip(input_rows, outputs))]
    half = len(events) // 2
    write_jsonl(folder / "AllTraffic/2026/11/30/09/capture-a.jsonl", events[:half])
    write_jsonl(folder / "AllTraffic/2026/11/30/10/capture-b.jsonl", events[half:])
    return folder


def ground_truth(folder: pathlib.Path, labels: list) -> pathlib.Path:
    records = [{"groundTruthData": {"data": str(label), "encoding": "CSV"}, "eventMetadata": {"eventId": f"e-{i:05d}"},
                "eventVersion": "0"} for i, label in enumerate(labels)]
    return write_jsonl(folder / "2026/11/30/10/labels.jsonl", records)


def scored(n: int, seed: int, *, good: bool) -> tuple[list[int], list[str]]:
    """(labels, probabilities as CSV outputs): a good model ranks positives higher."""
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.3).astype(int)
    noise = rng.random(n)
    probability = 0.6 * labels + 0.4 * noise if good else noise
    return [int(v) for v in labels], [f"{p:.4f}" for p in probability]
