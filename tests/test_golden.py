"""Every module's golden cases: `modules/<module>/cases/<case>/mlops.yaml` compiles to
exactly the files under `expected/`. Drop a new folder in and it is picked up."""

from __future__ import annotations

from pathlib import Path

import pytest

from golden import CASE_SPECS as CASES
from golden import ROOT, compare_or_update, compile_files

MODULES = ROOT / "modules"


def test_every_module_has_cases() -> None:
    for module in sorted(p for p in MODULES.iterdir() if (p / "schema.json").is_file()):
        assert list(module.glob("cases/*/mlops.yaml")), f"module {module.name} has no golden case"


@pytest.mark.parametrize("spec", CASES, ids=[f"{p.parts[-4]}/{p.parts[-2]}" for p in CASES])
def test_case(spec: Path, update_golden: bool) -> None:
    compare_or_update(compile_files(spec), spec.parent / "expected", update_golden)
