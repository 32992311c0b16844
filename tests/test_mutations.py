"""Mutated specs: whatever a person (or a rename half done) writes, the compiler answers
with SpecErrors that have a path, never an internal error, and `validate` and `compile`
agree -- a spec that validates also builds (and, in the slow part, synthesizes and
conforms to the provider schemas).

The mutations start from valid specs (the bundled mlops.yaml and every golden case) and
do what editing does: delete or rename keys and named entries (in the base spec and in
`environments.<env>.overrides`), change types and values, add twins of a name that
differ only in `-`/`_` (one Terraform address), point references at other or missing
names, put control characters in keys and values, and make schema-valid changes (swap
a reference, toggle a boolean, add an entry). Specs are written as JSON, which is YAML.
Seeds are derandomized so CI runs the same examples every time.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from golden import CASE_SPECS
from mlops import pipeline
from mlops.cli import main
from mlops.errors import SpecError
from mlops.loader import load

BASES = [ROOT / "mlops.yaml", *CASE_SPECS]
SPECS = [load(p.read_bytes(), str(p)).data for p in BASES]
CONTROL = ["\n", "\r", "\x1b[2K", "\t", "\x00", "\x7f", "\u2028"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**13), st.floats(-1e6, 1e6, allow_nan=False),
                    st.text(max_size=12), st.sampled_from(CONTROL))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(st.text(max_size=6), SCALARS, max_size=2))
QUICK = settings(max_examples=100, derandomize=True, database=None, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
THOROUGH = settings(QUICK, max_examples=1500)
LINE = re.compile(r"^(?:\S+:\d+:\d+: error: .*|  hint: .*|mlops: \d+ errors?(?:; nothing was written)?)$")


def _nodes(value, path=()):
    """Every (path, value) in the tree, parents first, in a stable order."""
    yield path, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield from _nodes(child, path + (key,))


def _at(tree, path):
    for part in path:
        tree = tree[part]
    return tree


def _strings(tree) -> list[str]:
    """Every name and string in the spec: what a reference could be swapped for."""
    out = set()
    for path, value in _nodes(tree):
        out.update(p for p in path if isinstance(p, str))
        if isinstance(value, str):
            out.add(value)
    return sorted(out)


def _twin(name: str) -> str:
    """A different name with the same Terraform address (`-` and `_` both become `_`)."""
    if "-" in name:
        return name.replace("-", "_", 1)
    if "_" in name:
        return name.replace("_", "-", 1)
    return name + "_"


def _names(draw, old: str, spec) -> str:
    typo = old[:-1] + ("x" if not old.endswith("x") else "y") if old else "x"
    return draw(st.one_of(
        st.sampled_from([typo, _twin(old), old + "2", old.upper(), *(old + c for c in CONTROL)]),
        st.sampled_from(_strings(spec)),
        st.text(max_size=8),
    ))


_OPS = ["delete", "rename", "twin", "retype", "reference", "dangling", "swap", "toggle", "control", "add", "override",
        "renamed"]


def _entries(spec) -> dict[str, list[str]]:
    """Each entry name, with the names of the entries beside it (datasets, buckets...)."""
    out: dict[str, list[str]] = {}
    for _, value in _nodes(spec):
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            for name in value:
                out.setdefault(name, sorted(value))
    return out


def _eligible(op: str, path, value, spec) -> bool:
    """Where an operation means something, so each example exercises its kind of change."""
    key = path[-1]
    if op == "rename":
        return isinstance(key, str)
    if op == "twin":  # a list item (a feature, a facet): entry names allow no '_' anyway
        return isinstance(key, int) and isinstance(value, (str, dict))
    if op == "reference":
        return isinstance(value, str)
    if op == "swap":  # a reference to an entry, for another entry of the same kind
        return isinstance(value, str) and len(_entries(spec).get(value, ())) > 1
    if op == "dangling":  # a reference to an entry, mistyped
        return isinstance(value, str) and value in _entries(spec)
    if op == "toggle":
        return isinstance(value, (bool, int))
    if op == "flip":
        return isinstance(value, bool)
    if op == "add":
        return isinstance(value, dict) and bool(value) and all(isinstance(v, dict) for v in value.values())
    if op == "renamed":  # an entry renamed with renamed_from (its references may be left behind)
        return isinstance(key, str) and isinstance(value, dict) and len(path) > 1 and path[0] != "environments" \
            and all(isinstance(v, dict) for v in _at(spec, path[:-1]).values())
    if op == "override":
        return len(path) > 1 and path[0] not in ("environments", "project", "region", "state", "exceptions", "$schema")
    return True


def _mutate(draw, spec: dict, ops: list[str]) -> None:
    op = draw(st.sampled_from(ops))
    nodes = [(p, v) for p, v in _nodes(spec) if p and _eligible(op, p, v, spec)]
    if not nodes:
        return
    path, value = draw(st.sampled_from(nodes))
    parent, key = _at(spec, path[:-1]), path[-1]
    if op == "delete":
        del parent[key]
    elif op == "rename":
        parent[_names(draw, key, spec)] = parent.pop(key)
    elif op == "twin":
        if isinstance(value, str):
            parent.append(_twin(value))
        else:
            parent.append({k: _twin(v) if isinstance(v, str) else v for k, v in value.items()})
    elif op == "retype":
        parent[key] = draw(VALUES)
    elif op in ("reference", "dangling"):
        parent[key] = _names(draw, value, spec)
    elif op == "swap":
        parent[key] = draw(st.sampled_from(_entries(spec)[value]))
    elif op == "toggle" and isinstance(value, bool) or op == "flip":
        parent[key] = not value
    elif op == "toggle":
        parent[key] = draw(st.sampled_from([0, 1, value + 1, value - 1, value * 100]))
    elif op == "control":
        char = draw(st.sampled_from(CONTROL))
        if isinstance(key, str):
            parent[key + char] = parent.pop(key)
        else:
            parent[key] = f"{value}{char}"
    elif op == "add":
        sibling = draw(st.sampled_from(sorted(value)))
        name = f"{sibling}-b" if ops == SCHEMA_VALID else _names(draw, sibling, spec)
        value[name] = copy.deepcopy(value[sibling])
    elif op == "override":
        _override(draw, spec, path, value)
    elif op == "renamed":
        new = f"{key}-b" if ops == SCHEMA_VALID else _names(draw, key, spec)
        parent[new] = parent.pop(key)
        if isinstance(parent[new], dict):
            was = draw(st.sampled_from([key, key, [key], _names(draw, key, spec), [key, f"{key}-a"]]))
            parent[new]["renamed_from"] = was


def _override(draw, spec: dict, path, value) -> None:
    """Write (a change to) a base value into one environment's overrides, the way a
    person does: sometimes with the entry's name mistyped or renamed there only."""
    envs = spec.get("environments")
    names = sorted(n for n, e in envs.items() if isinstance(e, dict)) if isinstance(envs, dict) else []
    if not names:
        return
    where = envs[draw(st.sampled_from(names))]
    if not isinstance(where.get("overrides"), dict):
        where["overrides"] = {}
    where = where["overrides"]
    parts = list(path)
    entries = [i for i, part in enumerate(parts) if isinstance(part, str) and part in _entries(spec)]
    if entries and draw(st.booleans()):  # the entry renamed, or mistyped, in the override only
        index = draw(st.sampled_from(entries))
        parts[index] = _names(draw, parts[index], spec)
    if any(isinstance(p, int) for p in parts):
        parts = parts[: next(i for i, p in enumerate(parts) if isinstance(p, int))]
        value = copy.deepcopy(_at(spec, path[: len(parts)]))
    new = draw(st.one_of(st.just(copy.deepcopy(value)), VALUES))
    for part in parts[:-1]:
        if not isinstance(where.get(part), dict):
            where[part] = {}
        where = where[part]
    where[parts[-1]] = new


