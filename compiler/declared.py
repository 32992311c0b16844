"""The spec's checkov exceptions, checked against the built stacks before synthesis.

The checkov gate (`mlops gate`, compiler/gate.py) fails on any finding not declared, and on a
declared exception that matches nothing. Both used to surface only there, against
`exceptions.json`, long after validate and compile had passed. What compile can know
it checks here, pointing at the spec line:
- an `exceptions:` entry names a check id of the pinned checkov that inspects the
  resource's type (from compiler/schemas/checkov/, see tools/checkov_checks.py), a
  resource address each environment's stack contains (with a did-you-mean among the
  stack's addresses), and only environments that exist;
- every finding a module knows a spec setting causes (`BuildContext.checkov_finding`,
  e.g. log retention under checkov's one year) is declared by the spec for that
  environment: the setting stays a choice, made visibly, never a surprise at the gate.
Modules use `log_retention` (part of the module API) for spec-set log retention.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .errors import SpecError, SpecPath, did_you_mean, unknown_name


@dataclass(frozen=True)
class ExpectedFinding:
    """A checkov finding a spec setting causes: `check` on `resource` (an address),
    because of the value at spec path `path`, described by `why`."""

    check: str
    resource: str
    path: SpecPath
    why: str


# The pinned checkov's Terraform checks for aws and awscc, written by
# tools/checkov_checks.py: id -> resource types it inspects ([] for graph checks).
# Package data, beside this file, so an installed wheel reads it too.
CHECKS = Path(__file__).resolve().parent / "schemas" / "checkov" / "terraform-checks.json"


@cache
def checks() -> tuple[str, dict[str, list[str]]]:
    doc = json.loads(CHECKS.read_text("utf-8"))
    return doc["checkov"], doc["checks"]


def entries(data: Mapping[str, Any]) -> list[SpecError]:
    """Each exception names a check of the pinned checkov that inspects the resource's
    type, and only environments of the spec."""
    errors: list[SpecError] = []
    names = data.get("environments") or {}
    version, known = checks()
    for i, exc in enumerate(data.get("exceptions") or []):
        check, kind = exc["check"], exc["resource"].split(".")[0]
        if check not in known:
            errors.append(SpecError(("exceptions", i, "check"), f"checkov {version} has no AWS Terraform check {check}",
                                    hint=did_you_mean(check, known) or "see `checkov --list` for the ids"))
        elif known[check] and kind not in known[check]:
            errors.append(SpecError(("exceptions", i, "check"), f"{check} inspects {', '.join(known[check])}, "
                                    f"not {kind}: it can never fail on {exc['resource']}",
                                    hint="check the id and the resource against the gate's report"))
        for k, env in enumerate(exc.get("environments") or []):
            errors += unknown_name(("exceptions", i, "environments", k), env, names, "environment", "environments",
                                   hint="environments: " + ", ".join(sorted(names)))
    return errors


# checkov 3.3.30's CKV_AWS_338 (CloudWatchLogGroupRetentionYear) passes a log group
# whose retention_in_days is at least 365, or 0 (kept forever).
LOG_RETENTION_CHECK, LOG_RETENTION_DAYS = "CKV_AWS_338", 365


def log_retention(ctx, group, days: int, path: tuple, what: str) -> None:
    """Declare the finding a log group kept `days` (a spec setting at `path`) causes."""
    if 0 < days < LOG_RETENTION_DAYS:
        ctx.checkov_finding(LOG_RETENTION_CHECK, group, path, f"{what} are kept {days} days, under a year")


def check(stacks: Iterable) -> list[SpecError]:
    stacks = list(stacks)
    return _unknown_resources(stacks) + _undeclared(stacks)


def _unknown_resources(stacks: list) -> list[SpecError]:
    missing: dict[tuple, list] = {}
    for stack in stacks:
        addresses = {r.address for r in stack.resources}
        for path, exc in stack.spec_exceptions:
            if exc.resource not in addresses:
                missing.setdefault((path, exc.resource), []).append(stack)
    errors = []
    for (path, address), where in missing.items():
        names = ", ".join(s.env.name for s in where)
        elsewhere = [s.env.name for s in stacks if s not in where and any(r.address == address for r in s.resources)]
        if elsewhere:
            hint = f"only {', '.join(elsewhere)} has it: add environments: [{', '.join(elsewhere)}] to this exception"
        else:
            candidates = {r.address for s in where for r in s.resources if not r.data_source}
            same_type = {a for a in candidates if a.split(".")[0] == address.split(".")[0]}
            hint = (did_you_mean(address, same_type or candidates)
                    or "name a resource address of the generated stack (mlops locate finds where it comes from)")
        errors.append(SpecError(path + ("resource",), f"no resource {address} in the stack of {names}", hint=hint))
    return errors


def _undeclared(stacks: list) -> list[SpecError]:
    undeclared: dict[tuple, list] = {}
    for stack in stacks:
        declared = {(exc.check, exc.resource) for _, exc in stack.spec_exceptions}
        for finding in stack.expected_findings:
            if (finding.check, finding.resource) not in declared:
                undeclared.setdefault((finding.path, finding.check, finding.resource, finding.why), []).append(stack.env.name)
    errors = []
    for (path, check, address, why), names in undeclared.items():
        only = f", environments: [{', '.join(names)}]" if len(names) < len(stacks) else ""
        entry = f"{{check: {check}, resource: {address}, reason: ..., expires: YYYY-MM-DD{only}}}"
        errors.append(SpecError(path, f"{why}, and checkov's {check} rejects that on {address} "
                                f"({', '.join(names)}); the choice needs a declared exception",
                                hint=f"keep the default, or add to exceptions: {entry}"))
    return errors

