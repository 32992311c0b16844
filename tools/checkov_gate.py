"""checkov gate for generated stacks (docs/architecture.md, "The security baseline").

checkov ignores inline skips in `.tf.json`, so justified exceptions live next to each
stack in `exceptions.json` (written by the compiler from module data and the spec).
This script runs checkov once over all stacks and fails unless every failed check is
covered by a live exception and every exception still covers a failed check.

    python tools/checkov_gate.py DIR [DIR ...] [--today YYYY-MM-DD] [--checkov PATH]

Exit 0 clean, 1 on any problem, 2 on usage errors or when checkov is missing.
Stdlib only: it runs in CI before (and apart from) the project's own environment.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 600
EXCEPTION_KEYS = {"check", "resource", "reason", "expires", "declared_by"}
# Environment that could weaken or redirect the scan (CKV_SKIP_CHECK, BC_API_KEY
# uploads, ...) is dropped; what remains keeps checkov offline and quick.
SCRUB_PREFIXES = ("CKV_", "BC_", "PRISMA_")
SCRUB_NAMES = {"LOG_LEVEL", "DOWNLOAD_EXTERNAL_MODULES", "EXTERNAL_MODULES_DIR"}
OFFLINE_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"}


class UsageError(Exception):
    """Bad arguments or no checkov: exit 2, never a silent pass."""


def find_checkov(cli: str | None, environ: dict, repo: Path = REPO) -> str:
    """--checkov, then $MLOPS_CHECKOV, then <repo>/.venv-checkov, then PATH.

    An explicitly named checkov that does not exist is an error, not a reason to
    fall through to some other checkov of unknown version."""
    for source, value in (("--checkov", cli), ("MLOPS_CHECKOV", environ.get("MLOPS_CHECKOV"))):
        if value:
            if os.path.isfile(value) and os.access(value, os.X_OK):
                return value
            raise UsageError(f"checkov from {source} not found or not executable: {value}")
    venv = repo / ".venv-checkov" / "bin" / "checkov"
    if venv.is_file():
        return str(venv)
    found = shutil.which("checkov", path=environ.get("PATH"))
    if found:
        return found
    raise UsageError(f"checkov not found: pass --checkov, set MLOPS_CHECKOV, create {venv} "
                     "(python -m venv .venv-checkov && .venv-checkov/bin/pip install "
                     "checkov==3.3.30) or put checkov on PATH")


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
    """Valid exceptions and one problem line per malformed entry (absent file: none)."""
    if not path.exists():
        return [], []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return [], [f"{path}: unreadable: {err}"]
    if not isinstance(data, dict) or set(data) != {"exceptions"} or not isinstance(data["exceptions"], list):
        return [], [f'{path}: must be {{"exceptions": [...]}}']
    good, problems, seen = [], [], set()
    for i, e in enumerate(data["exceptions"]):
        if err := exception_error(e):
            problems.append(f"{path}: exceptions[{i}]: {err}")
        elif (e["check"], e["resource"]) in seen:
            problems.append(f"{path}: exceptions[{i}]: duplicate of {e['check']} {e['resource']}")
        else:
            seen.add((e["check"], e["resource"]))
            good.append(e)
    return good, problems


def compare(cdk: str, exc: str, failed: list[tuple[str, str, str]], exceptions: list[dict],
            today: dt.date) -> tuple[list[str], int]:
    """Problems and excepted count for one stack. `failed` holds (check, address, name)."""
    by_key = {(e["check"], e["resource"]): e for e in exceptions}
    used, problems, excepted = set(), [], 0
    for check, address, name in sorted(failed, key=lambda f: (f[1], f[0])):
        e = by_key.get((check, address))
        if e is None:
            problems.append(f"{cdk}: {address}: {check} {name} (not excepted)")
            continue
        used.add((check, address))
        if e["expires"] is not None and dt.date.fromisoformat(e["expires"]) < today:
            problems.append(f"{cdk}: {address}: {check} {name} (exception by {e.get('declared_by', '?')} "
                            f"expired on {e['expires']}: renew with a new reason or fix the resource)")
        else:
            excepted += 1
    for key, e in by_key.items():
        if key not in used:
            problems.append(f"{exc}: {e['resource']}: {e['check']} unused exception (declared by "
                            f"{e.get('declared_by', '?')}): checkov does not report it, remove it")
    return problems, excepted


def sanitize(doc: dict) -> dict:
    """checkov 3.3.30's terraform_json parser raises on any scalar or list setting in the
    `terraform` block (`required_version`, `experiments`); checks never read them."""
    block = doc.get("terraform")
    if isinstance(block, dict):
        doc["terraform"] = {k: v for k, v in block.items() if isinstance(v, dict)}
    return doc


def address_index(text: str) -> dict[int, str]:
    """Start line -> Terraform address for resources and data sources in `text`
    (json.dumps(indent=1) layout). checkov names Python-check findings `resource.NAME`
    and `data.NAME` (type dropped) and graph findings `TYPE.NAME` (even for data), but
    both carry the line where the block's `{` opens, which identifies it exactly."""
    index, block, rtype = {}, None, None
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r'( {1,3})("(?:[^"\\]|\\.)*"): ', line)
        if not m:
            continue
        depth, key = len(m[1]), json.loads(m[2])
        if depth == 1:
            block = key
        elif depth == 2:
            rtype = key
        elif block in ("resource", "data"):
            index[n] = f"{rtype}.{key}" if block == "resource" else f"data.{rtype}.{key}"
    return index


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


