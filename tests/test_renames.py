"""Renaming a spec entry keeps its AWS resources (mlops.renames, mlops.moves).

The rename is made the way a user makes it (tests/renaming.py). What must hold, as
`mlops diff` sees it (tests/test_terraform_renames.py asks Terraform): nothing added,
destroyed or replaced; every resource of the entry moves to its new address with its
AWS names and settings as they were; the spec paths follow the new name.
"""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import ROOT
from golden import CASE_SPECS
from mlops import pipeline
from mlops.diff import compare
from mlops.replacement import forces_new
from renaming import renamed

BUNDLED = ROOT / "mlops.yaml"
ENTRY_MAPS = [("data", "buckets"), ("data", "datasets"), ("models",), ("repositories", "code"),
              ("repositories", "images"), ("keys", "domains"), ("workspace", "users")]


def _entries(data: dict) -> list[tuple[tuple, str]]:
    out = []
    for path in ENTRY_MAPS:
        mapping = data
        for part in path:
            mapping = mapping.get(part) or {} if isinstance(mapping, dict) else {}
        out += [(path, name) for name in sorted(mapping)]
    return out


def _check(text: str, name: str):
    checked = pipeline.check(text.encode(), name)
    assert not checked.errors, [f"{e.dotted()}: {e.message}" for e in checked.errors]
    return checked


def _assert_kept(before, after, path: tuple, old: str, new: str) -> None:
    diffs = compare(list(zip(before.resolved, before.built)), list(zip(after.resolved, after.built)), forces_new)
    token = re.sub(r"[^A-Za-z0-9_]", "_", old)
    for diff in diffs:
        changes = diff.changes
        assert not [c for c in changes if c.action in ("add", "remove", "replace")], [
            f"{c.action} {c.address}" for c in changes if c.action in ("add", "remove", "replace")]
        for c in changes:  # what changes in place is the spec-path tag and nothing else
            assert c.action == "move" or set(c.attributes) <= {"tags.mlops:spec-path", "tags"}, (c.address, c.attributes)
        moved = [c for c in changes if c.moved_from]
        assert all(re.search(rf"(?<![A-Za-z0-9]){token}(?![A-Za-z0-9])", c.moved_from) for c in moved)
    for target in after.built:  # no spec path names the old entry any more
        assert not [r for r in target.stack.resources if r.spec_path[:len(path) + 1] == (*path, old)]
        if any(r.spec_path[:len(path) + 1] == (*path, new) and not r.data_source for r in target.stack.resources):
            assert target.moved or not any(token in r.name for r in target.stack.resources), "nothing moved"


def _cases(spec) -> list[tuple]:
    data = yaml.safe_load(spec.read_text())
    return [(spec, path, name) for path, name in _entries(data)]


FAST = [c for c in _cases(BUNDLED) if c[1] in (("data", "buckets"), ("models",)) or c[2] in ("transactions", "pii")]
SWEEP = [c for spec in (BUNDLED, *CASE_SPECS) for c in _cases(spec) if c not in FAST]


def _id(case) -> str:
    spec, path, name = case
    return f"{spec.parent.name}:{'.'.join(path)}.{name}"


@pytest.mark.parametrize("case", FAST, ids=_id)
def test_renaming_an_entry_of_the_bundled_spec_keeps_its_resources(case):
    spec, path, old = case
    text = spec.read_text()
    after_text, new = renamed(text, path, old)
    _assert_kept(_check(text, "before.yaml"), _check(after_text, "after.yaml"), path, old, new)


@pytest.mark.slow
@pytest.mark.parametrize("case", SWEEP, ids=_id)
def test_renaming_any_entry_of_any_golden_spec_keeps_its_resources(case):
    spec, path, old = case
    text = spec.read_text()
    after_text, new = renamed(text, path, old)
    _assert_kept(_check(text, "before.yaml"), _check(after_text, "after.yaml"), path, old, new)


def test_renaming_twice_chains_the_moves():
    text = BUNDLED.read_text()
    once = text.replace("    features:\n", "    curated:\n      renamed_from: features\n", 1)
    twice = text.replace("    features:\n", "    gold:\n      renamed_from: [features, curated]\n", 1)
    first, second = _check(once, "once.yaml").built[0], _check(twice, "twice.yaml").built[0]
    assert ("aws_s3_bucket.data_features", "aws_s3_bucket.data_curated") in first.moved
    assert {("aws_s3_bucket.data_features", "aws_s3_bucket.data_curated"),
            ("aws_s3_bucket.data_curated", "aws_s3_bucket.data_gold")} <= set(second.moved)
    buckets = [r.attrs["bucket"] for r in second.stack.resources if r.address == "aws_s3_bucket.data_gold"]
    assert buckets == ["fraud-detection-dev-features-111111111111"]


@pytest.mark.parametrize("edit, message", [
    ("    features:\n      renamed_from: features\n", "'features' is this entry's name now"),
    ("    features:\n      renamed_from: raw\n", "'raw' is still an entry of data.buckets"),
    ("    features:\n      renamed_from: old\n    artifacts-2:\n      renamed_from: old\n", "was renamed from 'old' too"),
])
def test_an_old_name_must_be_free(edit, message):
    text = BUNDLED.read_text().replace("    features:\n", edit, 1)
    errors = pipeline.check(text.encode(), "mlops.yaml").errors
    assert [e for e in errors if message in e.message and e.path[-1] == "renamed_from"], [e.message for e in errors]


def test_a_spec_without_renames_is_built_once_and_moves_nothing():
    checked = _check(BUNDLED.read_text(), "mlops.yaml")
    assert all(not one.stages for one in checked.resolved) and all(not t.moved for t in checked.built)


def test_the_spec_as_it_was_follows_every_reference():
    text = BUNDLED.read_text()
    after, new = renamed(text, ("data", "datasets"), "transactions")
    stage = _check(after, "after.yaml").resolved[0].stages[0].spec
    assert "transactions" in stage["data"]["datasets"] and new not in stage["data"]["datasets"]
    assert stage["models"]["fraud-xgb"]["training"]["input"] == "transactions"


def test_an_entry_one_environment_adds_can_be_renamed_too():
    text = BUNDLED.read_text().replace(
        "  prod:\n    account: \"222222222222\"\n", "  prod:\n    account: \"222222222222\"\n"
        "    additions:\n      data: {buckets: {scratch: {}}}\n", 1)
    after = text.replace("{buckets: {scratch: {}}}", "{buckets: {sandbox: {renamed_from: scratch}}}")
    before, renamed_ = _check(text, "before.yaml"), _check(after, "after.yaml")
    prod = {t.stack.env.name: t for t in renamed_.built}["prod"]
    assert ("aws_s3_bucket.data_scratch", "aws_s3_bucket.data_sandbox") in prod.moved
    assert [r.attrs["bucket"] for r in prod.stack.resources if r.address == "aws_s3_bucket.data_sandbox"] == [
        "fraud-detection-prod-scratch-222222222222"]
    _assert_kept(before, renamed_, ("data", "buckets"), "scratch", "sandbox")
