"""`mlops gate [DIR ...]`: the checkov gate as a command (part of the CLI, split from
cli.py like cli_diff.py; the gate itself is compiler/gate.py).

This file imports only the standard library at start, so `mlops validate` and `--help`
stay as fast as before; the gate, and the spec pipeline its locations need (json and
sarif only), are imported when the command runs.

Exit codes, as for every command: 0 every stack passed; 1 the gate could not judge a
stack (unreadable stack or exceptions.json, checkov crashed, could not parse a stack or
scanned nothing); 2 usage (bad flags, no stacks, checkov not found); 4 the stacks were
scanned and the gate found something (a failed check nobody excepted, an expired or
unused exception). 1 wins over 4: a gate that could not see everything passes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from .exits import EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_FOUND

GENERATED = Path("generated")


def add_command(sub) -> None:
    p = sub.add_parser("gate", help="run checkov over the generated stacks and hold them to their declared exceptions")
    p.add_argument("dirs", nargs="*", type=Path, metavar="DIR",
                   help="a stack directory with cdk.tf.json (default: every environment in generated/)")
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                   help="output format; sarif is SARIF 2.1.0 for GitHub code scanning")
    p.add_argument("--checkov", metavar="PATH", help="the checkov executable (else $MLOPS_CHECKOV, "
                                                     ".venv-checkov/bin/checkov, checkov on PATH)")
    p.add_argument("-f", "--file", help="the spec the stacks were compiled from, whose lines json and sarif "
                                        "findings point at (default: mlops.yaml, when there is one)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the date exceptions expire against (default: today)")
    p.set_defaults(run=run)


def stack_dirs(args: argparse.Namespace) -> list[Path]:
    """The named directories, or every environment compile wrote under generated/."""
    from .gate import UsageError

    dirs = args.dirs or sorted(d for d in GENERATED.glob("*/") if (d / "cdk.tf.json").is_file())
    if not dirs:
        raise UsageError(f"no stacks in {GENERATED}/: run `mlops compile` first, or name stack directories")
    missing = [str(d) for d in dirs if not (d / "cdk.tf.json").is_file()]
    if missing:
        raise UsageError(f"no cdk.tf.json in: {', '.join(missing)}")
    return dirs


def run(args: argparse.Namespace) -> int:
    from . import gate

    try:
        try:
            today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
        except ValueError as err:
            raise gate.UsageError(f"--today {args.today!r}: {err}") from None
        if args.file and not Path(args.file).is_file():
            raise gate.UsageError(f"cannot read {args.file}: no such file")
        dirs = stack_dirs(args)
        checkov = gate.find_checkov(args.checkov, dict(os.environ))
    except gate.UsageError as err:
        print(f"mlops: {err}", file=sys.stderr)
        return EXIT_USAGE
    report = gate.scan(dirs, today, checkov)
    sys.stdout.write(render(args, report))
    if report.errors:
        return EXIT_INVALID
    return EXIT_FOUND if report.findings else EXIT_OK


def render(args: argparse.Namespace, report) -> str:
    from . import gate_report

    if args.format == "text":
        return gate_report.text(report)
    spec, why = None, None
    file = args.file or ("mlops.yaml" if Path("mlops.yaml").is_file() else None)
    if file:
        spec, why = gate_report.locator(file)
    if why:
        print(f"mlops: findings point at the stacks, not the spec: {why}", file=sys.stderr)
    if args.format == "json":
        return gate_report.as_json(report, spec)
    from .gate_sarif import as_sarif

    return as_sarif(report, spec, _version())


def _version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version("mlops")
    except metadata.PackageNotFoundError:
        return None
