"""Resolution: overrides merge key by key, defaults fill in, errors point at the line
that wrote the value, and modules come in dependency order."""

from __future__ import annotations

import pytest

from mlops import registry
from mlops.loader import load
from mlops.module_api import Module
from mlops.pipeline import check
from mlops.registry import RegistryError, order

SPEC = b"""project: demo
region: eu-west-1
tags: {team: ml}
state: {bucket: demo-tfstate}
environments:
  dev: {account: "111111111111"}
  prod:
    account: "222222222222"
    region: eu-central-1
    role: deployer
    overrides:
      tags: {tier: critical}
      network: {cidr: 10.21.0.0/16, nat: true}
      data: {buckets: {raw: {object_lock_days: 90}}}
network: {cidr: 10.20.0.0/16, availability_zones: [a, c]}
data: {buckets: {raw: {}, features: {}}}
exceptions:
  - {check: CKV_AWS_338, resource: aws_cloudwatch_log_group.flow_logs, reason: short-lived sandbox account logs, expires: "2030-01-01", environments: [dev]}
"""


@pytest.fixture(scope="module")
def resolved():
    checked = check(SPEC, "mlops.yaml")
    assert not checked.errors
    return {r.env.name: r for r in checked.resolved}


def test_overrides_merge_key_by_key(resolved) -> None:
    prod, dev = resolved["prod"].spec, resolved["dev"].spec
    assert prod["network"]["cidr"] == "10.21.0.0/16" and prod["network"]["nat"] is True
    assert prod["network"]["availability_zones"] == ["a", "c"], "siblings of an override are kept"
    assert prod["data"]["buckets"]["raw"]["object_lock_days"] == 90
    assert "features" in prod["data"]["buckets"]
    assert prod["tags"] == {"team": "ml", "tier": "critical"}
    assert dev["network"]["cidr"] == "10.20.0.0/16" and dev["network"]["nat"] is False
    assert "object_lock_days" not in dev["data"]["buckets"]["raw"]


def test_defaults_are_filled(resolved) -> None:
    dev = resolved["dev"].spec
    assert dev["keys"] == {"deletion_window_days": 30, "users": [], "domains": {}}
    assert dev["network"]["flow_logs"] == {"retention_days": 365, "traffic_type": "ALL"}
    assert dev["data"]["buckets"]["raw"]["noncurrent_version_days"] == 90


def test_environment_settings(resolved) -> None:
    prod = resolved["prod"].env
    assert (prod.account, prod.region) == ("222222222222", "eu-central-1")
    assert prod.role_arn == "arn:aws:iam::222222222222:role/deployer"
    assert resolved["dev"].env.role_arn is None


def test_exceptions_apply_to_the_named_environments(resolved) -> None:
    assert [e["check"] for e in resolved["dev"].spec["exceptions"]] == ["CKV_AWS_338"]
    assert resolved["prod"].spec["exceptions"] == []


def test_origin_of_an_overridden_value(resolved) -> None:
    prod = resolved["prod"]
    assert prod.origin(("network", "cidr")) == ("environments", "prod", "overrides", "network", "cidr")
    assert prod.origin(("network", "availability_zones")) == ("network", "availability_zones")


def test_error_positions_follow_the_override() -> None:
    bad = SPEC.replace(b"cidr: 10.21.0.0/16", b"cidr: 10.21.0.0/8")
    checked = check(bad, "mlops.yaml")
    [error] = checked.errors
    assert error.path == ("environments", "prod", "overrides", "network", "cidr")
    doc = load(bad, "mlops.yaml")
    assert doc.position(error.path).line == 13


def _module(name: str, after=()) -> Module:
    return Module(name=name, schema={"type": "object", "additionalProperties": False}, build=lambda ctx: None, after=after)


def test_modules_run_after_what_they_read() -> None:
    found = {m.name: m for m in (_module("a", ("c",)), _module("b"), _module("c", ("b",)))}
    assert [m.name for m in order(found)] == ["b", "c", "a"]


def test_module_cycles_and_missing_dependencies_are_packaging_errors() -> None:
    with pytest.raises(RegistryError, match="cycle"):
        order({"a": _module("a", ("b",)), "b": _module("b", ("a",))})
    with pytest.raises(RegistryError, match="not installed"):
        order({"a": _module("a", ("zzz",))})


def test_built_in_modules_come_through_the_entry_point_group() -> None:
    names = [m.name for m in registry.modules()]
    assert sorted(names) == ["data", "governance", "keys", "models", "monitoring", "network", "repositories", "workspace"]
    for module in registry.modules():
        assert all(names.index(dep) < names.index(module.name) for dep in module.after), module.name
