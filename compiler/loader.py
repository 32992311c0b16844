"""The first pass: bytes in, plain data and a source map out.

Why not `yaml.load`: a constructed tree has lost what users need (where each value
was written) and has already done what they must be protected from (alias expansion,
custom tags, YAML 1.1 booleans, silent last-key-wins). So the loader walks ruamel's
*parse events* itself: nothing is expanded or constructed before it is checked, the
walk is an explicit stack (no recursion, whatever the nesting), and scalar meaning is
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

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, DocumentStartEvent
from ruamel.yaml.events import MappingStartEvent, NodeEvent, ScalarEvent
from ruamel.yaml.reader import ReaderError

from .errors import Position, SpecError, SpecInvalid, SpecPath

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


def _at(mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


_STD = "tag:yaml.org,2002:"  # what ruamel expands `!!` to
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
        for event in self._events():
            if isinstance(event, DocumentStartEvent):
                at = _at(event.start_mark)
                if self.started:
                    raise _Fatal(SpecError((), "the file holds more than one YAML document", position=at,
                                           hint="keep one document; remove the '---' line and what follows"))
                self.started = True
                if event.version not in (None, (1, 2)):
                    declared = ".".join(map(str, event.version))
                    self._error((), f"only YAML 1.2 is supported, the file declares %YAML {declared}",
                                "remove the %YAML line", at)
            elif isinstance(event, CollectionEndEvent):
                self.stack.pop()
            elif isinstance(event, NodeEvent):
                self._node(event)

    def _events(self):
        """ruamel's events, with every parser failure turned into a `_Fatal`."""
        events = YAML(typ="safe", pure=True).parse(self.text)
        try:
            while True:
                try:
                    event = next(events)
                except StopIteration:
                    return
                except YAMLError as exc:
                    raise _Fatal(self._syntax(exc)) from None
                except RecursionError:
                    raise _Fatal(SpecError((), _DEPTH_MESSAGE, position=_TOP)) from None
                except Exception as exc:  # a parser bug must still read as a spec problem, not a traceback
                    failed = f"the YAML parser failed ({type(exc).__name__})"
                    raise _Fatal(SpecError((), failed, position=_TOP)) from None
                yield event
        finally:
            events.close()

    def _error(self, path: SpecPath, message: str, hint: str, at: Position, key: bool = False) -> None:
        self.errors.append(SpecError(path, message, hint=hint, position=at, key=key))

    def _node(self, event) -> None:
        at = _at(event.start_mark)
        parent = self.stack[-1] if self.stack else None
        is_key = parent is not None and isinstance(parent.value, dict) and parent.expect_key
        path, live = self._slot(parent, is_key)
        if event.anchor is not None or isinstance(event, AliasEvent):
            raise _Fatal(SpecError(path, "anchors and aliases are not allowed", _ANCHOR_HINT, at))
        tag = None if event.tag is None else str(event.tag)
        if tag is not None:
            tag = "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag
            self._error(path, f"tags are not allowed: {tag}", _TAG_HINT, at)
        plain = isinstance(event, ScalarEvent) and event.style is None and tag is None
        if isinstance(event, ScalarEvent):
            value = event.value
            if plain:
                try:
                    value = _plain(event.value)
                except ValueError:
                    too_long = f"number too long ({len(event.value)} digits)"
                    self._error(path, too_long, "quote it if it is a string", at)
        else:
            value = {} if isinstance(event, MappingStartEvent) else []
        if is_key:
            parent.expect_key = False
            self._key(parent, value, plain and event.value == "<<", event, at)
        else:
            self._attach(parent, path, live, value, at, plain and event.value == "")
        if not isinstance(event, ScalarEvent):
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

    def _syntax(self, exc: YAMLError) -> SpecError:
        if isinstance(exc, ReaderError) and isinstance(exc.character, int):
            before = self.text[: exc.position]
            at = Position(before.count("\n") + 1, exc.position - before.rfind("\n"))
            return SpecError((), f"control character U+{exc.character:04X} is not allowed", position=at,
                             hint="remove it, or write it as an escape in a double-quoted string")
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        if not isinstance(exc, MarkedYAMLError) or mark is None:
            return SpecError((), "the file is not readable YAML", position=_TOP)
        at = _at(mark)
        tab = self._tab(at.line)
        if tab is not None or "'\\t'" in (exc.problem or ""):
            where = "for indentation" if tab else "here"
            return SpecError((), f"tab characters are not allowed {where}", hint="indent with spaces",
                             position=tab or at)
        problem = _clean(exc.problem or exc.context or "invalid YAML")
        if "tag handle" in problem or "URI" in problem:
            return SpecError((), f"tags are not allowed ({problem})", hint=_TAG_HINT, position=at)
        hint = "quote the value if it contains ': ', ' #', or starts with a special character"
        if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
            what = _clean(re.sub(r"^while \w+ (an? |the )?", "", exc.context))
            line = exc.context_mark.line + 1
            hint = f"check the indentation and quoting of the {what} that starts at line {line}"
        return SpecError((), f"YAML syntax error: {problem}", hint=hint, position=at)

    def _tab(self, line: int) -> Position | None:
        """A tab in the indentation of the failing line (or the one before) is the likely cause."""
        lines = self.text.split("\n")
        for number in (line, line - 1):
            if 1 <= number <= len(lines):
                indent = re.match(r"[ \t]*", lines[number - 1]).group()
                if "\t" in indent:
                    return Position(number, indent.index("\t") + 1)
        return None


_WORDS = {  # ruamel's token names first, then the nouns of its "while parsing a ..." contexts
    "<stream end>": "the end of the file", "end of stream": "end of the file", "<stream start>": "the start",
    "<block end>": "the end of the indented block", "<block mapping start>": "a new mapping",
    "<block sequence start>": "a new list", "<document start>": "'---'", "<document end>": "'...'",
    "<directive>": "a % directive", "<scalar>": "a value", "<tag>": "a tag", "<anchor>": "an anchor",
    "<alias>": "an alias", "<comment>": "a comment", "'?'": "a key",
    "block mapping": "mapping", "block collection": "list", "flow sequence": "[...] list",
    "flow mapping": "{...} mapping", "quoted scalar": "quoted string", "simple key": "key",
    "block scalar": "block text", "plain scalar": "value",
}


def _clean(text: str) -> str:
    """ruamel names its tokens (`<block end>`); users know keys, values, lists and lines."""
    for word, plain in _WORDS.items():
        text = text.replace(f"'{word}'", plain).replace(word, plain)
    return text.strip()
