"""Write (or --check) compiler/schemas/checkov/terraform-checks.json: the Terraform check
ids of the pinned checkov, from `checkov --list`, so compile can tell a typo'd check id in an
`exceptions:` entry from a real one without importing checkov (it lives apart, in
.venv-checkov). Per id: the resource types a resource check inspects, or [] for graph
checks (CKV2_*), whose listed entities are not the types they fail on.

    python tools/checkov_checks.py [--check] [--checkov PATH]

Exit 0 written or up to date, 1 stale, 2 no checkov.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "compiler" / "schemas" / "checkov" / "terraform-checks.json"
PROVIDERS = ("aws_", "awscc_")


def _gate():
    spec = importlib.util.spec_from_file_location("checkov_gate", REPO / "tools" / "checkov_gate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def listing(checkov: str) -> dict:
    """{"checkov": version, "checks": {id: [resource types]}} for aws and awscc checks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CKV_", "BC_", "PRISMA_"))}
    env.update({"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"})
    version = subprocess.run([checkov, "--version"], capture_output=True, text=True, env=env, check=True).stdout.strip()
    table = subprocess.run([checkov, "--list", "--framework", "terraform"], capture_output=True, text=True, env=env,
                           check=True, timeout=600).stdout
    checks: dict[str, set[str]] = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 5 or not cells[2].startswith("CKV"):
            continue
        check, entity = cells[2], cells[4]
        if not (entity.startswith(PROVIDERS) or entity in ("aws", "awscc")):
            continue
        types = checks.setdefault(check, set())
        if not check.startswith("CKV2_"):
            types.add(entity)
    return {"checkov": version, "checks": {k: sorted(v) for k, v in sorted(checks.items())}}


def render(doc: dict) -> str:
    return json.dumps(doc, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file is stale")
    parser.add_argument("--checkov")
    args = parser.parse_args(argv)
    gate = _gate()
    try:
        checkov = gate.find_checkov(args.checkov, dict(os.environ))
    except gate.UsageError as err:
        print(f"checkov_checks: {err}", file=sys.stderr)
        return 2
    text = render(listing(checkov))
    if args.check:
        if not OUT.is_file() or OUT.read_text("utf-8") != text:
            print(f"{OUT.relative_to(REPO)} is stale: run python tools/checkov_checks.py", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
