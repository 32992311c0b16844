"""The provider and Terraform versions every generated stack pins.

One place, because three things must agree: the `required_providers` block we emit,
the provider schemas the compiler checks resources against, and the versions of the
prebuilt CDK provider packages those schemas were extracted from
(cdktn-provider-aws 25.8.1 carries hashicorp/aws 6.69.1, cdktn-provider-awscc 1.8.0
carries hashicorp/awscc 1.106.0). A stack requires only the providers it uses: aws
always, awscc when a module emits one of its resources.

The pinned slices are package data (`compiler/schemas/providers/`, installed as
`mlops/schemas/providers/`), so an installed wheel checks stacks exactly as a checkout
does. They are read by a path beside this file, not through importlib.resources: pip
installs a wheel unpacked, and the conformance pass globs the directory.
"""

import json
from functools import cache
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "providers"
TAGGABLE = SCHEMA_DIR / "taggable.index.json"

PROVIDERS: dict[str, dict[str, str]] = {
    "aws": {"source": "hashicorp/aws", "version": "6.69.1"},
    "awscc": {"source": "hashicorp/awscc", "version": "1.106.0"},
}

# S3-native state locking (`use_lockfile`) needs Terraform 1.10.
TERRAFORM_VERSION = ">= 1.10.0"


@cache
def taggable() -> dict[str, str]:
    """Resource types whose `tags` attribute exists, by its kind: "map" (aws) or "list"
    (awscc's key/value objects). Derived from the pinned slices
    (`conformance.derive_taggable`; a test keeps the committed file equal to it), so
    building a stack, which `validate` does, need not load the provider schemas nor the
    conformance pass."""
    return json.loads(TAGGABLE.read_text("utf-8"))
