"""Resolution: overrides merge key by key, defaults fill in, errors point at the line
that wrote the value, and modules come in dependency order."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mlops import registry
from mlops.loader import load
from mlops.module_api import Environment, Module, Resource, Stack, tf_name
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


ADDITION = b"""
    additions:
      data:
        buckets: {scratch: {infrequent_access_days: 30}}
        datasets: {tmp: {bucket: scratch, prefix: tmp/}}
"""


def test_an_addition_exists_in_its_environment_only() -> None:
    checked = check(SPEC.replace(b"    role: deployer\n", b"    role: deployer" + ADDITION), "mlops.yaml")
    assert not checked.errors
    by_env = {r.env.name: r for r in checked.resolved}
    assert sorted(by_env["prod"].spec["data"]["buckets"]) == ["features", "raw", "scratch"]
    assert sorted(by_env["dev"].spec["data"]["buckets"]) == ["features", "raw"]
    assert by_env["prod"].spec["data"]["buckets"]["scratch"]["key"] == "platform", "an addition gets defaults"
    assert by_env["prod"].origin(("data", "datasets", "tmp", "prefix")) == (
        "environments", "prod", "additions", "data", "datasets", "tmp", "prefix")
    addresses = {r.address for t in checked.built if t.stack.env.name == "prod" for r in t.stack.resources}
    assert "aws_s3_bucket.data_scratch" in addresses


@pytest.mark.parametrize("override, path, message, hint", [
    (b"data: {buckets: {rwa: {object_lock_days: 90}}}", ("data", "buckets", "rwa"),
     "no entry named 'rwa' in data.buckets to override", "did you mean 'raw'?"),
    (b"data: {buckets: {scratch: {}}}", ("data", "buckets", "scratch"),
     "no entry named 'scratch' in data.buckets to override", "to add it in prod only, write it under environments.prod.additions"),
])
def test_an_override_changes_only_declared_entries(override, path, message, hint) -> None:
    checked = check(SPEC.replace(b"data: {buckets: {raw: {object_lock_days: 90}}}", override), "mlops.yaml")
    [error] = checked.errors
    assert (error.path, error.message, error.hint) == (("environments", "prod", "overrides", *path), message, hint)


def test_an_override_may_add_a_setting_and_a_tag(resolved) -> None:
    assert resolved["prod"].spec["network"]["nat"] is True and resolved["dev"].spec["network"]["nat"] is False
    assert resolved["prod"].spec["tags"] == {"team": "ml", "tier": "critical"}


def test_no_module_check_runs_after_the_merged_spec_fails_the_schema(monkeypatch) -> None:
    """An addition without a required key passes the partial schema of additions; the
    merged spec fails the full schema, and no module check sees it."""
    calls = []
    spy = lambda module: replace(module, check=lambda spec, env: calls.append((module.name, env.name)) or [])
    monkeypatch.setattr(registry, "modules", lambda modules=registry.modules(): tuple(spy(m) for m in modules))
    bad = SPEC.replace(b"    role: deployer\n", b"    role: deployer" + ADDITION.replace(b"bucket: scratch, ", b""))
    checked = check(bad, "mlops.yaml")
    assert [(e.path, e.message) for e in checked.errors] == [
        (("environments", "prod", "additions", "data", "datasets", "tmp"), "missing required key 'bucket'")]
    assert calls and all(env == "dev" for _, env in calls)


def test_a_module_check_runs_only_when_the_modules_it_reads_passed() -> None:
    """governance reads data: a dataset's unknown bucket is reported once, by data,
    and governance's object-lock rule never indexes it."""
    spec = SPEC.replace(b"data: {buckets: {raw: {}, features: {}}}",
                        b"data: {buckets: {raw: {}}, datasets: {tx: {bucket: rwa, prefix: tx/}}}\n"
                        b"governance: {rules: {prod: {object_lock: true}}}")
    checked = check(spec, "mlops.yaml")
    assert [(e.path, e.message) for e in checked.errors] == [
        (("data", "datasets", "tx", "bucket"), "no bucket named 'rwa' in data.buckets")]


def test_two_names_with_one_terraform_address_are_a_spec_error() -> None:
    """tf_name writes '-' and '.' as '_': two spec values that meet in one address are an
    error naming both; one value emitting an address twice stays a module bug."""
    stack = Stack("demo", Environment("dev", "111111111111", "eu-west-1"))
    alarm = lambda feature, path: Resource("aws_cloudwatch_metric_alarm", tf_name("m", "drift", feature), {}, "monitoring", path)
    stack.add(alarm("card-type", ("features", 0)))
    stack.add(alarm("card_type", ("features", 1)))
    stack.add(alarm("card.type", ("features", 2)))
    assert [(e.path, e.message) for e in stack.errors] == [
        (("features", 1), "becomes the Terraform address aws_cloudwatch_metric_alarm.m_drift_card_type, as features[0] does"),
        (("features", 2), "becomes the Terraform address aws_cloudwatch_metric_alarm.m_drift_card_type, as features[0] does")]
    with pytest.raises(ValueError, match="emitted twice"):
        stack.add(alarm("card_type", ("features", 0)))


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
