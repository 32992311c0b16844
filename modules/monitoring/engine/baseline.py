"""The data-quality baseline: statistics and default constraints of the training data.

Input: a CSV file, or a folder of `*.csv` files, either without a header (the layout
SageMaker's built-in algorithms train on: the label first when `label_first`, then the
endpoint's input columns in order) or with one (`header`: columns are found by name).
Column names come from configuration (`columns`, else `features`), never from positions.
Settings: `columns` (the endpoint's input columns, in order), `features` (those to keep;
default all), `header` (default false), `label_first` (default true; ignored with a
header), `types` ({column: "numeric" | "categorical"}, for numeric-looking categories
such as codes; default: numeric when every present value is a number),
`drift_threshold` and `completeness_tolerance` (below).

`statistics.json` (format version 1):
    {"version": 1, "kind": "baseline", "records": N,
     "features": {name: <stats.summarize(...)>}}
`constraints.json` (format version 1):
    {"version": 1, "features": {name: {"type": "numeric" | "categorical",
     "min_completeness": c, "drift_threshold": t}}}
`min_completeness` is the baseline's own completeness (share of present values) less
`completeness_tolerance` (default 0.01): sampling never fails it, a broken feed does.
`drift_threshold` is the configured one (default 0.1), in the units of `stats.drift`.
"""

from __future__ import annotations

import csv
import pathlib

try:
    from . import stats
    from .capture import InputError
except ImportError:  # run from the uploaded folder as `python3 job.py`
    import stats
    from capture import InputError

VERSION = 1


def csv_files(path) -> list[pathlib.Path]:
    root = pathlib.Path(path)
    if root.is_file():
        return [root]
    files = sorted(p for p in root.rglob("*.csv") if p.is_file()) if root.is_dir() else []
    if not files:
        raise InputError(f"{root}: no CSV files")
    return files


def read_columns(path, columns: list[str], *, header: bool = False, label_first: bool = True) -> dict[str, list]:
    """The dataset's values by column name, for the named columns only."""
    values: dict[str, list] = {name: [] for name in columns}
    for file in csv_files(path):
        with file.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            names = (["__label__"] if label_first else []) + list(columns)
            for number, row in enumerate(reader, 1):
                if header and number == 1:
                    names = [n.strip() for n in row]
                    missing = [c for c in columns if c not in names]
                    if missing:
                        raise InputError(f"{file}:1: header has no column {', '.join(missing)}")
                    continue
                if not row:
                    continue
                if len(row) != len(names):
                    raise InputError(f"{file}:{number}: {len(row)} columns, expected {len(names)} "
                                     f"({'label, ' if label_first and not header else ''}{', '.join(columns)})")
                named = dict(zip(names, row))
                for name in columns:
                    values[name].append(named[name])
    return values


def compute(values: dict[str, list], features: list[str], *, types: dict | None = None,
            drift_threshold: float = 0.1, completeness_tolerance: float = 0.01) -> tuple[dict, dict]:
    """(statistics, constraints) of the named features."""
    types = types or {}
    summaries = {name: stats.summarize(values[name], types.get(name)) for name in features}
    records = len(next(iter(values.values()), []))
    statistics = {"version": VERSION, "kind": "baseline", "records": records, "features": summaries}
    constraints = {"version": VERSION, "features": {}}
    for name, summary in summaries.items():
        present = summary["count"] - summary["missing"]
        completeness = present / summary["count"] if summary["count"] else 0.0
        constraints["features"][name] = {
            "type": summary["type"],
            "min_completeness": round(max(0.0, completeness - completeness_tolerance), 6),
            "drift_threshold": drift_threshold,
        }
    return statistics, constraints


def run(config: dict, dataset) -> dict[str, dict]:
    """The files a baseline run writes, by name."""
    settings = config.get("settings", {})
    columns = settings.get("columns") or settings.get("features") or []
    features = settings.get("features") or columns
    if not columns:
        raise InputError("configuration: settings.features (or settings.columns) names no column")
    unknown = [f for f in features if f not in columns]
    if unknown:
        raise InputError(f"configuration: settings.features {unknown} are not in settings.columns")
    values = read_columns(dataset, columns, header=bool(settings.get("header", False)),
                          label_first=bool(settings.get("label_first", True)))
    statistics, constraints = compute(
        values, features, types=settings.get("types"),
        drift_threshold=float(settings.get("drift_threshold", 0.1)),
        completeness_tolerance=float(settings.get("completeness_tolerance", 0.01)))
    return {"statistics.json": statistics, "constraints.json": constraints}
