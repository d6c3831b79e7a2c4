#!/usr/bin/env bash
# Install ralph-malph (a Python xAPI LRS) in its own venv, for the xAPI tests and bench:
# its dependencies (pydantic, fastapi, ...) are pinned apart from hocvuso's. The file-system
# backend needs no extra.
#   bash scripts/lrs.sh            -> .venv-lrs/bin/ralph
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${HOCVUSO_LRS_VENV:-.venv-lrs}
PYTHON=${PYTHON:-python3}
VERSION=${HOCVUSO_RALPH_VERSION:-5.1.0}
stamp="$VENV/.installed-ralph-$VERSION"
if [ -f "$stamp" ] && [ -x "$VENV/bin/ralph" ]; then
  exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "ralph-malph[lrs,cli]==$VERSION" requests  # its OIDC module imports requests, undeclared
touch "$stamp"
