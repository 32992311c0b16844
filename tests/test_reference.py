"""docs/spec-reference.md is what `mlops schema --reference` writes from the bundled
schema today, and it names every key a spec can hold."""

from __future__ import annotations

from conftest import ROOT
from mlops import registry
from mlops.loader import load
from mlops.reference import render
from mlops.schema import assemble

SCHEMA = assemble(registry.modules())


def test_the_committed_reference_is_current(update_golden: bool):
    text = render(SCHEMA)
    committed = ROOT / "docs" / "spec-reference.md"
    if update_golden:
        committed.write_text(text)
    assert committed.read_text() == text, "docs/spec-reference.md is stale: run mlops schema --reference -o docs/spec-reference.md"


def test_every_section_and_every_key_of_the_bundled_spec_is_in_it():
    text = render(SCHEMA)
    spec = load((ROOT / "mlops.yaml").read_bytes(), "mlops.yaml").data
    for section in SCHEMA["properties"]:
        assert f"- `{section}`" in text, section
    assert "- `models.<name>.training.instance_type`" in text
    assert "- `data.buckets.<name>.object_lock_days`" in text
    for key in spec["models"]["fraud-xgb"]["training"]:
        assert f"- `models.<name>.training.{key}`" in text, key
