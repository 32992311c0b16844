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
            assert c.action == "move" or set(c.attributes) == {"tags.mlops:spec-path"}, (c.address, c.attributes)
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
@pytest.mark.parametrize("unrelated", [False, True], ids=["old-name-x", "unrelated-name"])
@pytest.mark.parametrize("case", SWEEP, ids=_id)
def test_renaming_any_entry_of_any_golden_spec_keeps_its_resources(case, unrelated):
    """Renamed to the old name plus a suffix (its Terraform names then start with the old
    ones) and to a name unlike it."""
    spec, path, old = case
    text = spec.read_text()
    new = f"zz{old[2:]}" if unrelated and f"zz{old[2:]}" not in text else None
    after_text, new = renamed(text, path, old, new=new)
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


def _buckets(text: str, extra: str) -> str:
    return text.replace("    artifacts: {}\n", "    artifacts: {}\n" + extra, 1)


@pytest.mark.parametrize("order", ["raw first", "raw-archive first"])
def test_two_renames_in_one_map_where_one_old_name_starts_the_other(order):
    text = _buckets(BUNDLED.read_text(), "    raw-archive: {}\n")
    steps = [("raw", "landing"), ("raw-archive", "cold")]
    after = text
    for old, new in steps if order == "raw first" else steps[::-1]:
        after, _ = renamed(after, ("data", "buckets"), old, new=new)
    before, renamed_ = _check(text, "before.yaml"), _check(after, "after.yaml")
    _assert_kept(before, renamed_, ("data", "buckets"), "raw", "landing")
    dev = renamed_.built[0]
    assert {("aws_s3_bucket.data_raw", "aws_s3_bucket.data_landing"),
            ("aws_s3_bucket.data_raw_archive", "aws_s3_bucket.data_cold")} <= set(dev.moved)


def test_outputs_follow_their_own_entry_not_a_name_that_looks_alike():
    """`bucket_raw_archive` is not `bucket_raw` + `_archive`: renaming raw to cold, next to
    an entry cold-archive, must not give raw-archive's output to cold-archive."""
    text = _buckets(BUNDLED.read_text(), "    raw-archive: {}\n    cold-archive: {}\n")
    after, _ = renamed(text, ("data", "buckets"), "raw", new="cold")
    dev = _check(after, "after.yaml").built[0]
    outputs = {o.name: o.value for o in dev.stack.outputs}
    assert len(outputs) == len(dev.stack.outputs)
    assert outputs["bucket_cold"] == "${aws_s3_bucket.data_cold.bucket}"
    assert outputs["bucket_raw_archive"] == "${aws_s3_bucket.data_raw_archive.bucket}"
    assert outputs["bucket_cold_archive"] == "${aws_s3_bucket.data_cold_archive.bucket}"


def test_two_datasets_renamed_at_once_where_one_name_starts_the_other():
    text = BUNDLED.read_text()
    after, _ = renamed(text, ("data", "datasets"), "transactions", new="tx")
    after, _ = renamed(after, ("data", "datasets"), "transactions-labels", new="labels")
    _assert_kept(_check(text, "before.yaml"), _check(after, "after.yaml"), ("data", "datasets"), "transactions", "tx")


CROSS_KIND = """\
keys:
  domains:
    pii: {}
data:
  buckets:
    pii: {key: pii}
    artifacts: {}
"""


def _minimal(sections: str) -> str:
    return ("project: acme\nregion: eu-west-1\nstate: {bucket: acme-tfstate}\n"
            "environments:\n  dev: {account: \"111111111111\"}\nnetwork: {cidr: 10.20.0.0/16}\n" + sections)


@pytest.mark.parametrize("key, bucket", [("cardholder", "cards"), ("raw", "landing")],
                         ids=["two kinds, one old name", "a name another kind gave up"])
def test_entries_of_two_kinds_renamed_together(key, bucket):
    before = _check(_minimal(CROSS_KIND), "before.yaml")
    after = _check(_minimal(f"""\
keys:
  domains:
    {key}: {{renamed_from: pii}}
data:
  buckets:
    {bucket}: {{renamed_from: pii, key: {key}}}
    artifacts: {{}}
"""), "after.yaml")
    moved = set(after.built[0].moved)
    assert {("aws_kms_key.pii", f"aws_kms_key.{key}"), ("aws_s3_bucket.data_pii", f"aws_s3_bucket.data_{bucket}")} <= moved
    _assert_kept(before, after, ("data", "buckets"), "pii", bucket)
    _assert_kept(before, after, ("keys", "domains"), "pii", key)


def test_a_rename_and_a_replacing_change_in_one_edit_still_shows_the_move():
    text = BUNDLED.read_text()
    after, new = renamed(text, ("models",), "fraud-xgb", new="fraud-gbm")
    after = after.replace("instance_type: ml.m5.large\n      max_instances: 2", "instance_type: ml.m5.xlarge\n      max_instances: 2")
    b, a = _check(text, "b.yaml"), _check(after, "a.yaml")
    changes = {c.address: c for d in compare(list(zip(b.resolved, b.built)), list(zip(a.resolved, a.built)), forces_new)
               if d.name == "dev" for c in d.changes}
    assert changes["aws_sagemaker_endpoint_configuration.fraud_gbm"].action == "replace"
    assert changes["aws_sagemaker_endpoint.fraud_gbm"].moved_from == "aws_sagemaker_endpoint.fraud_xgb"
    assert all(c.moved_from for c in changes.values() if "fraud_gbm" in c.address)


def _errors(text: str) -> list[tuple[str, str]]:
    return [(e.message, e.hint or "") for e in pipeline.check(text.encode(), "mlops.yaml").errors]


def test_an_entry_cannot_take_back_a_name_it_had():
    text = BUNDLED.read_text().replace("    features:\n", "    curated:\n      renamed_from: [features, curated]\n", 1)
    assert [m for m, hint in _errors(text) if m == "'curated' is this entry's name now" and "cannot take back" in hint]


def test_two_entries_cannot_trade_names():
    text = BUNDLED.read_text().replace("    raw:\n", "    features:\n      renamed_from: raw\n", 1)
    text = text.replace("    features:\n      infrequent_access_days", "    raw:\n      renamed_from: features\n"
                        "      infrequent_access_days", 1)
    found = [m for m, hint in _errors(text) if "is still an entry of data.buckets" in m and "cannot trade names" in hint]
    assert len(found) == 2  # at both renames


def test_a_rename_cannot_be_overridden_in_one_environment():
    text = BUNDLED.read_text().replace("          endpoint: {model_version: 4}\n",
                                       "          renamed_from: fraud-old\n          endpoint: {model_version: 4}\n", 1)
    errors = pipeline.check(text.encode(), "mlops.yaml").errors
    assert [(e.path, e.message) for e in errors] == [
        (("environments", "dev", "overrides", "models", "fraud-xgb", "renamed_from"),
         "renamed_from cannot be overridden: a rename is the same in every environment")]