def gate(dirs: list[Path], today: dt.date, checkov: str) -> tuple[list[str], dict]:
    """All problem lines and counts for the given stack directories."""
    problems, counts = [], {"stacks": len(dirs), "passed": 0, "failed": 0, "excepted": 0}
    with tempfile.TemporaryDirectory(prefix="checkov-gate-") as tmp:
        root, stacks = Path(tmp), {}
        for i, d in enumerate(dirs):
            cdk, key = d / "cdk.tf.json", f"s{i}"
            try:
                doc = json.loads(cdk.read_text(encoding="utf-8"))
                if not isinstance(doc, dict):
                    raise ValueError("top level is not an object")
            except (OSError, ValueError) as err:
                problems.append(f"{cdk}: unreadable: {err}")
                continue
            text = json.dumps(sanitize(doc), indent=1)
            (root / key).mkdir()
            (root / key / "cdk.tf.json").write_text(text, encoding="utf-8")
            stacks[key] = {"dir": d, "index": address_index(text), "failed": [], "seen": 0}
        if not stacks:
            return problems, counts
        try:
            report = run_checkov(checkov, root)
        except RuntimeError as err:
            return problems + [f"checkov: {err}"], counts
        results = report["results"]
        for path in results.get("parsing_errors", []):
            d = stacks.get(stack_key(path, root), {}).get("dir")
            problems.append(f"{d / 'cdk.tf.json' if d else path}: checkov could not parse it")
        for kind in ("passed_checks", "failed_checks", "skipped_checks"):
            for rec in results.get(kind, []):
                s = stacks.get(stack_key(rec["file_path"], root))
                if s is None:
                    problems.append(f"checkov: finding in unknown file {rec['file_path']}")
                    continue
                s["seen"] += 1
                address = s["index"].get(rec["file_line_range"][0], rec["resource"])
                finding = (rec["check_id"], address, rec["check_name"])
                if kind == "passed_checks":
                    counts["passed"] += 1
                elif kind == "failed_checks":
                    s["failed"].append(finding)
                else:
                    problems.append(f"{s['dir'] / 'cdk.tf.json'}: {address}: {rec['check_id']} "
                                    f"{rec['check_name']} (skipped by checkov; use exceptions.json)")
    for s in stacks.values():
        cdk, exc = s["dir"] / "cdk.tf.json", s["dir"] / "exceptions.json"
        if not s["seen"]:
            problems.append(f"{cdk}: checkov scanned no resources in it")
        exceptions, bad = load_exceptions(exc)
        found, excepted = compare(str(cdk), str(exc), s["failed"], exceptions, today)
        problems += bad + found
        counts["failed"] += len(s["failed"]) - excepted
        counts["excepted"] += excepted
    return problems, counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="stack dir with cdk.tf.json")
    ap.add_argument("--today", help="YYYY-MM-DD to judge expiry against (default: today)")
    ap.add_argument("--checkov", help="checkov executable (else $MLOPS_CHECKOV, .venv-checkov, PATH)")
    args = ap.parse_args(argv)
    try:
        try:
            today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
        except ValueError as err:
            raise UsageError(f"--today {args.today!r}: {err}") from None
        missing = [str(d) for d in args.dirs if not (d / "cdk.tf.json").is_file()]
        if missing:
            raise UsageError(f"no cdk.tf.json in: {', '.join(missing)}")
        checkov = find_checkov(args.checkov, dict(os.environ))
    except UsageError as err:
        print(f"checkov gate: {err}", file=sys.stderr)
        return 2
    problems, c = gate(args.dirs, today, checkov)
    for line in problems:
        print(line)
    print(f"checkov gate: {c['stacks']} stacks, {c['passed']} passed checks, "
          f"{c['failed']} failed, {c['excepted']} excepted")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
