"""Column statistics and the drift distance, shared by the baseline and the monitor.

A *numeric* column is summarised by count, missing, mean, std (population, ddof 0), min,
max and its *bins*: the baseline's decile edges (interior quantiles, duplicates dropped)
cut the line into intervals (-inf, e1], (e1, e2], ..., (ek, +inf), and the proportion of
present values in each. A window is binned on the *baseline's* edges, so both
distributions live on the same bins. A *categorical* column is summarised by the
frequency of each value.

Drift is the Jensen-Shannon distance (base 2) between the baseline's and the window's
bin proportions (numeric) or value frequencies (categorical; a value the baseline never
saw counts as its own category). Why this distance: it is bounded in [0, 1] (so one
threshold, the spec's `drift_threshold` in [0, 1], means the same for every feature), it
is symmetric, and it stays finite when a bin is empty on one side, where the population
stability index and KL divergence become infinite. 0 is identical distributions, 1 is
disjoint ones. With few records per window it is noisy (about sqrt(bins / (8 n ln 2))
for n records and no drift), so keep windows to hundreds of records or more.

A value is *missing* when it is absent, null, empty, or NaN.
"""

from __future__ import annotations

import math

import numpy as np

try:
    from .values import MISSING_TEXT, as_category, as_number, is_missing  # noqa: F401 (this module's vocabulary)
except ImportError:  # run from the uploaded folder as `python3 job.py`
    from values import MISSING_TEXT, as_category, as_number, is_missing  # noqa: F401

BINS = 10


def quantile_edges(numbers: np.ndarray, bins: int = BINS) -> list[float]:
    if numbers.size == 0:
        return []
    edges = np.quantile(numbers, [i / bins for i in range(1, bins)])
    return sorted({float(e) for e in edges})


def bin_proportions(numbers: np.ndarray, edges: list[float]) -> list[float]:
    if numbers.size == 0:
        return []
    index = np.searchsorted(np.asarray(edges, dtype=float), numbers, side="left")
    counts = np.bincount(index, minlength=len(edges) + 1)
    return [float(c) / numbers.size for c in counts]


def numeric_summary(values: list, edges: list[float] | None = None) -> dict:
    """Statistics of a numeric column; `edges` from the baseline (None: compute them)."""
    present = [v for v in values if not is_missing(v)]
    parsed = [as_number(v) for v in present]
    numbers = np.asarray([n for n in parsed if n is not None], dtype=float)
    if edges is None:
        edges = quantile_edges(numbers)
    summary = {
        "type": "numeric", "count": len(values), "missing": len(values) - len(present),
        "non_numeric": sum(n is None for n in parsed),
        "bins": {"edges": edges, "proportions": bin_proportions(numbers, edges)},
    }
    if numbers.size:
        summary.update(mean=float(numbers.mean()), std=float(numbers.std()),
                       min=float(numbers.min()), max=float(numbers.max()))
    return summary


def categorical_summary(values: list) -> dict:
    present = [as_category(v) for v in values if not is_missing(v)]
    counts: dict[str, int] = {}
    for value in present:
        counts[value] = counts.get(value, 0) + 1
    return {
        "type": "categorical", "count": len(values), "missing": len(values) - len(present),
        "frequencies": {k: counts[k] / len(present) for k in sorted(counts)},
    }


def summarize(values: list, kind: str | None = None) -> dict:
    """A column's statistics; its kind is numeric when every present value is a number."""
    if kind is None:
        present = [v for v in values if not is_missing(v)]
        kind = "numeric" if present and all(as_number(v) is not None for v in present) else "categorical"
    return numeric_summary(values) if kind == "numeric" else categorical_summary(values)


def window_summary(values: list, baseline: dict) -> dict:
    """A window's statistics of a column, on the baseline's bins."""
    if baseline["type"] == "numeric":
        return numeric_summary(values, baseline["bins"]["edges"])
    return categorical_summary(values)


def js_distance(p: list[float], q: list[float]) -> float:
    """Jensen-Shannon distance, base 2: sqrt of the JS divergence, in [0, 1]."""
    p_arr, q_arr = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    m = (p_arr + q_arr) / 2

    def kl(a: np.ndarray) -> float:
        mask = a > 0
        return float(np.sum(a[mask] * np.log2(a[mask] / m[mask])))

    divergence = max(0.0, (kl(p_arr) + kl(q_arr)) / 2)
    return min(1.0, math.sqrt(divergence))


def drift(baseline: dict, window: dict) -> float | None:
    """The distance between a column's baseline and window; None for an empty window."""
    if baseline["type"] == "numeric":
        p, q = baseline["bins"]["proportions"], window["bins"]["proportions"]
        return js_distance(p, q) if p and q else None
    base, seen = baseline["frequencies"], window["frequencies"]
    if not base or not seen:
        return None
    categories = sorted(set(base) | set(seen))
    return js_distance([base.get(c, 0.0) for c in categories], [seen.get(c, 0.0) for c in categories])
