"""`mlops diff`: the platform change a spec change makes, for the reviewer of a pull
request (part of the CLI, split from cli.py to keep each file readable).

The base spec is read from git (`--base`, default HEAD), both are checked and built
without the CDK, and `mlops.diff` compares the stacks. Output as text, JSON, or GitHub
workflow annotations on the spec lines.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import format_path
from .exits import EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_FOUND

if TYPE_CHECKING:  # imported when the command runs: `mlops validate` needs none of it
    from .diff import Change, EnvironmentDiff

SYMBOLS = {"add": "+", "remove": "-", "change": "~", "replace": "-/+", "move": "->"}


def add_command(sub, spec_args) -> None:
    p = sub.add_parser("diff", help="what a change to the spec does to each environment's resources; no CDK, no AWS")
    spec_args(p, formats=("text", "json", "github"))
    p.add_argument("--base", default="HEAD", help="the git revision to compare with (default: HEAD)")
    p.add_argument("--fail-on", choices=("destroy",), help="exit 4 when the change destroys or replaces a stateful "
                                                            "resource or an endpoint")
    p.set_defaults(run=run, needs_spec=True)


def run(args: argparse.Namespace, checked) -> int:
    base_text = _base(args)
    if isinstance(base_text, int):
        return base_text
    return report(args, base_text, checked)


def report(args: argparse.Namespace, base_text: bytes | None, checked) -> int:
    """Compare the checked spec with the base spec's bytes (None: no spec there), print
    in `args.format`, and choose the exit code."""
    from .diff import compare
    from .pipeline import check
    from .replacement import forces_new

    base = check(base_text, f"{args.base}:{args.file}") if base_text is not None else None
    if base is not None and base.errors:
        count = f"{len(base.errors)} error{'s' if len(base.errors) != 1 else ''}"
        print(f"mlops: the spec at {args.base} does not validate ({count}); "
              f"choose another --base", file=sys.stderr)
        return EXIT_INVALID
    before = list(zip(base.resolved, base.built)) if base else []
    after = list(zip(checked.resolved, checked.built))
    diffs = compare(before, after, forces_new)
    document = checked.document
    renamed = _looks_renamed(diffs, checked)
    if args.format == "json":
        print(json.dumps(_as_json(args, diffs, document) | {"looks_renamed": [
            {"entry": format_path(path), "renamed_from": was} for path, was in renamed]}, indent=2))
    elif args.format == "github":
        for change in _all(diffs):
            print(_annotation(args.file, change, document))
    else:
        _text(args, diffs, document)
    for path, was in renamed:
        print(f"hint: {format_path(path)} looks like {format_path(path[:-1])}.{was} renamed: write "
              f"`renamed_from: {was}` under it, and its resources move instead (README: Renaming an entry)",
              file=sys.stderr)
    destroys = [c for c in _all(diffs) if c.destroys]
    return EXIT_FOUND if args.fail_on == "destroy" and destroys else EXIT_OK


def _looks_renamed(diffs: list[EnvironmentDiff], checked) -> list[tuple[tuple, str]]:
    """Entries whose resources all go while another entry's of the same map all come,
    in any environment: a rename that forgot `renamed_from`."""
    from . import registry
    from .renames import suggested
    from .schema import assemble

    removed = [c.spec_path for c in _all(diffs) if c.action == "remove"]
    added = [c.spec_path for c in _all(diffs) if c.action == "add"]
    if not removed or not added:
        return []
    keep = {c.spec_path for c in _all(diffs) if c.action not in ("remove", "add")}
    return suggested([p for p in removed if p not in keep], added, assemble(registry.modules()))


def _base(args: argparse.Namespace) -> bytes | None | int:
    """The spec's bytes at the base revision; None when the file is new there."""
    import subprocess

    spec = Path(args.file).resolve()
    try:
        done = subprocess.run(["git", "show", f"{args.base}:./{spec.name}"], cwd=spec.parent, capture_output=True)
    except OSError as exc:
        print(f"mlops: cannot run git: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    if done.returncode == 0:
        return done.stdout
    message = done.stderr.decode(errors="replace").strip()
    if "exists on disk, but not in" in message or "does not exist in" in message:
        return None
    print(f"mlops: cannot read {args.file} at {args.base}: {message.splitlines()[-1] if message else 'git failed'}",
          file=sys.stderr)
    return EXIT_USAGE


def _all(diffs: list[EnvironmentDiff]) -> list[Change]:
    return [change for diff in diffs for change in diff.changes]


def _position(change: Change, document) -> tuple[int, int]:
    """Where the change was written in the spec as it is now, or the nearest line still
    there (for what was removed): the lines a reviewer sees."""
    pos = document.position(change.spec_path)
    return pos.line, pos.column


def _describe(change: Change) -> str:
    what = {"add": "added", "remove": "destroyed", "change": "changed", "replace": "replaced", "move": ""}[change.action]
    attributes = f" ({', '.join(change.attributes)})" if change.attributes else ""
    loss = f" [{change.stateful}]" if change.destroys else ""
    moved = f" moved from {change.moved_from}" + (", " if what else "") if change.moved_from else " "
    return f"{change.address}{moved}{what}{attributes}{loss}"


def _text(args, diffs: list[EnvironmentDiff], document) -> None:
    from .errors import format_path, printable

    print(f"mlops diff: {args.base} -> working tree ({args.file})")
    for diff in diffs:
        counts = {a: sum(c.action == a for c in diff.changes) for a in SYMBOLS}
        status = {"added": " (new environment)", "removed": " (environment removed)"}.get(diff.status, "")
        moving = sum(c.moved_from is not None for c in diff.changes)
        print(f"\n{diff.name}{status}: {counts['add']} to add, {counts['change']} to change, "
              f"{counts['replace']} to replace, {counts['remove']} to destroy, {moving} to move")
        if diff.status == "removed":
            print(f"  compile refuses this until {diff.name} is retired (environments.{diff.name}.retired: true) and "
                  "destroyed; what holds data:")
        groups: dict[tuple, list[Change]] = {}
        for change in diff.changes if diff.status != "removed" else [c for c in diff.changes if c.destroys]:
            groups.setdefault(change.spec_path, []).append(change)
        for path, changes in sorted(groups.items(), key=lambda g: (_position(g[1][0], document), g[0])):
            line, column = _position(changes[0], document)
            print(f"  {args.file}:{line}:{column} {printable(format_path(path))}")
            for change in changes:
                print(f"    {SYMBOLS[change.action]:>3} {printable(_describe(change))}")
    destroys = [c for c in _all(diffs) if c.destroys]
    for change in destroys:
        print(f"WARNING: {change.env}: {change.address} ({change.stateful}) will be "
              f"{'destroyed' if change.action == 'remove' else 'replaced'}", file=sys.stderr)


def _annotation(file: str, change: Change, document) -> str:
    """A GitHub workflow command: a warning on the spec line for what destroys, else a notice."""
    line, column = _position(change, document)
    level = "warning" if change.destroys else "notice"
    text = _describe(change).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::{level} file={file},line={line},col={column},title=mlops diff ({change.env})::{text}"


def _as_json(args, diffs: list[EnvironmentDiff], document) -> dict:
    from .errors import format_path

    def one(change: Change) -> dict:
        line, column = _position(change, document)
        return {"address": change.address, "action": change.action, "spec_path": format_path(change.spec_path),
                "line": line, "column": column, "attributes": list(change.attributes),
                "stateful": change.stateful, "destroys": change.destroys, "moved_from": change.moved_from}

    return {"base": args.base, "file": args.file,
            "environments": [{"name": d.name, "status": d.status, "changes": [one(c) for c in d.changes]}
                             for d in diffs],
            "destroys": sum(c.destroys for c in _all(diffs))}
