"""`mlops`: the command line. The only place that prints and chooses exit codes (with
the cli_*.py files of the commands that have their own, and gate_cli.py).

Exit codes: 0 ok; 1 the spec is invalid, or a registry refused or could not be asked
(`versions`, `promote`), or the gate could not judge a stack (`gate`: checkov failed, a
stack or exceptions.json is unreadable), or `bootstrap` found an existing resource
weaker than it should be or AWS failed, or `ci` was asked for a system or branch the
spec's roles do not trust; 2 usage error (bad flags, a file or path that cannot be read
or written, no checkov, credentials of another account); 3 an internal error (a bug:
please report it); 4 a valid input and a check
that found something: `compile --check` found generated/ stale, `diff --fail-on destroy`
found a destroy, `gate` found a failed check nobody excepted or a stale exception.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import cli_bootstrap, cli_ci, cli_diff, cli_init, cli_registry, gate_cli
from .errors import SpecError, SpecInvalid, format_path, printable
from .exits import EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL, EXIT_FOUND
from .version import VersionAction


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if getattr(args, "needs_spec", False):  # commands of other files that start from a checked spec
            return _checked(args.run)(args)
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `mlops validate --format json | head`: the reader left, stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # a path the command cannot read or write: the user's to fix, not a bug
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"mlops: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bug, not a bad spec: say so without a wall of text
        if os.environ.get("MLOPS_DEBUG"):
            raise
        print(f"mlops: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("mlops: this is a bug; rerun with MLOPS_DEBUG=1 for the traceback and report it", file=sys.stderr)
        return EXIT_INTERNAL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlops", description="Compile mlops.yaml into Terraform JSON per environment.")
    parser.add_argument("--version", action=VersionAction,
                        help="print the mlops version, the Terraform it requires and the providers it pins")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def spec_args(p: argparse.ArgumentParser, formats: tuple[str, ...] = ("text", "json")) -> None:
        p.add_argument("-f", "--file", default="mlops.yaml", help="the spec (default: mlops.yaml)")
        p.add_argument("--format", choices=formats, default="text", help="output format")

    p = sub.add_parser("validate", help="check the spec and report every error; starts no CDK runtime")
    spec_args(p)
    p.set_defaults(run=_validate)

    p = sub.add_parser("compile", help="write generated/<env>/cdk.tf.json for every environment")
    spec_args(p)
    p.add_argument("-o", "--output", default="generated", help="output directory (default: generated)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 4 if the output directory is stale")
    p.set_defaults(run=_compile)

    p = sub.add_parser("locate", help="show which line of the spec produced a Terraform address; starts no CDK runtime")
    spec_args(p)
    p.add_argument("address", help="a resource or data source address, e.g. aws_s3_bucket.data_raw")
    p.add_argument("--env", help="the environment (default: every environment that has the address)")
    p.set_defaults(run=_locate)

    cli_registry.add_commands(sub, spec_args)
    cli_diff.add_command(sub, spec_args)
    cli_init.add_command(sub)
    cli_ci.add_command(sub, spec_args)
    cli_bootstrap.add_command(sub, spec_args)

    p = sub.add_parser("graph", help="the platform the spec describes, per environment, as a Mermaid flowchart")
    spec_args(p, formats=("text",))
    p.add_argument("--env", help="one environment (default: all)")
    p.set_defaults(run=_graph, needs_spec=True)
    gate_cli.add_command(sub)  # imports the gate when it runs

    p = sub.add_parser("schema", help="print the bundled JSON Schema, or write it with -o")
    p.add_argument("-o", "--output", help="write the schema to this file")
    p.add_argument("--reference", action="store_true", help="the Markdown reference of every key instead "
                                                             "(docs/spec-reference.md)")
    p.set_defaults(run=_schema)
    return parser


def _read(args: argparse.Namespace) -> bytes | None:
    try:
        return Path(args.file).read_bytes()
    except OSError as exc:
        print(f"mlops: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return None


def _checked(command):
    """A command that reads the spec: it runs on the checked spec, or the exit code is
    returned once the problem is reported. Every command that reads a spec starts here."""
    def run(args: argparse.Namespace) -> int:
        from .pipeline import check

        raw = _read(args)
        if raw is None:
            return EXIT_USAGE
        checked = check(raw, args.file)
        return _report(args, checked) if checked.errors else command(args, checked)
    return run


@_checked
def _validate(args: argparse.Namespace, checked) -> int:
    if args.format == "json":
        print(json.dumps({"errors": []}))
    else:
        envs = ", ".join(r.env.name for r in checked.resolved)
        print(f"{args.file}: ok ({len(checked.resolved)} environments: {envs})")
    return EXIT_OK


@_checked
def _compile(args: argparse.Namespace, checked) -> int:
    from .pipeline import plan, targets
    from .retire import MARKER, unretired_removals

    outdir = Path(args.output)
    built = targets(checked)
    checked.errors = unretired_removals(outdir, {t.stack.env.name for t in built})
    if checked.errors:
        return _report(args, checked)
    try:
        files = plan(built, Path(args.file).name)
    except SpecInvalid as invalid:  # a stack does not conform to the provider schemas
        checked.errors = invalid.errors
        return _report(args, checked)
    if args.check:
        return _check(args, files, outdir)
    changed = files.write(outdir)
    if args.format == "json":
        print(json.dumps({"output": str(outdir), "files": sorted(files.files), "changed": changed}, indent=2))
        return EXIT_OK
    print(f"wrote {outdir}/ ({len(files.files)} files, {len(changed)} changed)")
    for rel in changed:
        print(f"  {outdir / rel}")
    for target in built:
        if target.retired is not None:
            print(f"{target.stack.env.name} is retired: {outdir / target.stack.env.name / MARKER} says how to destroy it")
    return EXIT_OK


def _check(args: argparse.Namespace, files, outdir: Path) -> int:
    """`compile --check`: exit 4 (not 1, which means an invalid spec) when stale."""
    stale = files.stale(outdir)
    if args.format == "json":
        print(json.dumps({"stale": [{"file": str(outdir / rel), "reason": why} for rel, why in stale]}, indent=2))
        return EXIT_FOUND if stale else EXIT_OK
    for rel, why in stale:
        print(f"{outdir / rel}: stale ({why})", file=sys.stderr)
    if stale:
        print(f"mlops: {outdir}/ does not match {args.file}; run `mlops compile`", file=sys.stderr)
        return EXIT_FOUND
    print(f"{outdir}/ is up to date")
    return EXIT_OK


@_checked
def _locate(args: argparse.Namespace, checked) -> int:
    """From a Terraform address (a plan line, a console tag) back to the spec line."""
    from .pipeline import targets

    found = []
    for resolved, target in zip(checked.resolved, targets(checked)):
        if args.env and resolved.env.name != args.env:
            continue
        moved = dict(target.moved)  # an address from before a rename: where it is now
        address = args.address
        while address in moved:
            address = moved[address]
        for resource in target.stack.resources:
            if resource.address == address:
                path = resolved.origin(resource.spec_path)
                pos = checked.document.position(path)
                found.append({"file": args.file, "line": pos.line, "column": pos.column, "env": resolved.env.name,
                              "address": address, "spec_path": format_path(path), "module": resource.module,
                              "moved_from": args.address if address != args.address else None})
    if args.format == "json":
        print(json.dumps({"matches": found}, indent=2))
    for match in found if args.format != "json" else []:
        moved = f" (moved from {match['moved_from']})" if match["moved_from"] else ""
        print(f"{match['file']}:{match['line']}:{match['column']}: {match['env']}: {match['address']}{moved}: "
              f"{printable(match['spec_path'])} (module {match['module']})")
    if not found:
        print(f"mlops: no environment of {args.file} emits {args.address}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _graph(args: argparse.Namespace, checked) -> int:
    from .graph import mermaid

    chosen = [r for r in checked.resolved if args.env in (None, r.env.name)]
    if not chosen:
        print(f"mlops: no environment named '{args.env}'", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(mermaid(chosen))
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from . import registry
    from .schema import assemble, render

    schema = assemble(registry.modules())
    if args.reference:
        from .reference import render as render_reference

        text = render_reference(schema)
    else:
        text = render(schema)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _report(args: argparse.Namespace, checked) -> int:
    rows = []
    for error in checked.errors:
        pos = error.position
        if pos is None and checked.document is not None:
            pos = checked.document.position(error.path, key=error.key)
        rows.append((pos.line if pos else 1, pos.column if pos else 1, error))
    rows.sort(key=lambda r: (r[0], r[1], format_path(r[2].path), r[2].message))
    if args.format == "json":
        print(json.dumps({"errors": [_as_json(args.file, *row) for row in rows]}, indent=2))
    else:
        for line, col, error in rows:
            # Everything after the position may echo the spec: escaped, so it stays one line.
            print(f"{args.file}:{line}:{col}: error: {printable(format_path(error.path))}: {printable(error.message)}",
                  file=sys.stderr)
            if error.hint:
                print(f"  hint: {printable(error.hint)}", file=sys.stderr)
        tail = "; nothing was written" if args.command == "compile" else ""
        print(f"mlops: {len(rows)} error{'s' if len(rows) != 1 else ''}{tail}", file=sys.stderr)
    return EXIT_INVALID


def _as_json(file: str, line: int, col: int, error: SpecError) -> dict:
    return {"file": file, "line": line, "column": col, "path": format_path(error.path),
            "message": error.message, "hint": error.hint}


if __name__ == "__main__":
    sys.exit(main())
