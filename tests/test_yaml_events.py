"""libyaml is used only where it reads a spec exactly as ruamel does.

mlops.yaml_events takes libyaml's events when the text passes its gate and libyaml
parses it, and ruamel's otherwise. That is only sound if, whenever libyaml answers,
ruamel gives the same events (kind, position, value, style, anchor, tag, version) and
no syntax error. Checked on every YAML file in the repository and on texts that
hypothesis writes from the characters YAML gives meaning to, and by editing real specs
the way a typo does.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from golden import CASE_SPECS
from mlops.loader import load
from mlops.yaml_events import SyntaxProblem, _libyaml, _ruamel

FILES = [ROOT / name for name in subprocess.run(["git", "ls-files", "*.yaml", "*.yml"], cwd=ROOT, check=True,
                                                  capture_output=True, text=True).stdout.split()]
SPECS = [ROOT / "mlops.yaml", *CASE_SPECS]
# What YAML gives meaning to, and what people type by mistake.
PIECES = [": ", ":", "- ", "-", "? ", "#", " #", "[", "]", "{", "}", ",", "'", '"', "|", ">", "|-", "!", "!!str ",
          "&a ", "*a", "%", "@", "`", "\\", "---", "...", "\n", "\n  ", "\n    ", "\r\n", " ", "  ", "\t", "a", "key",
          "1", "0x1f", "1e3", ".inf", "~", "null", "true", "no", "é", "日本", "\u00a0", "\U0001F600", "\x85", "\ufeff"]
QUICK = settings(max_examples=400, derandomize=True, database=None, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(QUICK, max_examples=10000)


def _ruamel_events(text: str):
    try:
        return list(_ruamel(text))
    except SyntaxProblem as problem:
        return f"syntax error: {problem.message} at {problem.position}"
    except RecursionError:
        return "too deep"


def _agree(text: str) -> None:
    fast = _libyaml(text)
    if fast is not None:
        assert fast == _ruamel_events(text), f"libyaml and ruamel read {text!r} differently"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_in_the_repository_reads_the_same(path: Path):
    _agree(path.read_text("utf-8", errors="replace"))


def test_the_bundled_spec_takes_the_fast_path():
    """The gate is not so tight that the specs people write miss it."""
    for path in SPECS:
        assert _libyaml(path.read_text("utf-8")) is not None, path


@pytest.mark.parametrize("text", ["a:\tb\n", "%YAML 1.1\n---\na: 1\n", "a: b\rc: d\n", "a: b\x85c: d\n",
                                  'a: ["x":y]\n'])
def test_what_the_parsers_disagree_on_goes_to_ruamel(text: str):
    """libyaml reads each of these, but not as ruamel does (a tab after a colon, a
    directive's start mark, lone CR and NEL line breaks): the gate sends them to ruamel."""
    import yaml

    list(yaml.parse(text, Loader=yaml.CSafeLoader))  # libyaml itself accepts it
    assert _libyaml(text) is None


def test_a_document_is_the_same_whichever_parser_read_it(monkeypatch):
    """The loader's answer for a spec (data, and the mark of every value and key, which
    every error message points at) does not depend on which parser read it."""
    fast = [load(path.read_bytes(), str(path)) for path in SPECS]
    monkeypatch.setattr("mlops.yaml_events._libyaml", lambda text: None)
    slow = [load(path.read_bytes(), str(path)) for path in SPECS]
    for a, b in zip(fast, slow):
        assert (a.data, a.value_marks, a.key_marks) == (b.data, b.value_marks, b.key_marks)


@given(st.lists(st.sampled_from(PIECES), max_size=40))
@QUICK
def test_texts_made_of_yaml_syntax_read_the_same(pieces: list[str]):
    _agree("".join(pieces))


@given(st.sampled_from(SPECS), st.lists(st.tuples(st.floats(0, 1), st.sampled_from(PIECES), st.integers(0, 3)),
                                        min_size=1, max_size=4))
@QUICK
def test_typos_in_real_specs_read_the_same(path: Path, edits):
    _agree(_edited(path.read_text("utf-8"), edits))


@pytest.mark.slow
@given(st.lists(st.sampled_from(PIECES), max_size=60))
@THOROUGH
def test_many_texts_made_of_yaml_syntax_read_the_same(pieces: list[str]):
    _agree("".join(pieces))


@pytest.mark.slow
@given(st.sampled_from(SPECS), st.lists(st.tuples(st.floats(0, 1), st.sampled_from(PIECES), st.integers(0, 3)),
                                        min_size=1, max_size=6))
@settings(THOROUGH, max_examples=1000)
def test_many_typos_in_real_specs_read_the_same(path: Path, edits):
    _agree(_edited(path.read_text("utf-8"), edits))


def _edited(text: str, edits) -> str:
    """Insert a piece at a relative position, deleting up to `cut` characters there."""
    for where, piece, cut in edits:
        at = int(where * len(text))
        text = text[:at] + piece + text[at + cut:]
    return text
