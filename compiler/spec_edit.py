"""Set one value in mlops.yaml as a person would: in place, keeping every comment and
the layout of everything else.

Why not load and dump: a YAML round trip re-indents lists, re-flows mappings and moves
comments, and the reviewer of a one-line promotion would read a diff of the whole file.
Here the text is edited where the value is written (or, when the key does not exist
yet, appended to the deepest mapping that does, in that mapping's own style), and the
result is accepted only if loading it gives exactly the old data with that one value
set. Otherwise the caller is told what to write by hand, and nothing is written.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

from .errors import SpecPath, format_path


class EditRefused(Exception):
    """The value could not be set without touching anything else; says what to write."""


def set_value(text: str, path: SpecPath, value: int | str) -> str:
    """`text` with the value at `path` (mapping keys only) set to `value`."""
    from ruamel.yaml import YAML

    root = YAML(typ="safe", pure=True).compose(text)
    node, depth = root, 0
    while depth < len(path):
        child = _child(node, path[depth])
        if child is None:
            break
        node, depth = child, depth + 1
    if depth == len(path):
        if node.id != "scalar":
            raise EditRefused(f"{format_path(path)} is not a single value")
        new = text[: node.start_mark.index] + _scalar(value) + text[node.end_mark.index:]
    elif node.id != "mapping":
        raise EditRefused(f"{format_path(path[:depth])} is not a mapping")
    elif node.flow_style:
        new = _into_flow(text, node, path[depth:], value)
    else:
        new = _into_block(text, node, path[depth:], value)
    _verify(text, new, path, value)
    return new


def _child(node, key: str):
    if node.id != "mapping":
        return None
    for key_node, value_node in node.value:
        if key_node.id == "scalar" and key_node.value == key:
            return value_node
    return None


def _scalar(value: int | str) -> str:
    return str(value) if isinstance(value, int) else json.dumps(value)


def _nested_flow(rest: SpecPath, value) -> str:
    inner = _scalar(value)
    for key in reversed(rest[1:]):
        inner = f"{{{key}: {inner}}}"
    return f"{rest[0]}: {inner}"


def _into_flow(text: str, node, rest: SpecPath, value) -> str:
    """`{a: 1}` becomes `{a: 1, key: {...: value}}`."""
    close = node.end_mark.index - 1  # the `}`
    if text[close] != "}":
        raise EditRefused("unexpected layout of a {...} mapping")
    separator = ", " if node.value else ""
    return text[:close] + separator + _nested_flow(rest, value) + text[close:]


def _into_block(text: str, node, rest: SpecPath, value) -> str:
    """New lines after the mapping's last entry, indented like its keys; the last two
    keys on one line (`endpoint: {model_version: 5}`), as people write overrides."""
    if not node.value:
        raise EditRefused("empty block mapping")
    indent = node.value[0][0].start_mark.column
    last = node.value[-1][1]
    while last.id in ("mapping", "sequence") and not last.flow_style and last.value:
        last = last.value[-1][1] if last.id == "mapping" else last.value[-1]
    end = last.end_mark.index
    if text[end - 1 : end] == "\n":  # block text (`|`) ends after its last line break
        end -= 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    *outer, inner = rest if len(rest) == 1 else (*rest[:-2], _nested_flow(rest[-2:], value))
    lines = [" " * (indent + 2 * depth) + f"{key}:" for depth, key in enumerate(outer)]
    last_line = inner if len(rest) > 1 else f"{inner}: {_scalar(value)}"
    lines.append(" " * (indent + 2 * len(outer)) + last_line)
    return text[:line_end] + "\n" + "\n".join(lines) + text[line_end:]


def _verify(old: str, new: str, path: SpecPath, value) -> None:
    """The edit changed that value and nothing else, as the loader reads the file."""
    from .errors import SpecInvalid
    from .loader import load

    try:
        before, after = load(old.encode(), "before").data, load(new.encode(), "after").data
    except SpecInvalid:
        raise EditRefused("the edited file would not be valid YAML") from None
    expected = copy.deepcopy(before)
    node = expected
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    if after != expected:
        raise EditRefused("the edit would change more than that value")


def write_atomically(path: Path, text: str) -> None:
    """Write the file in one rename, keeping an existing file's permissions (a new one
    gets the usual ones); never half-written."""
    import tempfile

    if path.exists():
        mode = path.stat().st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
