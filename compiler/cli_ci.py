"""`mlops ci github|gitlab`: write the CI workflow for a spec (part of the CLI, split
from cli.py). The workflow's content is compiler/workflows.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .exits import EXIT_OK, EXIT_INVALID, EXIT_USAGE

DEFAULT_PATHS = {"github": ".github/workflows/mlops.yml", "gitlab": ".gitlab-ci.yml"}


def add_command(sub, spec_args) -> None:
    p = sub.add_parser("ci", help="write a CI workflow: checks and plans on pull requests, applies on the main branch")
    spec_args(p, formats=("text",))
    p.add_argument("system", choices=sorted(DEFAULT_PATHS), help="the CI system")
    p.add_argument("--install", required=True, metavar="REQUIREMENT",
                   help="how CI installs this mlops: a pip requirement, e.g. 'mlops @ "
                        "git+https://github.com/<org>/mlops@<commit>' or a wheel URL")
    p.add_argument("-o", "--output", help="where to write it (default: .github/workflows/mlops.yml or .gitlab-ci.yml)")
    p.add_argument("--branch", help="the branch whose pushes apply (default: the spec's ci.<system>.branch, else main)")
    p.add_argument("--force", action="store_true", help="overwrite an existing workflow file")
    p.set_defaults(run=run, needs_spec=True)


def run(args: argparse.Namespace, checked) -> int:
    from .spec_edit import write_atomically
    from .workflows import Target, github, gitlab

    missing = [r.env.name for r in checked.resolved if not r.env.role_arn]
    if missing:
        print(f"mlops: CI assumes each environment's role, and {', '.join(missing)} names none; "
              f"set environments.<env>.role (the role Terraform deploys with)", file=sys.stderr)
        return EXIT_INVALID
    declared = checked.document.data.get("ci") or {}
    if declared and args.system not in declared:
        print(f"mlops: the spec's ci: names {', '.join(declared)}, whose identity the roles trust, not {args.system}",
              file=sys.stderr)
        return EXIT_INVALID
    branch = args.branch or (declared.get(args.system) or {}).get("branch", "main")
    if declared and branch != declared[args.system].get("branch", "main"):
        print(f"mlops: --branch {branch}: the roles trust ci.{args.system}.branch "
              f"({declared[args.system].get('branch', 'main')}); change it there, then bootstrap", file=sys.stderr)
        return EXIT_INVALID
    order = list(checked.document.data["environments"])  # as the spec lists them: the last is the most protected
    resolved = sorted(checked.resolved, key=lambda r: order.index(r.env.name))
    targets = [Target(r.env.name, r.env.region, r.env.role_arn) for r in resolved]
    output = Path(args.output or DEFAULT_PATHS[args.system])
    if output.exists() and not args.force:
        print(f"mlops: {output} exists; --force overwrites it", file=sys.stderr)
        return EXIT_USAGE
    render = github if args.system == "github" else gitlab
    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(output, render(Path(args.file).name, targets, args.install, branch))
    print(f"wrote {output} ({', '.join(t.name for t in targets)})")
    return EXIT_OK
