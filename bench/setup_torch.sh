#!/usr/bin/env bash
# Create .deps/torch-venv with PyTorch (the default PyPI wheel; it runs on the CPU here) and numpy, the peer
# of bench/train_bench.py. Safe to run again. The wheel and its dependencies take about 5 GB.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT_DIR/.deps/torch-venv"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p "$ROOT_DIR/.deps"
  "$PY" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import torch, numpy' >/dev/null 2>&1; then
  echo "installing torch and numpy into $VENV"
  "$VENV/bin/python" -m pip install --quiet torch numpy
fi
"$VENV/bin/python" -c 'import torch; print("torch", torch.__version__, "threads", torch.get_num_threads())'
