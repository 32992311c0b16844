"""Properties every generated stack has, whatever the spec: the output contract of docs/architecture.md
and security baseline, checked over all golden cases and generated/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from golden import ROOT, STACKS, compile_files
from golden import STACK_IDS as IDS
from mlops.loader import load

STATEFUL = {"aws_s3_bucket", "aws_kms_key"}
# Construct-hash suffixes like _A1B2C3D4 would mean an address came from the CDK, not the spec.
HASHED = re.compile(r"_[0-9A-F]{8}$")


def _stack(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_stateful_resources_are_protected(path: Path) -> None:
    resources = _stack(path)["resource"]
    for type_ in STATEFUL & set(resources):
        for name, body in resources[type_].items():
            assert body.get("lifecycle", {}).get("prevent_destroy") is True, f"{type_}.{name}"


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_addresses_come_from_spec_names(path: Path) -> None:
    doc = _stack(path)
    for section in ("resource", "data"):
        for type_, by_name in doc.get(section, {}).items():
            for name in by_name:
                assert not HASHED.search(name), f"{type_}.{name}"


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_no_wildcard_actions_are_allowed(path: Path) -> None:
    for name, body in _stack(path).get("data", {}).get("aws_iam_policy_document", {}).items():
        for statement in body["statement"]:
            if statement["effect"] == "Allow":
                wild = [a for a in statement["actions"] if a == "*" or a.endswith(":*")]
                assert not wild, f"{name}/{statement['sid']} allows {wild}"


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_terraform_settings(path: Path) -> None:
    doc = _stack(path)
    terraform = doc["terraform"]
    assert terraform["required_providers"]["aws"] == {"source": "hashicorp/aws", "version": "6.69.1"}
    assert terraform["required_version"] == ">= 1.10.0"
    backend = terraform["backend"]["s3"]
    assert backend["encrypt"] is True and backend["use_lockfile"] is True
    assert backend["key"].endswith(f"/{path.parent.name}/terraform.tfstate")
    provider = doc["provider"]["aws"][0]
    assert len(provider["allowed_account_ids"]) == 1
    assert "//" not in doc, "CDK metadata leaked into the output"


def _reversed(value):
    """The same data with every mapping's keys in reverse order."""
    if isinstance(value, dict):
        return {k: _reversed(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed(v) for v in value]
    return value


def test_key_order_does_not_change_the_output(tmp_path: Path) -> None:
    """The bundled spec with every mapping reversed compiles to generated/ byte for byte:
    generated/ is the spec's output in its own order (test_cli and `compile --check` hold it
    to the spec), so one compile, not two, says the order changed nothing."""
    spec = ROOT / "mlops.yaml"
    shuffled = _reversed(load(spec.read_bytes(), "mlops.yaml").data)
    other = tmp_path / "mlops.yaml"
    other.write_text(json.dumps(shuffled, indent=1))  # JSON is YAML 1.2
    files = compile_files(other)
    committed = {str(p.relative_to(ROOT / "generated")): p.read_bytes() for p in (ROOT / "generated").rglob("*") if p.is_file()}
    assert sorted(files) == sorted(committed)
    for rel, content in files.items():
        assert content == committed[rel], rel


@pytest.mark.slow  # a worker process, with its own Node, per environment
def test_parallel_synthesis_gives_the_same_bytes(monkeypatch) -> None:
    """Large specs synthesize their environments in worker processes; the bytes must not change."""
    import mlops.cdk

    monkeypatch.setattr(mlops.cdk, "PARALLEL_FROM", 0)
    files = compile_files(ROOT / "mlops.yaml")
    for rel, content in files.items():
        assert content == (ROOT / "generated" / rel).read_bytes(), rel
