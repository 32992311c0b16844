"""Load tools/checkov_gate.py (a standalone script) for the tests, and find checkov
the way the gate does: missing checkov fails in CI and only skips on a developer machine."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "checkov_gate.py"

_spec = importlib.util.spec_from_file_location("checkov_gate", SCRIPT)
gate = importlib.util.module_from_spec(_spec)
sys.modules["checkov_gate"] = gate
_spec.loader.exec_module(gate)


def real_checkov() -> str:
    try:
        return gate.find_checkov(None, dict(os.environ))
    except gate.UsageError as err:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {err}")
        pytest.skip(str(err))
