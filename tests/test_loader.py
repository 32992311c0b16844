"""The loader's contract: plain data with marks, or a SpecInvalid whose errors all carry a
position -- for any bytes at all."""

from __future__ import annotations

import math
import random
import time

import pytest

from mlops.errors import Position, SpecError, SpecInvalid
from mlops.loader import MAX_BYTES, MAX_DEPTH, Document, load

VALID = b"""\
# yaml-language-server: $schema=schemas/mlops.schema.json
project: fraud-detection
region: eu-west-1
tags: {cost-center: "4711", data-classification: confidential}
state: {bucket: acme-tfstate}
environments:
  dev:  {account: "111111111111"}
  prod: {account: "222222222222", overrides: {models: {fraud-xgb: {endpoint: {instance_count: 2}}}}}
network: {cidr: 10.20.0.0/16, availability_zones: 2}
models:
  fraud-xgb:
    training: {algorithm: xgboost, version: "1.7-1", input: transactions}
    retrain: {schedule: "rate(7 days)", on_new_data: true}
    monitoring:
      notify:
        - ml-oncall@example.com
        - |
          multi
          line
governance: {approval: manual, required_tags: [cost-center, data-classification]}
"""


def errors_of(raw: bytes | str) -> list[SpecError]:
    if isinstance(raw, str):
        raw = raw.encode()
    with pytest.raises(SpecInvalid) as caught:
        load(raw, "mlops.yaml")
    errors = caught.value.errors
    assert errors and all(isinstance(e.position, Position) for e in errors)
    return errors


def _nested(depth: int) -> str:
    return "{a: " * depth + "1" + "}" * depth


ERRORS = [
    # (yaml_text, line, col, message substring)
    ("", 1, 1, "the file is empty"),
    ("# only a comment\n\n   \n", 1, 1, "the file is empty"),
    ("---\n", 1, 1, "the file is empty"),
    ("a: 1\n b: 2\n", 2, 3, "YAML syntax error: mapping values are not allowed here"),
    ("a: [1, 2\n", 2, 1, "expected ',' or ']', but got the end of the file"),
    ("a: 'open\n", 2, 1, "YAML syntax error"),
    ("a: @x\n", 1, 4, "found character '@' that cannot start any token"),
    ("a:\n\tb: 1\n", 2, 1, "tab characters are not allowed for indentation"),
    ("a:\n  b: 1\n\tc: 2\n", 3, 1, "tab characters are not allowed for indentation"),
    ("a:\n  \tb: 1\n", 2, 3, "tab characters are not allowed for indentation"),
    ("a: 1\n---\nb: 2\n", 2, 1, "more than one YAML document"),
    ("%YAML 1.1\n---\na: 1\n", 2, 1, "only YAML 1.2 is supported"),
    ("a: ok\nb: \x00\n", 2, 4, "control character U+0000 is not allowed"),
    ("a: &base {x: 1}\nb: *base\n", 1, 4, "anchors and aliases are not allowed"),
    ("a: {x: 1}\nb: *base\n", 2, 4, "anchors and aliases are not allowed"),
    ("a:\n  <<: {x: 1}\n", 2, 3, "merge keys (<<) are not allowed"),
    ("a: !Ref x\n", 1, 4, "tags are not allowed: !Ref"),
    ("a: !!python/object:os.system x\n", 1, 4, "tags are not allowed: !!python/object:os.system"),
    ("a: !!binary aGk=\n", 1, 4, "tags are not allowed: !!binary"),
    ("a: !!str 1\n", 1, 4, "tags are not allowed: !!str"),
    ("a: !!map {x: 1}\n", 1, 4, "tags are not allowed: !!map"),
    ("a: !foo!bar x\n", 1, 4, "tags are not allowed"),
    ("region: a\nproject: p\nregion: b\n", 3, 1, "duplicate key 'region' (first defined at line 1)"),
    ("a: {b: 1, 'b': 2}\n", 1, 11, "duplicate key 'b' (first defined at line 1)"),
    ("1: x\n", 1, 1, "keys must be strings, got integer 1"),
    ("true: x\n", 1, 1, "keys must be strings, got boolean true"),
    ("null: x\n", 1, 1, "keys must be strings, got null"),
    ("a:\n  1.5: x\n", 2, 3, "keys must be strings, got float 1.5"),
    ("[a]: x\n", 1, 1, "keys must be strings, got a list"),
    ("? {a: 1}\n: x\n", 1, 3, "keys must be strings, got a mapping"),
    ("- a\n", 1, 1, "the top level must be a mapping of sections (project, region, ...)"),
    ("just text\n", 1, 1, "the top level must be a mapping of sections"),
    ("---\n42\n", 2, 1, "the top level must be a mapping of sections"),
    ("a: " + "1" * 5000 + "\n", 1, 4, "number too long"),
    (_nested(MAX_DEPTH + 1), 1, 4 * MAX_DEPTH + 1, f"nesting deeper than {MAX_DEPTH} levels"),
]


