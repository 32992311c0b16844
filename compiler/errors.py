"""The one error type every pass returns, and how it becomes a line for a person.

A pass never prints: it returns (or raises, for the loader) `SpecError`s that carry a
*spec path* -- the tuple of keys and list indexes leading to the offending value, e.g.
("data", "datasets", "tx", "bucket"). The CLI turns the path into `file:line:col` once,
through the source map the loader kept, so every message is anchored the same way.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SpecPath = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Position:
    """1-based line and column in the spec file."""

    line: int
    column: int


@dataclass(frozen=True)
class SpecError:
    """One problem with the spec.

    `path` locates the value; `position`, when set, overrides the source-map look-up
    (the loader knows exact positions of syntax errors that have no path yet).
    `key` says to point at the mapping key rather than its value (unknown keys).
    `hint` says what to write instead.
    """

    path: SpecPath
    message: str
    hint: str | None = None
    position: Position | None = None
    key: bool = False

    def dotted(self) -> str:
        return format_path(self.path)


class SpecInvalid(Exception):
    """Raised by a pass that cannot go on; carries every error found so far."""

    def __init__(self, errors: list[SpecError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def format_path(path: SpecPath) -> str:
    """Render a spec path the way users write it: data.buckets.raw or models[0]."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


def printable(text: str) -> str:
    """`text` with control, format and line-separator characters escaped (`\\n`, `\\x1b`,
    `\\u202e`): a key or value echoed from the spec must neither end its error line, so
    each error stays one `file:line:col:` line, nor move the cursor or recolor the
    user's terminal."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _UNPRINTABLE else ch
        for ch in text
    )


_UNPRINTABLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest allowed word, if one is close enough to be a typo; when
    `choices` are spec entries and one was renamed from `word`, that one."""
    if isinstance(choices, Mapping):
        for name, entry in choices.items():
            was = entry.get("renamed_from") if isinstance(entry, Mapping) else None
            if word == was or (isinstance(was, list) and word in was):
                return f"'{name}' was renamed from '{word}': name it '{name}' here too"
    matches = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None


def unknown_name(path: SpecPath, value: str, choices: Iterable[str], what: str, where: str,
                 hint: str | None = None) -> list[SpecError]:
    """The error for a reference to a `what` that `where` does not declare, hinting at
    the closest declared name (else `hint`); none when the name exists. Every
    cross-reference check words it the same way."""
    if value in choices:
        return []
    return [SpecError(path, f"no {what} named '{value}' in {where}", hint=did_you_mean(value, choices) or hint)]