# Changes that usually keep a spec valid, so the CDK part sees specs that validate.
SCHEMA_VALID = ["flip", "add", "swap", "renamed"]


@st.composite
def mutated(draw, ops: list[str] = _OPS) -> bytes:
    spec = copy.deepcopy(draw(st.one_of(st.just(SPECS[0]), st.sampled_from(SPECS))))  # the bundled spec has most
    for _ in range(draw(st.integers(1, 3))):
        _mutate(draw, spec, ops)
    return json.dumps(spec, indent=1).encode()


def _only_spec_errors(raw: bytes) -> pipeline.Checked:
    """check (validate) never raises; every error it returns has a place in the spec."""
    checked = pipeline.check(raw, "mutated.yaml")
    for error in checked.errors:
        assert isinstance(error, SpecError) and isinstance(error.path, tuple), error
    if not checked.errors:
        pipeline.targets(checked)  # what validated must build
    return checked


def _cli_lines(raw: bytes) -> None:
    """The CLI exits 0 or 1 and every line it prints about the spec is one error line."""
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "mutated.yaml"
        spec.write_bytes(raw)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["validate", "-f", str(spec)])
    assert code in (0, 1), err.getvalue()
    for line in err.getvalue().splitlines():
        assert LINE.match(line.replace(str(spec), "mutated.yaml")), repr(line)


@pytest.mark.slow  # 100 specs through validate and build: about 15 s
@QUICK
@given(mutated())
def test_mutated_specs_validate_and_build_or_fail_cleanly(raw: bytes) -> None:
    _only_spec_errors(raw)
    _cli_lines(raw)


@pytest.mark.slow
@THOROUGH
@given(mutated())
def test_many_mutated_specs(raw: bytes) -> None:
    _only_spec_errors(raw)


@pytest.mark.slow
@settings(QUICK, max_examples=30, suppress_health_check=list(HealthCheck))
@given(mutated(SCHEMA_VALID))
def test_what_validates_also_synthesizes_and_conforms(raw: bytes) -> None:
    """compile's last two steps: CDK synthesis and the provider-schema check."""
    checked = _only_spec_errors(raw)
    assume(not checked.errors)
    pipeline.plan(pipeline.targets(checked))
