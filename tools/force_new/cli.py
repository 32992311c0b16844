"""The command line of tools/extract_force_new.py (its docstring has the usage).

Exit codes: 0 written or up to date, 1 --check found a difference, 2 the source cannot
give a complete table (a type it does not define, a path that is no provider source).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import REPO
from .source import Source, SourceError
from .table import build

SHORT = {"github.com/hashicorp/terraform-provider-aws": "aws", "github.com/hashicorp/terraform-provider-awscc": "awscc"}


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="extract_force_new.py", description="Write "
                                 "compiler/schemas/providers/<provider>.replace.json from the provider's Go source.")
    ap.add_argument("--source", type=Path, required=True,
                    help="the provider repository: a checkout, or a git directory (bare is fine)")
    ap.add_argument("--rev", help="revision of a git source (default HEAD; with --check, the commit the table names)")
    ap.add_argument("--overlay", type=Path, help="directory of further files with PROVENANCE.json (docs/replacement.md)")
    ap.add_argument("--out", type=Path, help="default compiler/schemas/providers/<provider>.replace.json")
    ap.add_argument("--check", action="store_true", help="compare with the committed file; exit 1 when it differs")
    return ap


def dump_json(obj) -> str:
    """The committed text: keys sorted, indent 1, a final newline (like the schema slices)."""
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except SourceError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    """Read the source, build the table, then write it or compare it with the committed one."""
    probe = Source(args.source, args.rev, args.overlay)
    short = SHORT.get(probe.module())
    if short is None:
        raise SourceError(f"{args.source}: module {probe.module()} is not a provider mlops uses")
    out = args.out or REPO / "compiler" / "schemas" / "providers" / f"{short}.replace.json"
    src = probe
    if args.check and args.rev is None and probe.rev is not None and out.exists():
        src = Source(args.source, json.loads(out.read_text("utf-8"))["source"].get("commit"), args.overlay)
    from provider_schema.pin import pinned_version  # tools/ is on sys.path

    text = dump_json(build(src, short, pinned_version(short)))
    if args.check:
        if not out.exists() or out.read_text("utf-8") != text:
            print(f"out of date: {out}", file=sys.stderr)
            return 1
        print(f"up to date: {out}", file=sys.stderr)
        return 0
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0
