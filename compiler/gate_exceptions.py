"""The gate's judgement of one stack: checkov's failed checks against the exceptions its
`exceptions.json` declares (part of `mlops gate`, compiler/gate.py).

An exception covers one check on one resource address, with a reason, and an expiry
date or an explicit null. Every failed check needs a live exception, and every
exception must still cover a failed check: one that matches nothing has outlived what
it excused and is a finding too, so exceptions cannot pile up unread.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

EXCEPTION_KEYS = {"check", "resource", "reason", "expires", "declared_by"}
# What the gate says about a failed check or an exception. "excepted" passes; the rest fail the gate.
STATUSES = ("failed", "expired", "skipped", "unused", "excepted")


@dataclass(frozen=True)
class Finding:
    """One failed check of one stack (or one exception that matched none: `unused`),
    with checkov's check name and the line of the resource's block in the stack file."""

    status: str
    stack: Path
    check: str
    address: str
    name: str = ""
    line: int | None = None
    exception: dict | None = None

    @property
    def text(self) -> str:
        """The report line: the file to open, the address, the check, and what to do."""
        cdk, why = self.stack / "cdk.tf.json", ""
        if self.status == "failed":
            why = "not excepted"
        elif self.status == "expired":
            why = (f"exception by {self.exception.get('declared_by', '?')} expired on {self.exception['expires']}: "
                   "renew with a new reason or fix the resource")
        elif self.status == "skipped":
            why = "skipped by checkov; use exceptions.json"
        elif self.status == "excepted":
            why = f"excepted by {self.exception.get('declared_by', '?')}: {self.exception['reason']}"
        else:
            return (f"{self.stack / 'exceptions.json'}: {self.address}: {self.check} unused exception (declared by "
                    f"{self.exception.get('declared_by', '?')}): checkov does not report it, remove it")
        return f"{cdk}: {self.address}: {self.check} {self.name} ({why})"


def exception_error(e: object) -> str | None:
    """Why one exceptions.json entry is unusable, or None. Strict on purpose: a typo'd
    key (`expiry`) must not turn a dated exception into a permanent one."""
    if not isinstance(e, dict):
        return "must be an object"
    if unknown := sorted(set(e) - EXCEPTION_KEYS):
        return f"unknown keys {unknown}"
    if missing := sorted({"check", "resource", "reason", "expires"} - set(e)):
        return f"missing {missing} (expires may be null, but must be stated)"
    for key in ("check", "resource", "reason"):
        if not isinstance(e[key], str) or not e[key].strip():
            return f"{key} must be a non-empty string"
    if "declared_by" in e and not isinstance(e["declared_by"], str):
        return "declared_by must be a string"
    exp = e["expires"]
    if exp is not None:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(exp)):
                raise ValueError
            dt.date.fromisoformat(exp)
        except ValueError:
            return f"expires must be null or YYYY-MM-DD, got {exp!r}"
    return None


def load_exceptions(path: Path) -> tuple[list[dict], list[str]]:
    """Valid exceptions and why each malformed entry is unusable (absent file: none).
    The messages name the entry, not the file: the caller knows which file it read."""
    if not path.exists():
        return [], []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return [], [f"unreadable: {err}"]
    if not isinstance(data, dict) or set(data) != {"exceptions"} or not isinstance(data["exceptions"], list):
        return [], ['must be {"exceptions": [...]}']
    good, problems, seen = [], [], set()
    for i, e in enumerate(data["exceptions"]):
        if err := exception_error(e):
            problems.append(f"exceptions[{i}]: {err}")
        elif (e["check"], e["resource"]) in seen:
            problems.append(f"exceptions[{i}]: duplicate of {e['check']} {e['resource']}")
        else:
            seen.add((e["check"], e["resource"]))
            good.append(e)
    return good, problems


def compare(stack: Path, failed: list[Finding], exceptions: list[dict], today: dt.date) -> list[Finding]:
    """Each failed check of `stack` judged against its exceptions (sorted by address,
    then check), then the exceptions nothing matched, in their file's order."""
    by_key = {(e["check"], e["resource"]): e for e in exceptions}
    used, judged = set(), []
    for f in sorted(failed, key=lambda f: (f.address, f.check)):
        e = by_key.get((f.check, f.address))
        if e is None:
            judged.append(Finding("failed", stack, f.check, f.address, f.name, f.line))
            continue
        used.add((f.check, f.address))
        live = e["expires"] is None or dt.date.fromisoformat(e["expires"]) >= today
        judged.append(Finding("excepted" if live else "expired", stack, f.check, f.address, f.name, f.line, e))
    for key, e in by_key.items():
        if key not in used:
            judged.append(Finding("unused", stack, e["check"], e["resource"], exception=e))
    return judged
