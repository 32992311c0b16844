"""Running the monitoring engine's job in-process, as several test files do, with the
settings they share: one endpoint, the data-quality settings over every column of
tests/engine_data.py, a binary model-quality monitor, and bias facets on two columns."""

from __future__ import annotations

import json

from engine_data import COLUMNS

from mlops_modules.monitoring.engine import job

ENDPOINT = "fraud-prod-fraud-xgb"
SETTINGS = {"columns": COLUMNS, "features": COLUMNS, "drift_threshold": 0.1}
BINARY = {"problem_type": "BinaryClassification", "probability_attribute": "0", "metric": "auc", "min": 0.85}
FACETS = {"features": COLUMNS, "facets": [{"name": "region", "values": ["rural"]}, {"name": "age", "values": [60]}],
          "probability_attribute": "0", "alarms": {"DPPL": 0.1}}


def run_job(tmp_path, kind: str, inputs: dict, settings: dict = SETTINGS, name: str = "out", **extra) -> dict:
    """Run `job.main` on a configuration file; the documents it wrote, by file name."""
    config = {"kind": kind, "endpoint": ENDPOINT, "settings": settings, "inputs": {k: str(v) for k, v in inputs.items()},
              "output": str(tmp_path / name), "publish": False, "timestamp": "2026-11-30T10:00:00Z", **extra}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(config))
    assert job.main(["--config", str(path)]) == 0
    return {p.name: json.loads(p.read_text()) for p in (tmp_path / name).iterdir()}
