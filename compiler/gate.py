"""`mlops gate`: checkov over generated stacks, held to the exceptions they declare
(README, "Secure by default, and declared exceptions").

checkov ignores inline skips in `.tf.json`, so justified exceptions live next to each
stack in `exceptions.json` (written by compile from module data and the spec). The gate
runs checkov once over all stacks and passes only when every failed check is covered by
a live exception and every exception still covers a failed check.

Vocabulary: a *finding* is what the gate holds against a stack (a failed check not
excepted, or excepted by an expired exception, a check checkov skipped, an exception
nothing matches); an *error* is why the gate could not judge a stack (checkov missing,
crashed or scanning nothing, an unreadable stack or exceptions.json). Both are reported
and neither is a pass. checkov lives in its own environment (`.venv-checkov`, it pins
old libraries), so this module runs it as a program and imports only the standard library.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import documents
from .gate_exceptions import Finding, compare, load_exceptions

TIMEOUT_S = 600
# Environment that could weaken or redirect the scan (CKV_SKIP_CHECK, BC_API_KEY
# uploads, ...) is dropped; what remains keeps checkov offline and quick.
SCRUB_PREFIXES = ("CKV_", "BC_", "PRISMA_")
SCRUB_NAMES = {"LOG_LEVEL", "DOWNLOAD_EXTERNAL_MODULES", "EXTERNAL_MODULES_DIR"}
OFFLINE_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"}
INSTALL_HINT = "python -m venv .venv-checkov && .venv-checkov/bin/pip install checkov==3.3.30"


class UsageError(Exception):
    """Bad arguments or no checkov: exit 2, never a silent pass."""


@dataclass(frozen=True)
class Error:
    """Why the gate could not judge (part of) a stack: `file` is the file it is about,
    or "checkov" for checkov itself."""

    file: str
    message: str

    @property
    def text(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass
class Report:
    """Everything one gate run found, in the order the text report prints it."""

    issues: list[Finding | Error] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Every check id checkov ran on the stacks, with its name (passed ones too).
    checks: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Error]:
        return [i for i in self.issues if isinstance(i, Error)]

    @property
    def findings(self) -> list[Finding]:
        """What fails the gate; excepted findings are kept in `issues` but pass."""
        return [i for i in self.issues if isinstance(i, Finding) and i.status != "excepted"]

    @property
    def problems(self) -> list[str]:
        """The lines of the text report, one per error or finding."""
        return [i.text for i in self.issues if not (isinstance(i, Finding) and i.status == "excepted")]


def find_checkov(cli: str | None, environ: dict, roots: list[Path] | None = None) -> str:
    """--checkov, then $MLOPS_CHECKOV, then `.venv-checkov/bin/checkov` in each of
    `roots`, then PATH. The default roots are the working directory (the project being
    gated) and the directory holding the environment mlops runs from (`.venv`'s parent,
    where tools/setup.sh puts `.venv-checkov` beside it).

    An explicitly named checkov that does not exist is an error, not a reason to
    fall through to some other checkov of unknown version."""
    for source, value in (("--checkov", cli), ("MLOPS_CHECKOV", environ.get("MLOPS_CHECKOV"))):
        if value:
            if os.path.isfile(value) and os.access(value, os.X_OK):
                return value
            raise UsageError(f"checkov from {source} not found or not executable: {value}")
    if roots is None:
        roots = [Path.cwd(), Path(sys.prefix).parent]
    candidates = list(dict.fromkeys(root / ".venv-checkov" / "bin" / "checkov" for root in roots))
    for venv in candidates:
        if venv.is_file():
            return str(venv)
    found = shutil.which("checkov", path=environ.get("PATH"))
    if found:
        return found
    raise UsageError(f"checkov not found: pass --checkov, set MLOPS_CHECKOV, create {candidates[0]} "
                     f"({INSTALL_HINT}) or put checkov on PATH")


def sanitize(doc: dict) -> dict:
    """checkov 3.3.30's terraform_json parser raises on any scalar or list setting in the
    `terraform` block (`required_version`, `experiments`); checks never read them."""
    block = doc.get("terraform")
    if isinstance(block, dict):
        doc["terraform"] = {k: v for k, v in block.items() if isinstance(v, dict)}
    return doc


def address_index(text: str, indent: int = 1) -> dict[int, str]:
    """Start line -> Terraform address for resources and data sources in `text`
    (json.dumps(indent=...) layout). checkov names Python-check findings `resource.NAME`
    and `data.NAME` (type dropped) and graph findings `TYPE.NAME` (even for data), but
    both carry the line where the block's `{` opens, which identifies it exactly."""
    index, block, rtype = {}, None, None
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r'( +)("(?:[^"\\]|\\.)*"): ', line)
        if not m or len(m[1]) > 3 * indent or len(m[1]) % indent:
            continue
        depth, key = len(m[1]) // indent, json.loads(m[2])
        if depth == 1:
            block = key
        elif depth == 2:
            rtype = key
        elif block in ("resource", "data"):
            index[n] = f"{rtype}.{key}" if block == "resource" else f"data.{rtype}.{key}"
    return index


