"""The first pass: bytes in, plain data and a source map out.

Why not `yaml.load`: a constructed tree has lost what users need (where each value
was written) and has already done what they must be protected from (alias expansion,
custom tags, YAML 1.1 booleans, silent last-key-wins). So the loader walks the
*parse events* itself (mlops.yaml_events: libyaml's where it agrees with ruamel, else
ruamel's): nothing is expanded or constructed before it is checked, the walk is an
explicit stack (no recursion, whatever the nesting), and scalar meaning is
decided here, by the YAML 1.2 core schema, in a dozen lines anyone can read.

Vocabulary: a *mark* is a 1-based `Position`; `value_marks` holds where each node
starts, `key_marks` where the key of a mapping entry starts. A *fatal* problem stops
the walk (syntax, anchors, depth, a second document); the rest are collected so one
run reports them all.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .errors import Position, SpecError, SpecInvalid, SpecPath
from .yaml_events import Event, SyntaxProblem, events

MAX_BYTES = 1_048_576
MAX_DEPTH = 32

_TOP = Position(1, 1)
_DEPTH_MESSAGE = f"nesting deeper than {MAX_DEPTH} levels"
_TAG_HINT = "write a plain value; quote it if it is a string"
_ANCHOR_HINT = "repeat the value; environments.<name>.overrides replaces copy-paste"
_MINIMAL_HINT = (
    "a minimal spec names project, region, state and environments, e.g. "
    'project: demo / region: eu-west-1 / state: {bucket: demo-tfstate} / '
    'environments: {dev: {account: "111111111111"}}'
)


@dataclass(frozen=True)
class Document:
    """A loaded spec: plain data plus where every value (and key) was written."""

    source: str
    data: dict
    value_marks: dict[SpecPath, Position] = field(repr=False)
    key_marks: dict[SpecPath, Position] = field(repr=False)

    def position(self, path: SpecPath, key: bool = False) -> Position:
        """Errors about missing keys carry the missing path, so fall back to the
        nearest ancestor: "missing key" then points at the mapping that lacks it."""
        if key and path in self.key_marks:
            return self.key_marks[path]
        while path not in self.value_marks and path:
            path = path[:-1]
        return self.value_marks.get(path, _TOP)


class _Fatal(Exception):
    """Stops the walk; carries the error that made going on pointless."""

    def __init__(self, error: SpecError):
        self.error = error


def load(raw: bytes, source: str) -> Document:
    """Raises SpecInvalid, and nothing else, for any bytes that are not a usable spec:
    the CLI promises "never a traceback, whatever the bytes"."""
    if len(raw) > MAX_BYTES:
        message = f"the file is {len(raw):,} bytes, over the limit of {MAX_BYTES:,}"
        hint = "a spec describes infrastructure; keep data and scripts in their own files"
        raise SpecInvalid([SpecError((), message, hint=hint, position=_TOP)])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line_start = before.rfind(b"\n") + 1
        at = Position(before.count(b"\n") + 1, len(before[line_start:].decode("utf-8")) + 1)
        raise SpecInvalid([SpecError((), f"not valid UTF-8: byte 0x{raw[exc.start]:02x}",
                                     hint="save the file as UTF-8", position=at)]) from None
    walk = _Walk(text)
    try:
        walk.run()
    except _Fatal as fatal:
        walk.errors.append(fatal.error)
    else:
        if walk.root is _EMPTY:
            walk.errors.append(SpecError((), "the file is empty", hint=_MINIMAL_HINT, position=_TOP))
    if walk.errors:
        raise SpecInvalid(sorted(walk.errors, key=lambda e: (e.position, e.message)))
    return Document(source, walk.root, walk.value_marks, walk.key_marks)


# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution), plain scalars only.
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = [(re.compile(r"[-+]?[0-9]+"), 10, 0), (re.compile(r"0o[0-7]+"), 8, 2),
        (re.compile(r"0x[0-9a-fA-F]+"), 16, 2)]
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")
_KIND = {type(None): "null", bool: "boolean", int: "integer", float: "float"}


def _plain(text: str):
    """What an unquoted scalar means: `no`, `on`, `1_000` stay strings; `0755` is 755."""
    if text in _NULL:
        return None
    if text in _BOOL:
        return _BOOL[text]
    for pattern, base, skip in _INT:
        if pattern.fullmatch(text):
            return int(text[skip:], base)  # ValueError past 4300 digits; the caller reports it
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


_STD = "tag:yaml.org,2002:"  # what the parsers expand `!!` to
_EMPTY = object()  # no document at all
_NOKEY = object()  # the pending key was rejected; its value is walked but not kept


@dataclass
class _Frame:
    """One open mapping or sequence; `live` is false inside rejected keys and duplicates."""

    path: SpecPath
    value: dict | list
    live: bool
    key: object = None
    key_mark: Position | None = None
    expect_key: bool = True
    first_line: dict = field(default_factory=dict)


class _Walk:
    def __init__(self, text: str):
        self.text = text
        self.root = _EMPTY
        self.errors: list[SpecError] = []
        self.value_marks: dict[SpecPath, Position] = {}
        self.key_marks: dict[SpecPath, Position] = {}
        self.stack: list[_Frame] = []
        self.started = False

    def run(self) -> None:
        try:
            for event in events(self.text):
                self._event(event)
        except SyntaxProblem as problem:
            raise _Fatal(SpecError((), problem.message, hint=problem.hint, position=problem.position)) from None
        except RecursionError:
            raise _Fatal(SpecError((), _DEPTH_MESSAGE, position=_TOP)) from None

    def _event(self, event: Event) -> None:
        if event.kind == "document":
            at = event.position
            if self.started:
                raise _Fatal(SpecError((), "the file holds more than one YAML document", position=at,
                                       hint="keep one document; remove the '---' line and what follows"))
            self.started = True
            if event.version not in (None, (1, 2)):
                declared = ".".join(map(str, event.version))
                self._error((), f"only YAML 1.2 is supported, the file declares %YAML {declared}",
                            "remove the %YAML line", at)
        elif event.kind == "end":
            self.stack.pop()
        else:
            self._node(event)

    def _error(self, path: SpecPath, message: str, hint: str, at: Position, key: bool = False) -> None:
        self.errors.append(SpecError(path, message, hint=hint, position=at, key=key))

    def _node(self, event: Event) -> None:
        at = event.position
        parent = self.stack[-1] if self.stack else None
        is_key = parent is not None and isinstance(parent.value, dict) and parent.expect_key
        path, live = self._slot(parent, is_key)
        if event.anchor is not None or event.kind == "alias":
            raise _Fatal(SpecError(path, "anchors and aliases are not allowed", _ANCHOR_HINT, at))
        tag = event.tag
        if tag is not None:
            tag = "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag
            self._error(path, f"tags are not allowed: {tag}", _TAG_HINT, at)
        plain = event.plain and tag is None
        if event.kind == "scalar":
            value = event.value
            if plain:
                try:
                    value = _plain(event.value)
                except ValueError:
                    too_long = f"number too long ({len(event.value)} digits)"
                    self._error(path, too_long, "quote it if it is a string", at)
        else:
            value = {} if event.kind == "mapping" else []
        if is_key:
            parent.expect_key = False
            self._key(parent, value, plain and event.value == "<<", event, at)
        else:
            self._attach(parent, path, live, value, at, plain and event.value == "")
        if event.kind != "scalar":
            if len(self.stack) >= MAX_DEPTH:
                raise _Fatal(SpecError(path, _DEPTH_MESSAGE, position=at,
                                       hint="flatten the structure; no section of the spec nests this deep"))
            self.stack.append(_Frame(path, value, live and not is_key))

    def _slot(self, parent: _Frame | None, is_key: bool) -> tuple[SpecPath, bool]:
        """Where the next node goes, and whether it is kept (not under a rejected key)."""
        if parent is None:
            return (), True
        if isinstance(parent.value, list):
            return parent.path + (len(parent.value),), parent.live
        if is_key or parent.key is _NOKEY:
            return parent.path, False
        return parent.path + (parent.key,), parent.live

    def _key(self, parent: _Frame, key, merge: bool, event, at: Position) -> None:
        parent.key, parent.key_mark = _NOKEY, at
        path = parent.path
        if merge:
            problem, hint = "merge keys (<<) are not allowed", _ANCHOR_HINT
        elif isinstance(key, (dict, list)):
            got = "a mapping" if isinstance(key, dict) else "a list"
            problem, hint = f"keys must be strings, got {got}", "use a plain name as the key"
        elif not isinstance(key, str):
            got = _KIND[type(key)] + ("" if key is None else f" {event.value}")
            problem, hint = f"keys must be strings, got {got}", "quote the key"
        elif key in parent.first_line:
            path = parent.path + (key,)
            problem = f"duplicate key {key!r} (first defined at line {parent.first_line[key]})"
            hint = "keep one of them, or merge their contents"
        else:
            parent.first_line[key] = at.line
            parent.key = key
            return
        self._error(path, problem, hint, at, key=True)

    def _attach(self, parent: _Frame | None, path: SpecPath, live: bool, value, at: Position, empty: bool):
        if parent is None:
            if empty:  # `---` and nothing else
                return
            self.root = value
            if not isinstance(value, dict):
                self._error((), "the top level must be a mapping of sections (project, region, ...)",
                            _MINIMAL_HINT, at)
        elif isinstance(parent.value, list):
            parent.value.append(value)
        else:
            parent.expect_key = True
            if live:
                parent.value[parent.key] = value
                self.key_marks[path] = parent.key_mark
                at = parent.key_mark if empty else at  # `region:` with nothing after it: point at the key
        if live:
            self.value_marks[path] = at