@pytest.mark.parametrize("text, line, col, message", ERRORS)
def test_errors(text, line, col, message):
    errors = errors_of(text)
    assert any(e.position == Position(line, col) and message in e.message for e in errors), errors


@pytest.mark.parametrize(
    "raw, line, col, message",
    [
        (b"\xff", 1, 1, "not valid UTF-8: byte 0xff"),
        (b"a: 1\nb: \xc3\xa9\xc3(\n", 2, 5, "not valid UTF-8: byte 0xc3"),
        (b"\xef\xbb\xbf\xfe", 1, 1, "not valid UTF-8: byte 0xfe"),
    ],
)
def test_utf8(raw, line, col, message):
    [error] = errors_of(raw)
    assert (error.position, error.message, error.hint) == (Position(line, col), message, "save the file as UTF-8")


def test_hints():
    assert "project, region, state" in errors_of("")[0].hint
    assert errors_of("a:\n\tb: 1\n")[0].hint == "indent with spaces"
    assert errors_of("a: &x 1\n")[0].hint == "repeat the value; environments.<name>.overrides replaces copy-paste"
    assert errors_of("a: !Ref x\n")[0].hint == "write a plain value; quote it if it is a string"
    assert errors_of("1: x\n")[0].hint == "quote the key"


def test_size_cap_checked_before_decoding():
    [error] = errors_of(b"\xff" * (MAX_BYTES + 1))
    assert error.position == Position(1, 1)
    assert f"{MAX_BYTES + 1:,}" in error.message and f"{MAX_BYTES:,}" in error.message
    assert load(b"a: '" + b"x" * (MAX_BYTES - 6) + b"'\n", "m").data["a"].startswith("x")


def test_syntax_error_has_no_ruamel_internals():
    for text in ["a: 1\n b: 2\n", "- a\nb: 1\n", "a: [1\n", "a: {b\n", "a: 'x\n"]:
        for error in errors_of(text):
            assert "<" not in error.message and "Mark" not in error.message and "\n" not in error.message


VALUES = [
    ("country: no", "no"), ("flag: yes", "yes"), ("v: on", "on"), ("v: off", "off"), ("v: y", "y"), ("v: n", "n"),
    ("v: true", True), ("v: True", True), ("v: TRUE", True), ("v: false", False), ("v: FALSE", False),
    ("v: tRUE", "tRUE"), ("mode: 0755", 755), ("mode: 0o755", 0o755), ("v: 0x1F", 31), ("v: -12", -12),
    ("account: 011111111111", 11111111111), ("v: 1_000", "1_000"), ("v: 1:30", "1:30"),
    ("v: ~", None), ("v: null", None), ("v: NULL", None), ("v:", None), ("v: 1.5", 1.5), ("v: 1e3", 1000.0),
    ("v: .inf", math.inf), ("v: -.Inf", -math.inf), ("v: 2024-01-01", "2024-01-01"), ("v: 0b101", "0b101"),
    ("v: '0755'", "0755"), ('v: "true"', "true"), ("v: 'null'", "null"), ('v: "~"', "~"), ("v: |\n  no\n", "no\n"),
    ("v: [no, 1, '1']", ["no", 1, "1"]), ("v: {}", {}), ("v: []", []),
]


