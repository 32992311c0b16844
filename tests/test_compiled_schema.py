"""The compiled schema (mlops.compiled_schema) says "valid" only where jsonschema does.

validate.py trusts its "valid" and asks jsonschema otherwise, so a spec it wrongly
accepted would pass unchecked; a spec it wrongly rejected would only cost time. And the
property that makes `mlops validate` fast: on a valid spec it imports neither jsonschema
nor importlib.metadata (the registry remembers its entry points, mlops.entry_points).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from golden import CASE_SPECS
from mlops import compiled_schema, registry
from mlops.errors import SpecInvalid
from mlops.loader import load
from mlops.pipeline import check
from mlops.schema import assemble
from mlops.validate import validate

SCHEMA = assemble(registry.modules())
VALID = [ROOT / "mlops.yaml", *CASE_SPECS]
BAD = sorted(ROOT.glob("tests/bad/*.yaml")) + sorted(ROOT.glob("modules/*/cases/bad/*.yaml"))
# A string ending in a newline: `$` matches before it in jsonschema (re.search), not in
# fastjsonschema's code (`\Z`), so this pattern accepts "a\n" there and rejects it here.
NEWLINE = {"type": "string", "pattern": "^(?!a$)"}


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch) -> Path:
    """A cache of the test's own, empty (nothing compiled before counts), as is the memory."""
    monkeypatch.setenv("MLOPS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(compiled_schema, "_validators", {})
    return tmp_path / "cache"


def _sections(data) -> list[tuple[object, dict]]:
    """The spec, and each section it has with the schema resolve validates it against."""
    out = [(data, SCHEMA)]
    if isinstance(data, dict):
        out += [(data[name], dict(SCHEMA["properties"][name], definitions=SCHEMA["definitions"]))
                for name in SCHEMA["properties"] if name in data]
    return out


def _agrees(data) -> None:
    for value, schema in _sections(data):
        if compiled_schema.accepts(value, schema):
            assert jsonschema.Draft7Validator(schema).is_valid(value), value


@pytest.mark.parametrize("spec", BAD, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_bad_spec_is_accepted_where_jsonschema_rejects_it(spec: Path) -> None:
    try:
        data = load(spec.read_bytes(), spec.name).data
    except SpecInvalid:  # the loader's errors: no data to validate
        return
    _agrees(data)


SPECS = [load(p.read_bytes(), p.name).data for p in VALID]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**13), st.floats(-1e6, 1e6, allow_nan=False),
                    st.text(max_size=12))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                         max_size=3), max_leaves=6)
EXAMPLES = settings(max_examples=100, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _nodes(value, path=()):
    yield path, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield from _nodes(child, path + (key,))


@st.composite
def edited(draw):
    """A valid spec with one to three values replaced (by any value, or one from elsewhere
    in the spec, which is often nearly right), deleted, or added beside them."""
    spec = copy.deepcopy(draw(st.sampled_from(SPECS)))
    for _ in range(draw(st.integers(1, 3))):
        nodes = list(_nodes(spec))
        path, _ = draw(st.sampled_from(nodes[1:]))
        parent = spec
        for part in path[:-1]:
            parent = parent[part]
        op = draw(st.sampled_from(["replace", "elsewhere", "delete", "add"]))
        if op == "replace":
            parent[path[-1]] = draw(VALUES)
        elif op == "elsewhere":
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(nodes))[1])
        elif op == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.one_of(st.text(max_size=8), st.sampled_from([str(p) for p, _ in nodes])))] = draw(VALUES)
        else:
            parent.append(draw(VALUES))
    return spec


@EXAMPLES
@given(edited())
def test_no_edited_spec_is_accepted_where_jsonschema_rejects_it(spec) -> None:
    _agrees(spec)


@pytest.mark.slow  # 1000 specs through both validators: about 30 s
@settings(EXAMPLES, max_examples=1000)
@given(edited())
def test_many_edited_specs(spec) -> None:
    _agrees(spec)


@pytest.mark.parametrize("spec", VALID, ids=lambda p: str(p.parent.relative_to(ROOT)))
def test_valid_specs_are_checked_without_jsonschema(spec: Path, monkeypatch) -> None:
    """The whole pass (the document, then each environment's merged sections) on every
    golden case: jsonschema is never asked."""
    def refuse(*args, **kwargs):
        raise AssertionError("jsonschema was asked about a valid spec")

    monkeypatch.setattr(jsonschema, "Draft7Validator", refuse)
    assert check(spec.read_bytes(), spec.name).errors == []


def test_a_string_ending_in_a_newline_is_left_to_jsonschema(fresh) -> None:
    assert not jsonschema.Draft7Validator(NEWLINE).is_valid("a\n")
    assert not compiled_schema.accepts("a\n", NEWLINE)
    assert not compiled_schema.accepts({"key": ["a\n"]}, {"properties": {"key": {"items": NEWLINE}}})
    assert compiled_schema.accepts("b\n".rstrip(), NEWLINE)
    assert [e.message for e in validate("a\n", NEWLINE)] == ["'a\\n' is not valid here"]


def test_only_json_data_is_judged(fresh) -> None:
    """fastjsonschema takes a tuple for an array; jsonschema does not."""
    assert not jsonschema.Draft7Validator({"type": "array"}).is_valid((1,))
    assert not compiled_schema.accepts((1,), {"type": "array"})
    assert not compiled_schema.accepts({"a": (1,)}, {"properties": {"a": {"type": "array"}}})
    assert compiled_schema.accepts({"a": [1]}, {"properties": {"a": {"type": "array"}}})


