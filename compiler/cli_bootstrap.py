"""`mlops bootstrap --env ENV`: create what Terraform needs before its first `init` in an
environment's account (part of the CLI, split from cli.py; the work is compiler/bootstrap.py).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .exits import EXIT_OK, EXIT_INVALID, EXIT_USAGE

if TYPE_CHECKING:  # imported when the command runs: other commands never pay for it
    from .bootstrap import Plan, Target


def add_command(sub, spec_args) -> None:
    p = sub.add_parser("bootstrap", help="create the state bucket and the deploy role an environment's account needs "
                                         "before terraform init (boto3); creates only, never changes what exists")
    spec_args(p, formats=("text",))
    p.add_argument("--env", required=True, help="the environment whose account to bootstrap")
    p.add_argument("--dry-run", action="store_true", help="print the calls that would create; make only read calls")
    p.add_argument("--profile", help="AWS profile with credentials in that account (default: the usual boto3 chain)")
    p.set_defaults(run=run, needs_spec=True)


def run(args: argparse.Namespace, checked) -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from .bootstrap import Plan, deploy_role, state_bucket

    resolved = {r.env.name: r for r in checked.resolved}
    if args.env not in resolved:
        print(f"mlops: no environment named '{args.env}' ({', '.join(sorted(resolved))})", file=sys.stderr)
        return EXIT_USAGE
    one = resolved[args.env]
    target, problem = _target(one, checked.document.data)
    if problem:
        print(f"mlops: {problem}", file=sys.stderr)
        return EXIT_INVALID
    plan = Plan()
    try:
        session = boto3.Session(profile_name=args.profile, region_name=target.region)
        account = session.client("sts").get_caller_identity()["Account"]
        if account != target.account:
            print(f"mlops: the credentials are for account {account}, not {args.env}'s {target.account}", file=sys.stderr)
            return EXIT_USAGE
        state = one.spec["state"]
        if state.get("role"):
            plan.present.append(f"state bucket {state['bucket']}: reached through state.role, in another account; "
                                "bootstrap it there")
        else:
            state_bucket(session.client("s3", region_name=state.get("region") or target.region), state,
                         state.get("region") or target.region, target.partition, plan)
        deploy_role(session.client("iam"), target, plan)
        return _finish(args, session, plan, target)
    except (ClientError, BotoCoreError) as exc:
        print(f"mlops: the AWS call failed: {exc}", file=sys.stderr)
        return EXIT_INVALID


def _target(one, data) -> tuple[Target | None, str | None]:
    from .bootstrap import Target

    env = one.env
    if not env.role_arn:
        return None, f"environments.{env.name}.role is not set: bootstrap creates the role it names"
    if f":iam::{env.account}:role/" not in env.role_arn:
        return None, f"environments.{env.name}.role is in another account than {env.name}'s {env.account}"
    ci = data.get("ci")
    if not ci:
        return None, "bootstrap makes the deploy role trust your CI: set ci.github.repository (or ci.gitlab.project)"
    if len(ci) > 1:
        return None, "ci names both github and gitlab: the deploy role trusts one CI system; keep one"
    boundary = (one.spec.get("governance") or {}).get("permissions_boundary")
    if boundary and not boundary.startswith("arn:"):
        boundary = f"arn:{env.partition}:iam::{env.account}:policy/{boundary}"
    return Target(env.account, env.region, env.partition, env.role_arn.rsplit("/", 1)[-1], boundary, ci, env.name), None


def _finish(args, session, plan: Plan, target: Target) -> int:
    print(f"bootstrap {target.env} (account {target.account}, {target.region}):")
    for item in plan.present:
        print(f"  exists: {item}")
    for problem in plan.problems:
        print(f"  problem: {problem}", file=sys.stderr)
    if not plan.calls:
        print("  nothing to create" + ("" if plan.problems else "; nothing changed"))
    # With a problem known, nothing is created: a half-made setup would pass the next run's checks.
    verb = "would call" if args.dry_run else "not called (fix the problems first)" if plan.problems else "call"
    for call in plan.calls:
        print(f"  {verb}: {call}")
        if not args.dry_run and not plan.problems:
            getattr(session.client(call.service), call.operation)(**call.params)
    return EXIT_INVALID if plan.problems else EXIT_OK
