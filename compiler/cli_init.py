"""`mlops init`: start a platform from nothing (part of the CLI, split from cli.py).

Writes a starter mlops.yaml (compiler/starter.py) from flags, or from questions when a
flag is missing and a person is at the terminal, and the JSON Schema beside it so an
editor completes and checks the file outside this repository too. The spec is checked
before anything is written; a bad answer is reported against its flag.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from .exits import EXIT_OK, EXIT_INVALID, EXIT_USAGE
from .starter import TRAINING, Answers, render
SCHEMA_FILE = "mlops.schema.json"
_ENV = re.compile(r"^(?P<name>[^=]+)=(?P<account>.+)$")


def add_command(sub) -> None:
    p = sub.add_parser("init", help="write a starter mlops.yaml (and its JSON Schema beside it) and validate it")
    p.add_argument("-f", "--file", default="mlops.yaml", help="the spec to write (default: mlops.yaml)")
    p.add_argument("--project", help="project name: lowercase letters, digits and hyphens, 3 to 24 characters")
    p.add_argument("--region", help="AWS region, e.g. eu-west-1")
    p.add_argument("--env", action="append", metavar="NAME=ACCOUNT",
                   help="an environment and its 12-digit account id; repeat for each (e.g. --env dev=111111111111)")
    p.add_argument("--training", choices=TRAINING, help="how the first model trains: a built-in algorithm (builtin), "
                                                          "your script in a framework container (framework), your "
                                                          "own image (custom), or no model yet (none)")
    p.add_argument("--state-bucket", help="the Terraform state bucket (default: <project>-tfstate)")
    p.add_argument("--force", action="store_true", help="overwrite an existing spec")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    spec = Path(args.file)
    if spec.exists() and not args.force:
        print(f"mlops: {spec} exists; choose another --file, or --force to overwrite it", file=sys.stderr)
        return EXIT_USAGE
    answers = _answers(args)
    if isinstance(answers, int):
        return answers
    text = render(answers, SCHEMA_FILE)
    problems = _problems(text, spec.name)
    if problems:
        for problem in problems:
            print(f"mlops: {problem}", file=sys.stderr)
        print("mlops: nothing was written", file=sys.stderr)
        return EXIT_INVALID
    from . import registry
    from .schema import assemble
    from .schema import render as render_schema
    from .spec_edit import write_atomically

    write_atomically(spec.parent / SCHEMA_FILE, render_schema(assemble(registry.modules())))
    write_atomically(spec, text)
    print(f"wrote {spec} and {spec.parent / SCHEMA_FILE}; it validates.")
    print(f"next: edit it, then `mlops compile -f {spec}` writes generated/<env>/ for Terraform")
    return EXIT_OK


def _answers(args: argparse.Namespace) -> Answers | int:
    """Flags first; what is missing is asked at a terminal, and is an error elsewhere."""
    wanted = {"project": args.project, "region": args.region, "env": args.env, "training": args.training}
    missing = [name for name, value in wanted.items() if value is None]
    if missing and not sys.stdin.isatty():
        flags = ", ".join(f"--{name}" for name in missing)
        print(f"mlops: init needs {flags} (or run it at a terminal to be asked)", file=sys.stderr)
        return EXIT_USAGE
    project = args.project or _ask("project name (e.g. fraud-detection)")
    region = args.region or _ask("AWS region (e.g. eu-west-1)")
    envs = args.env or _ask("environments as NAME=ACCOUNT, space-separated (e.g. dev=111111111111)").split()
    training = args.training or _ask(f"how the first model trains ({', '.join(TRAINING)})", "builtin")
    pairs = []
    for env in envs:
        match = _ENV.match(env)
        if not match:
            print(f"mlops: --env {env!r}: write NAME=ACCOUNT, e.g. dev=111111111111", file=sys.stderr)
            return EXIT_USAGE
        pairs.append((match["name"], match["account"]))
    if training not in TRAINING:
        print(f"mlops: training {training!r}: choose one of {', '.join(TRAINING)}", file=sys.stderr)
        return EXIT_USAGE
    return Answers(project, region, tuple(pairs), training, args.state_bucket)


def _ask(question: str, default: str | None = None) -> str:
    suffix = f" [{default}]" if default else ""
    answer = input(f"{question}{suffix}: ").strip()
    return answer or default or ""


_FLAGS = {"project": "--project", "region": "--region", "environments": "--env", "state": "--state-bucket"}


def _problems(text: str, name: str) -> list[str]:
    """What the checks say of the rendered spec, worded against the flags that set it."""
    from .errors import format_path, printable
    from .pipeline import check

    checked = check(text.encode(), name)
    return [f"{_FLAGS.get(str(e.path[0]) if e.path else '', format_path(e.path))}: "
            f"{printable(format_path(e.path))}: {printable(e.message)}" + (f" ({e.hint})" if e.hint else "")
            for e in checked.errors]
