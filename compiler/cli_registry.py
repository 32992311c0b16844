"""`mlops versions` and `mlops promote`: the commands that ask a registry (part of the CLI,
split from cli.py to keep each file readable; the same exit codes).

Both start from a spec that passes every check, read the model package group's name
from the stack built for the training environment (what compile emits, not a rebuilt
string), and ask that group with boto3.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import did_you_mean
from .exits import EXIT_INVALID as EXIT_REFUSED  # a registry refused or could not be asked
from .exits import EXIT_OK

# What the commands use is imported when they run, so that `mlops validate` imports none of it.
if TYPE_CHECKING:
    from .registry_client import Registry, Version


def add_commands(sub, spec_args) -> None:
    p = sub.add_parser("versions", help="list a model's versions in its training environment's registry (boto3)")
    spec_args(p)
    p.add_argument("model", help="a model of the spec")
    p.add_argument("--env", help="an environment: list the registry it serves from (default: the one that trains)")
    p.add_argument("--profile", help="AWS profile for the registry's account (default: the usual boto3 chain)")
    p.set_defaults(run=versions, needs_spec=True)

    p = sub.add_parser("promote", help="serve an approved version in an environment: rewrite its model_version")
    spec_args(p)
    p.add_argument("model", help="a model of the spec")
    p.add_argument("version", type=int, help="the model package version to serve")
    p.add_argument("--to", required=True, metavar="ENV", help="the environment that serves it")
    p.add_argument("--dry-run", action="store_true", help="print the change to the spec; write nothing")
    p.add_argument("--profile", help="AWS profile for the registry's account (default: the usual boto3 chain)")
    p.set_defaults(run=promote, needs_spec=True)


def versions(args: argparse.Namespace, checked) -> int:
    from . import promotion
    from .registry_client import RegistryError

    data = checked.document.data
    env = args.env or _only_training_env(data)
    problem = _unknown(data, args.model, env)
    if problem:
        return _refuse(problem)
    trains_in = promotion.training_environment(data, env)
    try:
        registry = _registry(checked, args.model, trains_in, args.profile)
        found = registry.versions()
    except RegistryError as exc:
        return _refuse(f"cannot read the registry of {trains_in}: {exc}")
    served = _served(checked, args.model, trains_in)
    gate = _resolved(checked, trains_in).spec["models"][args.model]["evaluation"]["metric"]
    if args.format == "json":
        print(json.dumps({"group": registry.arn, "gate_metric": gate,
                          "versions": [_as_json(v, served) for v in found]}, indent=2))
        return EXIT_OK
    print(f"{registry.group} ({trains_in}: account {registry.env.account}, {registry.env.region})")
    if not found:
        print("  no versions yet: run the model's training pipeline")
    rows = [("VERSION", "STATUS", "CREATED (UTC)", "GATE METRIC", "SERVED IN")]
    for v in found:
        metric = f"{gate}={v.metrics[gate]:g}" if gate in v.metrics else "-"
        rows.append((str(v.number), v.status, f"{v.created:%Y-%m-%d %H:%M}", metric, ", ".join(served.get(v.number, [])) or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows if found else []:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])
    return EXIT_OK


def promote(args: argparse.Namespace, checked) -> int:
    from . import promotion
    from .registry_client import RegistryError
    from .spec_edit import EditRefused, set_value, write_atomically

    data = checked.document.data
    problem = _unknown(data, args.model, args.to)
    if problem:
        return _refuse(problem)
    target = promotion.target(data, args.model, args.to)
    resolved = _resolved(checked, target.trains_in)
    serving = _resolved(checked, args.to).spec["models"].get(args.model) or {}
    if not isinstance(serving.get("endpoint"), dict):  # settings with no version yet: the first promotion
        return _refuse(f"{args.model} has no endpoint in {args.to}: promote sets the version an endpoint serves; "
                       f"describe the endpoint first (models.{args.model}.endpoint, e.g. its instance_type)")
    try:
        registry = _registry(checked, args.model, target.trains_in, args.profile)
        version = registry.version(args.version)
    except RegistryError as exc:
        return _refuse(f"cannot read the registry of {target.trains_in}: {exc}")
    if version is None:
        return _refuse(f"{registry.group} has no version {args.version} (account {registry.env.account}, "
                       f"{registry.env.region}); `mlops versions {args.model}` lists them")
    why = promotion.gate_problem(version, resolved.spec["models"][args.model]["evaluation"])
    if why:
        return _refuse(f"version {args.version} of {args.model} is not promoted: {why}")
    spec = Path(args.file)
    with spec.open(encoding="utf-8", newline="") as handle:  # keep the file's line endings
        text = handle.read()
    try:
        new = set_value(text, target.path, args.version)
    except EditRefused as exc:
        return _refuse(f"cannot rewrite {spec} ({exc}); set {'.'.join(target.path)}: {args.version} by hand")
    from .pipeline import check

    errors = check(new.encode(), args.file).errors
    if errors:
        return _refuse(f"serving version {args.version} in {args.to} would make {spec} invalid: "
                       + "; ".join(e.message for e in errors[:3]))
    if new == text:
        print(f"{args.to} already serves version {args.version} of {args.model}; nothing to change")
        return EXIT_OK
    diff = difflib.unified_diff(text.splitlines(True), new.splitlines(True), f"a/{spec}", f"b/{spec}")
    sys.stdout.writelines(diff)
    if args.dry_run:
        print(f"dry run: {spec} not written")
        return EXIT_OK
    write_atomically(spec, new)
    print(f"{args.to} now serves version {args.version} of {args.model} ({version.arn}); "
          f"review and commit {spec}, then `mlops compile`")
    return EXIT_OK


def _registry(checked, model: str, env: str, profile: str | None) -> Registry:
    """The model's group as the training environment's stack creates it."""
    from .registry_client import Registry, RegistryError

    for resolved, built in zip(checked.resolved, checked.built):
        if resolved.env.name != env:
            continue
        for resource in built.stack.resources:
            if resource.type == "aws_sagemaker_model_package_group" and resource.spec_path[:2] == ("models", model):
                return Registry(resolved.env, resource.attrs["model_package_group_name"], profile)
    raise RegistryError(f"{env} has no model package group for {model}")


def _resolved(checked, env: str):
    return next(one for one in checked.resolved if one.env.name == env)


def _served(checked, model: str, trains_in: str) -> dict[int, list[str]]:
    """Which environments serve which version of the model, as the spec pins them."""
    from . import promotion

    served: dict[int, list[str]] = {}
    for resolved in checked.resolved:
        one = resolved.spec.get("models", {}).get(model)
        if one and promotion.training_environment(checked.document.data, resolved.env.name) == trains_in:
            pinned = (one.get("endpoint") or {}).get("model_version")
            if pinned:
                served.setdefault(pinned, []).append(resolved.env.name)
    return served


def _only_training_env(data) -> str:
    from . import promotion

    training = [name for name in sorted(data["environments"]) if promotion.training_environment(data, name) == name]
    return training[0] if len(training) == 1 else ""


def _unknown(data, model: str, env: str) -> str | None:
    envs = sorted(data["environments"])
    if not env:
        return f"more than one environment trains models; choose one with --env ({', '.join(envs)})"
    if env not in envs:
        hint = did_you_mean(env, envs) or f"environments: {', '.join(envs)}"
        return f"no environment named '{env}' ({hint})"
    models = sorted(data.get("models") or {}) + sorted(
        ((data["environments"][env].get("additions") or {}).get("models") or {}))
    if model not in models:
        hint = did_you_mean(model, models) or (f"models: {', '.join(models)}" if models else "the spec has no models")
        return f"no model named '{model}' in {env} ({hint})"
    return None


def _as_json(v: Version, served: dict[int, list[str]]) -> dict:
    return {"version": v.number, "status": v.status, "created": v.created.isoformat(), "arn": v.arn,
            "training_job": v.training_job, "metrics": v.metrics, "served_in": served.get(v.number, [])}


def _refuse(message: str) -> int:
    print(f"mlops: {message}", file=sys.stderr)
    return EXIT_REFUSED
