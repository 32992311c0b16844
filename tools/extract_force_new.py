#!/usr/bin/env python3
"""Write which arguments force a new resource, for every resource type mlops emits.

`mlops diff` warns when a change would destroy or replace a resource. Terraform decides
that from the provider: an argument marked `ForceNew` (SDKv2) or `RequiresReplace`
(plugin framework; every awscc resource, from CloudFormation's createOnlyProperties)
replaces the resource when it changes. This tool reads those marks from the provider's
Go source and writes compiler/schemas/providers/<provider>.replace.json: for each
resource type in the committed stacks and golden stacks, the sorted argument paths that force
replacement, with a header naming the source (repository, commit, version) it was read
from. docs/replacement.md says where the committed tables come from and how to refresh
them.

Usage (from the repository root; standard library and git only):

    # a checkout, or a git directory (a bare clone is fine) read at --rev
    python3 tools/extract_force_new.py --source ~/src/terraform-provider-aws --rev v6.69.1
    python3 tools/extract_force_new.py --source ~/src/terraform-provider-awscc --rev v1.106.0

    # resources the source lacks, from single files laid over it (PROVENANCE.json names
    # each file's repository and commit)
    python3 tools/extract_force_new.py --source REPO.git --rev COMMIT --overlay DIR

    # CI / tests: exit 1 when the committed table differs from what the source gives
    # (a git source is read at the commit the table names, unless --rev says otherwise)
    python3 tools/extract_force_new.py --source REPO.git --overlay DIR --check

The code is the package tools/force_new/: golit (Go tokens and bracket groups), gopkg
(a package's functions, constants, variables), sdkv2 and framework (the two ways a
resource declares replacement), locate (where a type is defined), table (the entries,
held against the pinned schema slice), source and cli.
"""
import sys

from force_new.cli import main  # tools/ is on sys.path: it holds this script

if __name__ == "__main__":
    sys.exit(main())
