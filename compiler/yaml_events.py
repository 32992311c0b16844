"""YAML parse events for the loader, from libyaml when that gives the same answer, else ruamel.

Why two parsers: ruamel's pure-Python parser is the reference (YAML 1.2, and the
syntax-error texts users see come from it), but it costs more than every other step of
`mlops validate` together. libyaml (PyYAML's C parser) emits the same events in a
tenth of the time for the specs people write. It is used only where the two are known
to agree (tests/test_yaml_events.py compares them on every YAML file in the repository
and on generated YAML): no tab, no directive, no unusual line break or byte-order mark
anywhere, no tag, anchor, alias, left-out value or block text, and no syntax error.
Anything else, and any libyaml failure, goes to ruamel, so what a spec means and every
error message are ruamel's.

Events are `Event` tuples, the same from both parsers; `SyntaxProblem` carries a
parser failure already worded for the person editing the YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from .errors import Position

# Where libyaml (YAML 1.1 rules) and ruamel (1.2) are known to disagree: tabs (ruamel
# refuses them in more places), directives (the document's start mark differs), line
# breaks other than \n and \r\n, a byte-order mark inside the text, and a quoted key
# with its colon right after it (`["x":y]`: libyaml reads a mapping, ruamel refuses).
_ONLY_RUAMEL = re.compile(r"[\t\x85\u2028\u2029\ufeff]|\r(?!\n)|^%|[\"']:", re.MULTILINE)


class Event(NamedTuple):
    """One parse event. kind: document, mapping, sequence, scalar, alias or end (of a
    collection); style of a scalar: "" plain, ' " | or >; version: of a %YAML directive."""

    kind: str
    line: int
    column: int
    value: str | None = None
    style: str | None = None
    anchor: str | None = None
    tag: str | None = None
    version: tuple[int, int] | None = None

    @property
    def plain(self) -> bool:
        return self.style == ""

    @property
    def position(self) -> Position:
        return Position(self.line + 1, self.column + 1)


class SyntaxProblem(Exception):
    """The parser stopped: `message`, `hint` and where, worded for users."""

    def __init__(self, message: str, position: Position, hint: str | None = None):
        super().__init__(message)
        self.message, self.position, self.hint = message, position, hint


_KINDS = {
    "DocumentStartEvent": "document", "MappingStartEvent": "mapping", "SequenceStartEvent": "sequence",
    "ScalarEvent": "scalar", "AliasEvent": "alias", "MappingEndEvent": "end", "SequenceEndEvent": "end",
}


def _event(raw, kind: str) -> Event:
    if kind == "end":  # where a collection ends is no one's business (libyaml and ruamel differ)
        return Event(kind, 0, 0)
    mark = raw.start_mark
    tag = getattr(raw, "tag", None)
    style = getattr(raw, "style", None)
    if kind == "scalar":
        style = style or ""  # ruamel writes None for plain, libyaml ""
    return Event(kind, mark.line, mark.column, getattr(raw, "value", None), style, getattr(raw, "anchor", None),
                 None if tag is None else str(tag), getattr(raw, "version", None))


def events(text: str) -> Iterator[Event]:
    """The events of `text`; raises SyntaxProblem where the YAML is not readable,
    RecursionError where it nests too deep for ruamel's recursive parser."""
    fast = _libyaml(text)
    if fast is not None:
        return iter(fast)
    return _ruamel(text)


def _libyaml(text: str) -> list[Event] | None:
    """All events from libyaml, or None to leave the text to ruamel."""
    if _ONLY_RUAMEL.search(text):
        return None
    try:
        import yaml

        loader = yaml.CSafeLoader
    except (ImportError, AttributeError):  # PyYAML built without libyaml
        return None
    try:
        found = [_event(raw, kind) for raw in yaml.parse(text, Loader=loader)
                 if (kind := _KINDS.get(type(raw).__name__)) is not None]
    except Exception:  # whatever libyaml refuses, ruamel words the error
        return None
    return None if any(map(_unusual, found)) else found


def _unusual(event: Event) -> bool:
    """Events the loader rejects or points at where libyaml's marks differ from ruamel's:
    tags, anchors and aliases (errors, so speed does not matter), and a value left out
    (`key:` with nothing after it, `- ` alone), which is an empty plain scalar; and block
    text (`|`, `>`), whose header libyaml reads more leniently."""
    return (event.kind == "alias" or event.anchor is not None or event.tag is not None
            or (event.plain and event.value == "") or event.style in ("|", ">"))


def _ruamel(text: str) -> Iterator[Event]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    parsed = YAML(typ="safe", pure=True).parse(text)
    try:
        while True:
            try:
                raw = next(parsed)
            except StopIteration:
                return
            except YAMLError as exc:
                raise _syntax(text, exc) from None
            except RecursionError:  # the loader reports nesting too deep
                raise
            except Exception as exc:  # a parser bug must still read as a spec problem, not a traceback
                raise SyntaxProblem(f"the YAML parser failed ({type(exc).__name__})", Position(1, 1)) from None
            kind = _KINDS.get(type(raw).__name__)
            if kind is not None:
                yield _event(raw, kind)
    finally:
        parsed.close()


_TAG_HINT = "write a plain value; quote it if it is a string"


def _syntax(text: str, exc) -> SyntaxProblem:
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

    if isinstance(exc, ReaderError) and isinstance(exc.character, int):
        before = text[: exc.position]
        at = Position(before.count("\n") + 1, exc.position - before.rfind("\n"))
        return SyntaxProblem(f"control character U+{exc.character:04X} is not allowed", at,
                             "remove it, or write it as an escape in a double-quoted string")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if not isinstance(exc, MarkedYAMLError) or mark is None:
        return SyntaxProblem("the file is not readable YAML", Position(1, 1))
    at = Position(mark.line + 1, mark.column + 1)
    tab = _tab(text, at.line)
    if tab is not None or "'\\t'" in (exc.problem or ""):
        where = "for indentation" if tab else "here"
        return SyntaxProblem(f"tab characters are not allowed {where}", tab or at, "indent with spaces")
    problem = _clean(exc.problem or exc.context or "invalid YAML")
    if "tag handle" in problem or "URI" in problem:
        return SyntaxProblem(f"tags are not allowed ({problem})", at, _TAG_HINT)
    hint = "quote the value if it contains ': ', ' #', or starts with a special character"
    if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
        what = _clean(re.sub(r"^while \w+ (an? |the )?", "", exc.context))
        line = exc.context_mark.line + 1
        hint = f"check the indentation and quoting of the {what} that starts at line {line}"
    return SyntaxProblem(f"YAML syntax error: {problem}", at, hint)


def _tab(text: str, line: int) -> Position | None:
    """A tab in the indentation of the failing line (or the one before) is the likely cause."""
    lines = text.split("\n")
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