def block_lines(text: str) -> dict[str, int]:
    """Terraform address -> line of its block in a stack file as compile wrote it (its
    own indentation), so a report can point into the file the user has, not the copy."""
    m = re.search(r"\n( +)\S", text)
    index = address_index(text, len(m[1]) if m else 1)
    return {address: line for line, address in index.items()}


def run_checkov(checkov: str, root: Path) -> dict:
    """One checkov run over the copied tree; raises RuntimeError unless it produced a
    terraform_json report. Not --quiet: that drops passed_checks and parsing_errors."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(SCRUB_PREFIXES) and k not in SCRUB_NAMES}
    env.update(OFFLINE_ENV, HOME=str(root))  # HOME/cwd: no ~/.checkov.yaml or ./.checkov.yaml
    cmd = [checkov, "-d", str(root), "--framework", "terraform_json", "--skip-download",
           "-o", "json", "--compact"]
    try:
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise RuntimeError(f"checkov did not run: {err}") from err
    tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"checkov crashed (exit {proc.returncode}): {tail}")
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        raise RuntimeError(f"checkov output is not JSON: {proc.stdout[:200]!r} {tail}") from None
    if not isinstance(report, dict) or report.get("check_type") != "terraform_json" or "results" not in report:
        raise RuntimeError(f"checkov scanned nothing (no terraform_json results): {proc.stdout[:200]!r}")
    return report


def stack_key(path: str, root: Path) -> str:
    """Temp-tree subdirectory of a reported path (`/s0/cdk.tf.json` or absolute)."""
    real_root = os.path.realpath(root)
    if os.path.isabs(path) and os.path.realpath(path).startswith(real_root + os.sep):
        path = os.path.relpath(os.path.realpath(path), real_root)
    return path.strip("/").split("/")[0]


def _copy(dirs: list[Path], root: Path, report: Report) -> dict[str, dict]:
    """Each readable stack, sanitized and with its documents inlined, into `root/s<i>/`;
    what is known of it by key."""
    stacks = {}
    for i, d in enumerate(dirs):
        cdk, key = d / "cdk.tf.json", f"s{i}"
        try:
            original = cdk.read_text(encoding="utf-8")
            doc = json.loads(original)
            if not isinstance(doc, dict):
                raise ValueError("top level is not an object")
            doc = documents.inline(doc, d)  # checkov reads no file(): it sees what Terraform gets
        except (OSError, ValueError) as err:
            report.issues.append(Error(str(cdk), f"unreadable: {err}"))
            continue
        text = json.dumps(sanitize(doc), indent=1)
        (root / key).mkdir()
        (root / key / "cdk.tf.json").write_text(text, encoding="utf-8")
        stacks[key] = {"dir": d, "index": address_index(text), "lines": block_lines(original),
                       "failed": [], "seen": 0}
    return stacks


def _read(results: dict, stacks: dict[str, dict], root: Path, report: Report) -> None:
    """Sort checkov's records into the stacks they came from."""
    for path in results.get("parsing_errors", []):
        d = stacks.get(stack_key(path, root), {}).get("dir")
        report.issues.append(Error(str(d / "cdk.tf.json" if d else path), "checkov could not parse it"))
    for kind in ("passed_checks", "failed_checks", "skipped_checks"):
        for rec in results.get(kind, []):
            s = stacks.get(stack_key(rec["file_path"], root))
            if s is None:
                report.issues.append(Error("checkov", f"finding in unknown file {rec['file_path']}"))
                continue
            s["seen"] += 1
            report.checks.setdefault(rec["check_id"], rec["check_name"])
            address = s["index"].get(rec["file_line_range"][0], rec["resource"])
            finding = Finding("failed", s["dir"], rec["check_id"], address, rec["check_name"], s["lines"].get(address))
            if kind == "passed_checks":
                report.counts["passed"] += 1
            elif kind == "failed_checks":
                s["failed"].append(finding)
            else:
                report.issues.append(replace(finding, status="skipped"))


def scan(dirs: list[Path], today: dt.date, checkov: str) -> Report:
    """Run checkov once over the stack directories and hold each to its exceptions."""
    report = Report(counts={"stacks": len(dirs), "passed": 0, "failed": 0, "excepted": 0})
    with tempfile.TemporaryDirectory(prefix="checkov-gate-") as tmp:
        root = Path(tmp)
        stacks = _copy(dirs, root, report)
        if not stacks:
            return report
        try:
            checkov_report = run_checkov(checkov, root)
        except RuntimeError as err:
            report.issues.append(Error("checkov", str(err)))
            return report
        _read(checkov_report["results"], stacks, root, report)
    for s in stacks.values():
        cdk, exc = s["dir"] / "cdk.tf.json", s["dir"] / "exceptions.json"
        if not s["seen"]:
            report.issues.append(Error(str(cdk), "checkov scanned no resources in it"))
        exceptions, bad = load_exceptions(exc)
        report.issues += [Error(str(exc), message) for message in bad]
        judged = compare(s["dir"], s["failed"], exceptions, today)
        report.issues += judged
        excepted = sum(1 for f in judged if f.status == "excepted")
        report.counts["failed"] += len(s["failed"]) - excepted
        report.counts["excepted"] += excepted
    return report
