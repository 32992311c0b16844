"""What a value is, without numpy: missing, a number, a category.

Apart from `stats.py` so that the compiler can import `metrics.py` (whose
`published_metrics` the alarms are built from) on a machine without numpy: the
monitoring job's image ships numpy, the compiler does not depend on it.

A value is *missing* when it is absent, null, empty, or NaN.
"""

from __future__ import annotations

import math

MISSING_TEXT = {"", "nan", "null", "none", "na", "n/a"}


def is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value.strip().lower() in MISSING_TEXT


def as_number(value) -> float | None:
    """The value as a finite float, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def as_category(value) -> str:
    """One spelling per value: "1", 1 and 1.0 are the same category, "rural" is itself."""
    if isinstance(value, bool):
        return "true" if value else "false"
    number = as_number(value)
    if number is not None:
        return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)
    return str(value).strip()
