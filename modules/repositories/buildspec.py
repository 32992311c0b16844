"""CodeBuild buildspecs, written line by line.

A buildspec is a short YAML file of phases and shell commands. Every command is
written as a JSON string, which YAML reads verbatim, so no value from the spec can
break the YAML or the shell. Plain lines rather than a template engine: the file has
one shape, and `mlops validate` builds every stack, so it should not pay for one.
"""

from __future__ import annotations

import json

HEADER = "# Rendered by mlops (modules/repositories/buildspec.py) -- do not edit in place."


def render(summary: str, phases: list[tuple[str, list[str]]], artifacts: list[str] = ()) -> str:
    lines = [HEADER, f"# {summary}", "version: 0.2", "env:", "  shell: bash", "phases:"]
    for phase, commands in phases:
        lines.append(f"  {phase}:")
        if phase != "post_build":  # post_build runs to report a failed build, so it must not abort
            lines.append("    on-failure: ABORT")
        lines.append("    commands:")
        lines += [f"      - {json.dumps(command, ensure_ascii=False)}" for command in commands]
    if artifacts:
        lines += ["artifacts:", "  files:"] + [f"    - {name}" for name in artifacts]
    return "\n".join(lines) + "\n"
