#!/usr/bin/env bash
# Serving benchmark in one run: hepml serve vs MLServer 1.7.1 (wrk, loopback only, 10 s per case),
# then hepml's ONNX Runtime backend overhead vs the plain C API (bench/ort_plain.c).
# Needs the release binary .build/release/hepml and .deps/onnxruntime (scripts/setup --release).
# Extra arguments go to bench/serve_bench.py (e.g. --mlserver-workers default, --skip-backend).
# Results: bench/results/serving.md and bench/results/serving.json.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
PY="$ROOT_DIR/.deps/serve-bench-venv/bin/python"

[ -x .build/release/hepml ] || { echo "missing .build/release/hepml: build it first (scripts/setup --release)" >&2; exit 1; }
[ -e .deps/onnxruntime/libonnxruntime.so ] || { echo "missing .deps/onnxruntime/libonnxruntime.so (scripts/setup)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }

bash bench/setup_serving.sh
mkdir -p bench/results/serving
if [ ! -f bench/results/serving/models.json ] || [ bench/make_serving_models.py -nt bench/results/serving/models.json ]; then
  "$PY" bench/make_serving_models.py
fi
if [ ! -x bench/results/ort_plain ] || [ bench/ort_plain.c -nt bench/results/ort_plain ]; then
  gcc -O2 -Wall -o bench/results/ort_plain bench/ort_plain.c -ldl
fi
exec "$PY" bench/serve_bench.py "$@"
