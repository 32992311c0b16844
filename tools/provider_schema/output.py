"""Writing the two documents, or with --check comparing them with the committed files.

The committed slices are reviewed as diffs, so the text is canonical: keys sorted, one
space of indent, non-ASCII kept, a final newline (a test holds the files to it).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from . import REPO

SCHEMA_DIR = REPO / "compiler" / "schemas" / "providers"


def dump_json(obj: Any) -> str:
    """The canonical text of a document (see the module docstring)."""
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def output_paths(short: str, out: Path | None, resolutions: Path | None) -> tuple[Path, Path]:
    """(schema path, resolutions path): compiler/schemas/providers/<short>.json and its
    <stem>.resolutions.json by default."""
    out = out or (SCHEMA_DIR / f"{short}.json")
    return out, resolutions or out.with_name(out.name.removesuffix(".json") + ".resolutions.json")


def check(files: list[tuple[Path, str]], summary: str) -> int:
    """0 when every file exists with exactly this text, else 1 naming the stale ones."""
    stale = [p for p, text in files if not p.exists() or p.read_text(encoding="utf-8") != text]
    if stale:
        print("out of date: " + ", ".join(str(p) for p in stale), file=sys.stderr)
        return 1
    print("up to date: " + summary, file=sys.stderr)
    return 0


def write(schema: tuple[Path, str], resolutions: tuple[Path, str], summary: str) -> None:
    """Write both (path, text) pairs, creating the schema's directory."""
    (out, schema_text), (res_path, res_text) = schema, resolutions
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(schema_text, encoding="utf-8")
    res_path.write_text(res_text, encoding="utf-8")
    print(f"wrote {out} ({len(schema_text)} bytes) and {res_path}: {summary}", file=sys.stderr)
