"""`mlops gate` reports as text and JSON, and where each finding points (part of the
gate, compiler/gate.py; SARIF is compiler/gate_sarif.py).

A finding is about a resource of a generated stack, but the line someone edits is in
the spec: the *place* of a finding is the spec line that produced the resource (as
`mlops locate` finds it: the built stacks record each resource's spec path), or, for an
exception the spec declares, that entry of `exceptions:`. Without a spec that
validates, or for what no spec line produced, the place is the line in the stack's own
files (`cdk.tf.json`, `exceptions.json`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .gate import Report
from .gate_exceptions import Finding


@dataclass(frozen=True)
class Place:
    """A line of the spec: file, 1-based line and column, and the dotted spec path."""

    file: str
    line: int
    column: int
    path: str


class Locator:
    """Spec places by environment, from a spec that passed every check (`mlops.pipeline.check`)."""

    def __init__(self, file: str, checked) -> None:
        from .errors import format_path

        self.resources: dict[tuple[str, str], Place] = {}
        self.exceptions: dict[tuple[str, str, str], Place] = {}

        def place(path) -> Place:
            pos = checked.document.position(path)
            return Place(file, pos.line, pos.column, format_path(path))

        for resolved, target in zip(checked.resolved, checked.built):
            env = resolved.env.name
            for resource in target.stack.resources:
                self.resources[env, resource.address] = place(resolved.origin(resource.spec_path))
            for path, exc in target.stack.spec_exceptions:  # already paths of the spec as written
                self.exceptions[env, exc.check, exc.resource] = place(path)

    def find(self, finding: Finding) -> Place | None:
        env = finding.stack.name  # generated/<env>/
        if finding.status == "unused":
            return self.exceptions.get((env, finding.check, finding.address))
        return self.resources.get((env, finding.address))


def locator(file: str) -> tuple[Locator | None, str | None]:
    """The spec's places, or None and why not (unreadable, or it does not validate)."""
    from .pipeline import check

    try:
        raw = Path(file).read_bytes()
    except OSError as exc:
        return None, f"cannot read {file}: {exc.strerror}"
    checked = check(raw, file)
    if checked.errors:
        return None, f"{file} does not validate ({len(checked.errors)} errors; see `mlops validate -f {file}`)"
    return Locator(file, checked), None


def entry_line(text: str, check: str, resource: str) -> int | None:
    """Line of the `{` that opens the exceptions.json entry for (check, resource), in the
    one-key-per-line layout compile writes."""
    want = {f'"check": {json.dumps(check)}', f'"resource": {json.dumps(resource)}'}
    start, seen = None, set()
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip().rstrip(",")
        if stripped == "{":
            start, seen = n, set()
        elif stripped in want:
            seen.add(stripped)
            if seen == want:
                return start
    return None


def in_stack(finding: Finding) -> tuple[Path, int | None]:
    """The finding's file and line among the stack's own files."""
    if finding.status != "unused":
        return finding.stack / "cdk.tf.json", finding.line
    path = finding.stack / "exceptions.json"
    try:
        return path, entry_line(path.read_text(encoding="utf-8"), finding.check, finding.address)
    except OSError:
        return path, None


def text(report: Report) -> str:
    lines = report.problems
    c = report.counts
    lines.append(f"mlops gate: {c['stacks']} stacks, {c['passed']} passed checks, "
                 f"{c['failed']} failed, {c['excepted']} excepted")
    return "\n".join(lines) + "\n"


def as_json(report: Report, spec: Locator | None) -> str:
    """Findings (what fails the gate), excepted findings (what passes, and why), errors."""
    def one(f: Finding) -> dict:
        file, line = in_stack(f)
        place = spec.find(f) if spec else None
        return {"status": f.status, "environment": f.stack.name, "check": f.check, "name": f.name,
                "address": f.address, "file": str(file), "line": line, "exception": f.exception,
                "spec": None if place is None else vars(place), "message": f.text}

    excepted = [i for i in report.issues if isinstance(i, Finding) and i.status == "excepted"]
    return json.dumps({"summary": report.counts,
                       "findings": [one(f) for f in report.findings],
                       "excepted": [one(f) for f in excepted],
                       "errors": [{"file": e.file, "message": e.message} for e in report.errors]}, indent=2) + "\n"