@pytest.mark.parametrize("text, expected", VALUES)
def test_yaml_12_core_schema(text, expected):
    value = load(text.encode(), "m").data["v" if text.startswith("v:") else text.split(":")[0]]
    assert value == expected and type(value) is type(expected)


def test_nan():
    assert math.isnan(load(b"v: .nan", "m").data["v"])


def test_marks_and_position_lookup():
    doc = load(VALID, "mlops.yaml")
    assert isinstance(doc, Document) and doc.source == "mlops.yaml"
    assert doc.data["environments"]["prod"]["overrides"]["models"]["fraud-xgb"]["endpoint"] == {"instance_count": 2}
    assert doc.value_marks[()] == Position(2, 1)
    assert doc.key_marks[("region",)] == Position(3, 1)
    assert doc.value_marks[("region",)] == Position(3, 9)
    assert doc.value_marks[("environments", "dev", "account")] == Position(7, 19)
    assert doc.value_marks[("models", "fraud-xgb", "monitoring", "notify", 1)] == Position(17, 11)
    assert doc.position(("region",), key=True) == Position(3, 1)
    assert doc.position(("region",)) == Position(3, 9)
    assert doc.position(("state", "missing", "deeper")) == Position(5, 8)  # the mapping that lacks it
    assert doc.position(("governance", "required_tags", 0), key=True) == Position(20, 48)
    every = set(doc.value_marks)
    assert ("models", "fraud-xgb", "monitoring", "notify") in every and ("tags", "cost-center") in every


def test_empty_value_points_at_its_key():
    doc = load(b"project: p\nregion:\n", "m")
    assert doc.position(("region",)) == Position(2, 1)


def test_collects_every_structural_error_sorted():
    text = "b: !Ref x\n1: one\na:\n  c: 1\n  c: 2\n  d: !!str x\nb: again\n[x]: y\n"
    got = [(e.position.line, e.message.split(":")[0].split(" (")[0]) for e in errors_of(text)]
    assert got == [
        (1, "tags are not allowed"),
        (2, "keys must be strings, got integer 1"),
        (5, "duplicate key 'c'"),
        (6, "tags are not allowed"),
        (7, "duplicate key 'b'"),
        (8, "keys must be strings, got a list"),
    ]
    dup = [e for e in errors_of(text) if "'c'" in e.message][0]
    assert dup.path == ("a", "c") and "line 4" in dup.message and dup.position.line == 5


def test_billion_laughs_fails_fast_at_first_anchor():
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    start = time.perf_counter()
    errors = errors_of("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 0.5
    assert [(e.position, e.message) for e in errors] == [(Position(1, 4), "anchors and aliases are not allowed")]


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 10_000 + "]" * 10_000,
        "a:\n" + "- " * 10_000 + "x\n",
        _nested(10_000),
        "".join(" " * i + "k:\n" for i in range(1, 1_400)),
    ],
    ids=["flow-list", "block-list", "flow-map", "block-map"],
)
def test_deep_nesting_is_a_clean_error(text):
    errors = errors_of(text)
    assert [e.message for e in errors] == [f"nesting deeper than {MAX_DEPTH} levels"]


def test_depth_limit_is_inclusive():
    assert load(_nested(MAX_DEPTH).encode(), "m").data["a"]["a"]


def _mutations(rng: random.Random):
    yield from (VALID[:i] for i in range(0, len(VALID), 3))
    for _ in range(150):
        yield bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
    alphabet = b":-[]{}&*!|>'\"#%@`,?\t\n \x00\xff\xc3~"
    for _ in range(250):
        raw = bytearray(VALID)
        for _ in range(rng.randrange(1, 5)):
            raw[rng.randrange(len(raw))] = rng.choice(alphabet)
        yield bytes(raw)


def test_fuzz_only_spec_invalid():
    for raw in _mutations(random.Random(0)):
        try:
            doc = load(raw, "fuzz.yaml")
        except SpecInvalid as invalid:
            assert invalid.errors and all(e.position is not None for e in invalid.errors), raw
        else:
            assert isinstance(doc.data, dict) and () in doc.value_marks
