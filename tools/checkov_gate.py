"""The checkov gate moved into the tool: `mlops gate` (compiler/gate.py, README "Secure
by default, and declared exceptions").

This wrapper keeps old command lines working: `.venv/bin/python tools/checkov_gate.py
DIR ...` runs `mlops gate DIR ...`, with the CLI's exit codes (4, no longer 1, when the
gate finds something; 1 when it cannot judge a stack). It also keeps the names
tools/checkov_checks.py loads from here (`find_checkov`, `UsageError`).
"""
from __future__ import annotations

import sys

from mlops.cli import main as _mlops
from mlops.gate import UsageError, find_checkov  # noqa: F401  (tools/checkov_checks.py)


def main(argv: list[str] | None = None) -> int:
    return _mlops(["gate", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
