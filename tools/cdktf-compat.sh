#!/usr/bin/env bash
# Prove that CDKTF 0.21 (what teams may already pin) is a drop-in for CDK Terrain:
# install the compiler with cdktf instead of cdktn into .venv-cdktf, then require
# byte-identical goldens and generated/.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv-cdktf/bin/python ] || "$PYTHON" -m venv .venv-cdktf
# The project's own dependency list, with cdktn swapped for cdktf 0.21.
mapfile -t requirements < <("$PYTHON" - <<'PY'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
for req in project["dependencies"] + project["optional-dependencies"]["test"]:
    print("cdktf==0.21.0" if req.startswith("cdktn") else req)
PY
)
.venv-cdktf/bin/python -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
.venv-cdktf/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
if .venv-cdktf/bin/python -c "import cdktn" 2>/dev/null; then
  echo "cdktf-compat: cdktn is installed in .venv-cdktf; the check would not test cdktf" >&2
  exit 1
fi
export MLOPS_CDK=cdktf
.venv-cdktf/bin/mlops compile --check
.venv-cdktf/bin/python -m pytest -q -p no:cacheprovider tests/test_golden.py
echo "cdktf-compat: cdktf 0.21 output is byte-identical"
