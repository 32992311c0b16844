"""`mlops --version`: which mlops this is, and what the stacks it writes pin.

What a stack does depends on three versions, not one: mlops (what it emits), the
Terraform it requires and the providers it pins (compiler/providers.py, the versions the
compiler also checks every resource against). A bug report or a CI log that names only
the first says too little, so `--version` prints all three:

    mlops 0.1.0
    terraform >= 1.10.0
    provider hashicorp/aws 6.69.1
    provider hashicorp/awscc 1.106.0

The mlops version is the installed distribution's (pyproject.toml's `version`, as built),
so a wheel reports the version it was released as. Nothing is imported until the flag is
given: `mlops --help` and every other command stay as fast as before.
"""

from __future__ import annotations

import argparse


def text() -> str:
    """The lines `mlops --version` prints, without the final newline."""
    from importlib import metadata

    from .providers import PROVIDERS, TERRAFORM_VERSION

    lines = [f"mlops {metadata.version('mlops')}", f"terraform {TERRAFORM_VERSION}"]
    lines += [f"provider {pin['source']} {pin['version']}" for pin in PROVIDERS.values()]
    return "\n".join(lines)


class VersionAction(argparse.Action):
    """argparse's own `version` action takes its text when the parser is built; this one
    reads the installed version only when `--version` is given, then exits 0."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(text())
        parser.exit()
