#!/usr/bin/env bash
# Create .deps/bench-venv with the Python peers for the ROOT-reading benchmark
# (ROOT from PyPI, uproot, and the C codec bindings). Safe to run again.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT_DIR/.deps/bench-venv"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p "$ROOT_DIR/.deps"
  "$PY" -m venv "$VENV"
fi

# import-name:pip-name pairs; install only what is missing
missing=()
for pair in ROOT:root uproot:uproot awkward:awkward numpy:numpy xxhash:xxhash \
            lz4.block:lz4 zstandard:zstandard; do
  mod="${pair%%:*}"; pkg="${pair##*:}"
  if ! "$VENV/bin/python" -c "import $mod" >/dev/null 2>&1; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing into $VENV: ${missing[*]}"
  "$VENV/bin/python" -m pip install --quiet "${missing[@]}"
fi
"$VENV/bin/python" -c 'import ROOT, uproot; print("ROOT", ROOT.gROOT.GetVersion(), "uproot", uproot.__version__)'
