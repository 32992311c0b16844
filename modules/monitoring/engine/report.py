"""The violations report every monitor writes (`constraint_violations.json`).

Format version 1:
    {"version": 1, "monitor": "data_quality" | "model_quality" | "bias",
     "endpoint": name, "violations": [violation, ...]}
A violation says what broke, where, by how much:
    {"check": "drift" | "completeness" | "data_type" | "column_count" | "min" | "max"
              | "max_abs" | "empty_facet",
     "feature": name | "metric": name | "facet": label (whichever applies),
     "value": observed, "threshold": allowed, "description": one sentence}
sorted by (check, feature/metric/facet) so the same window gives the same bytes.
"""

from __future__ import annotations

VERSION = 1
SUBJECTS = ("feature", "metric", "facet")


def violation(check: str, value, threshold, description: str, **subject) -> dict:
    item = {"check": check, "value": value, "threshold": threshold, "description": description}
    item.update({k: v for k, v in subject.items() if k in SUBJECTS})
    return item


def violations_report(kind: str, endpoint: str, violations: list[dict]) -> dict:
    ordered = sorted(violations, key=lambda v: (v["check"], tuple(str(v.get(s, "")) for s in SUBJECTS)))
    return {"version": VERSION, "monitor": kind, "endpoint": endpoint, "violations": ordered}