def test_defaults_are_not_filled_in(fresh) -> None:
    data: dict = {}
    assert compiled_schema.accepts(data, {"properties": {"x": {"type": "integer", "default": 1}}})
    assert data == {}


def test_a_schema_that_refers_elsewhere_is_left_to_jsonschema(fresh) -> None:
    """fastjsonschema would fetch the URL; jsonschema knows its meta-schemas."""
    assert compiled_schema.validator({"$ref": "http://json-schema.org/draft-07/schema#"}) is None
    assert compiled_schema.validator({"properties": {"a": {"$id": "http://example.com/a", "type": "string"}}}) is None
    assert compiled_schema.validator({"$id": "http://example.com/s", "properties": {"a": {"$ref": "#/definitions/b"}},
                                      "definitions": {"b": {"type": "string"}}}) is not None


@pytest.mark.parametrize("step, value", [(0.1, 0.3), (0.01, 1.13)])
def test_a_fractional_multiple_is_left_to_jsonschema(fresh, step: float, value: float) -> None:
    """The two round differently: fastjsonschema accepts these, jsonschema does not."""
    schema = {"properties": {"x": {"type": "number", "multipleOf": step}}}
    assert not jsonschema.Draft7Validator(schema).is_valid({"x": value})
    assert not compiled_schema.accepts({"x": value}, schema)
    assert compiled_schema.validator({"type": "integer", "multipleOf": 5}) is not None  # whole steps agree


def test_a_schema_fastjsonschema_cannot_compile_is_left_to_jsonschema(fresh) -> None:
    schema = {"type": "string", "pattern": "[$]"}  # becomes `[\Z]`, which `re` refuses
    assert compiled_schema.validator(schema) is None
    assert validate("$", schema) == [] and validate("a", schema) != []


def test_compiled_code_is_cached_on_disk_and_a_bad_entry_is_rewritten(fresh: Path, monkeypatch) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 2}}}
    assert compiled_schema.accepts({"n": 3}, schema) and not compiled_schema.accepts({"n": 1}, schema)
    [entry] = fresh.iterdir()

    compile_ = compiled_schema._compile
    monkeypatch.setattr(compiled_schema, "_validators", {})
    monkeypatch.setattr(compiled_schema, "_compile", lambda *args: pytest.fail("compiled again"))
    assert compiled_schema.accepts({"n": 3}, schema) and not compiled_schema.accepts({"n": 1}, schema)

    monkeypatch.setattr(compiled_schema, "_compile", compile_)
    monkeypatch.setattr(compiled_schema, "_validators", {})
    entry.write_bytes(b"not marshal data")
    assert compiled_schema.accepts({"n": 3}, schema) and not compiled_schema.accepts({"n": 1}, schema)
    assert entry.read_bytes() != b"not marshal data"


def test_a_compile_that_fails_for_another_reason_is_not_remembered(fresh: Path, monkeypatch) -> None:
    """Only what the schema makes fastjsonschema refuse is cached as unusable; a failure
    that is no property of the schema (here a bug) leaves the next run to compile again."""
    schema = {"type": "string"}
    compile_ = compiled_schema._compile

    def broken(*args):
        raise RuntimeError("not the schema's fault")

    monkeypatch.setattr(compiled_schema, "_compile", broken)
    assert compiled_schema.validator(schema) is None
    monkeypatch.setattr(compiled_schema, "_compile", compile_)
    monkeypatch.setattr(compiled_schema, "_validators", {})
    assert compiled_schema.accepts("x", schema)


def test_a_cache_that_cannot_be_written_costs_only_time(fresh: Path, monkeypatch) -> None:
    fresh.parent.joinpath("file").write_text("a file where the cache directory would be")
    monkeypatch.setenv("MLOPS_CACHE_DIR", str(fresh.parent / "file" / "cache"))
    assert compiled_schema.accepts("x", {"type": "string"}) and not compiled_schema.accepts(1, {"type": "string"})


def _modules_after(argv: list[str], tmp_path: Path) -> tuple[int, set[str]]:
    """The exit code of a fresh `mlops` process, and what it imported of the libraries
    validate should not need, once the cache holds the compiled schema and the entry
    points (the first run fills it: the same output, but importlib.metadata asked)."""
    code = ("import json, sys\nfrom mlops.cli import main\n"
            f"code = main({argv!r})\n"
            "print(json.dumps([code, [m for m in sys.modules if m.split('.')[0] == 'jsonschema' "
            "or m == 'importlib.metadata']]))\n")
    env = {**os.environ, "MLOPS_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
            for _ in range(2)]  # the first compiles the schema, the second reads it from the cache
    first, second = (run.stdout.splitlines() for run in runs)
    assert second and first[:-1] == second[:-1], runs[0].stdout + runs[0].stderr + runs[1].stderr
    assert json.loads(first[-1])[0] == json.loads(second[-1])[0]
    exit_code, modules = json.loads(second[-1])
    return exit_code, set(modules)


@pytest.mark.slow  # new Python processes
def test_validate_imports_neither_jsonschema_nor_importlib_metadata(tmp_path: Path) -> None:
    assert _modules_after(["validate"], tmp_path) == (0, set())
    # The check can fail: a spec with errors has them worded by jsonschema.
    code, modules = _modules_after(["validate", "-f", "tests/bad/account-without-quotes.yaml"], tmp_path)
    assert code == 1 and "jsonschema" in modules
