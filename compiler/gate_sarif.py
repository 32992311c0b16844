"""`mlops gate --format sarif`: the gate's findings as SARIF 2.1.0, for GitHub code
scanning (upload it with github/codeql-action/upload-sarif) or any SARIF viewer.

One run. The driver's rules are every checkov check that ran on the stacks (passed ones
too, so a fixed finding closes its alert: the rule ran and found nothing) and the
gate's own rule for an exception nothing matches. A result is one finding: its ruleId
the check id, its location the spec line that produced the resource (see
compiler/gate_report.py), else the block in `cdk.tf.json`; the stack's line is kept as
a related location. Excepted findings are left out: they pass the gate, and code
scanning would open an alert for each (it does not close results on SARIF
`suppressions`); `--format json` lists them with their reasons. Errors (checkov
crashed, an unreadable stack) are tool execution notifications of a failed invocation.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .gate import Report
from .gate_exceptions import Finding
from .gate_report import Locator, in_stack

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
UNUSED = "mlops-gate/unused-exception"
HOW = ("Fix the resource in mlops.yaml, or accept the finding by declaring an exception (check, resource, "
       "reason, expires) under `exceptions:`; the gate fails on every finding nobody declared.")


def uri(path: str | Path) -> str:
    """Relative to the working directory (the repository root in CI) when inside it, as
    code scanning wants; else an absolute file URI."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_uri()


def _location(file: str | Path, line: int | None, column: int | None = None) -> dict:
    region = {"startLine": line or 1}
    if column:
        region["startColumn"] = column
    return {"physicalLocation": {"artifactLocation": {"uri": uri(file)}, "region": region}}


def _rule(check: str, name: str) -> dict:
    return {"id": check, "name": check, "shortDescription": {"text": name}, "fullDescription": {"text": name},
            "help": {"text": f"checkov {check}: {name}. {HOW}"},
            "defaultConfiguration": {"level": "error"}, "properties": {"tags": ["security", "checkov", "terraform"]}}


def _unused_rule() -> dict:
    text = "A declared checkov exception matches no finding"
    return {"id": UNUSED, "name": "UnusedException", "shortDescription": {"text": text},
            "fullDescription": {"text": text + ": checkov no longer reports that check on that resource."},
            "help": {"text": "Remove the exception (from `exceptions:` in mlops.yaml, or from the module that "
                             "declares it): an exception that excuses nothing hides the next finding it matches."},
            "defaultConfiguration": {"level": "error"}, "properties": {"tags": ["security", "mlops"]}}


def _message(f: Finding) -> str:
    env = f.stack.name
    if f.status == "unused":
        return (f"{env}: the exception for {f.check} on {f.address} (declared by "
                f"{f.exception.get('declared_by', '?')}) matches no finding: remove it")
    what = f"{env}: {f.address} fails {f.check} ({f.name})"
    if f.status == "expired":
        return (f"{what}: its exception (declared by {f.exception.get('declared_by', '?')}) expired on "
                f"{f.exception['expires']}; renew it with a new reason or fix the resource")
    if f.status == "skipped":
        return f"{what}: checkov skipped it; declare exceptions in exceptions.json, not by skipping"
    return f"{what}: not excepted"


def _result(f: Finding, rules: dict[str, int], spec: Locator | None) -> dict:
    rule = UNUSED if f.status == "unused" else f.check
    file, line = in_stack(f)
    place = spec.find(f) if spec else None
    primary = _location(place.file, place.line, place.column) if place else _location(file, line)
    primary["logicalLocations"] = [{"name": f.address, "fullyQualifiedName": f"{f.stack.name}.{f.address}",
                                    "kind": "resource"}]
    result = {"ruleId": rule, "ruleIndex": rules[rule], "level": "error", "message": {"text": _message(f)},
              "locations": [primary], "properties": {"environment": f.stack.name, "status": f.status}}
    if place:
        related = _location(file, line)
        related.update(id=1, message={"text": f"the generated {'exception' if f.status == 'unused' else 'block'}"})
        result["relatedLocations"] = [related]
    return result


def as_sarif(report: Report, spec: Locator | None, version: str | None = None) -> str:
    checks = dict(report.checks)
    for f in report.findings:
        if f.status != "unused":
            checks.setdefault(f.check, f.name)
    rules = [_rule(check, checks[check]) for check in sorted(checks)] + [_unused_rule()]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    driver = {"name": "mlops gate", "rules": rules}
    if version:
        driver["version"] = version
    invocation = {"executionSuccessful": not report.errors}
    if report.errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": e.text}}
            | ({"locations": [_location(e.file, None)]} if e.file != "checkov" else {})
            for e in report.errors]
    run = {"tool": {"driver": driver}, "invocations": [invocation], "columnKind": "unicodeCodePoints",
           "results": [_result(f, index, spec) for f in report.findings],
           "properties": {"summary": report.counts}}
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
