#!/usr/bin/env python3
"""Extract a Terraform provider schema from a prebuilt CDK provider package.

The compiler checks every resource it emits against a pinned slice of the real
provider schema (README, "Every resource checked against the real provider schema"). This tool produces that slice from the
prebuilt CDK Terrain provider packages (`cdktn-provider-aws`, `cdktn-provider-awscc`)
without Terraform, without network access to a provider registry and without Node:
it reads the jsii tarball inside the wheel and writes JSON in the shape of
`terraform providers schema -json`.

Usage (from the repository root, with the project venv):

    # the committed slices (inputs: compiler/schemas/providers/<name>.types, one type a
    # line, data sources as `data.<type>`); writes compiler/schemas/providers/<name>.json
    # and compiler/schemas/providers/<name>.resolutions.json
    .venv/bin/python tools/extract_provider_schema.py --wheel cdktn_provider_aws-25.8.1-py3-none-any.whl \\
        --types compiler/schemas/providers/aws.types
    .venv/bin/python tools/extract_provider_schema.py --package cdktn-provider-awscc --version 1.8.0 \\
        --types compiler/schemas/providers/awscc.types

    # the whole provider, for exploration (tens of MB; not committed)
    .venv/bin/python tools/extract_provider_schema.py --wheel WHEEL --all --out /tmp/aws-full.json

    # CI / tests: exit 1 when the committed files differ from a fresh extraction
    .venv/bin/python tools/extract_provider_schema.py --wheel WHEEL \\
        --types compiler/schemas/providers/aws.types --check

Regenerating for a new provider version:

1. Pick the prebuilt package release that carries the provider version you want (its
   package.json / README says so; cdktn-provider-aws 25.8.1 carries hashicorp/aws
   6.69.1, cdktn-provider-awscc 1.8.0 carries hashicorp/awscc 1.106.0).
2. Bump the pin in `compiler/providers.py`. It pins the same provider version these
   slices are extracted from: the `required_providers` the compiler emits, the schema it
   checks against and the package must agree, so the tool refuses to write a slice whose
   provider version differs from that pin (`--no-pin-check` overrides; a provider that
   is not pinned there, like awscc today, is not checked).
3. Run the tool with `--package NAME --version VERSION` for each provider. It runs
   `python -m pip download --no-deps` into ~/.cache/mlops/provider-wheels (or
   `--download-dir`; add `--find-links DIR` to work offline from downloaded wheels),
   reads the `_jsii/*.jsii.tgz` inside the wheel and rewrites the slice. Add types to
   the `.types` file first if a module needs new ones.
4. Review the diff of `<name>.json` and `<name>.resolutions.json`, run the tests. The
   test suite compares the committed slices with a fresh extraction whenever the wheels
   are in ~/.cache/mlops/provider-wheels or a directory listed in $MLOPS_PROVIDER_WHEELS.

The code is the package tools/provider_schema/ (its docstring says where each piece of
information comes from and what is resolved conservatively). Standard library only.
"""
import sys

from provider_schema.cli import main  # tools/ is on sys.path: it holds this script

if __name__ == "__main__":
    sys.exit(main())
