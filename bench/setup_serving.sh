#!/usr/bin/env bash
# Create .deps/serve-bench-venv with the serving-benchmark peer (MLServer 1.7.1 + mlserver-sklearn),
# scikit-learn + skl2onnx to build the models, and onnxruntime; install h2load (Debian nghttp2-client),
# the C load generator of bench/grpc_bench.py. Safe to run again: installs only what is missing or at the
# wrong version.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v h2load >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing nghttp2-client (h2load)"
  $SUDO apt-get install -y --no-install-recommends nghttp2-client >/dev/null
fi
VENV="$ROOT_DIR/.deps/serve-bench-venv"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p "$ROOT_DIR/.deps"
  "$PY" -m venv "$VENV"
fi

# distribution==version (empty version: any). mlserver 1.7.1's worker crashes with uvloop >= 0.22
# on Python 3.11, so uvloop is pinned.
wanted=(mlserver==1.7.1 mlserver-sklearn==1.7.1 uvloop==0.21.0 onnxruntime==1.32.0
        scikit-learn skl2onnx numpy)
missing=()
for spec in "${wanted[@]}"; do
  name="${spec%%==*}"; ver=""
  [[ "$spec" == *==* ]] && ver="${spec##*==}"
  have="$("$VENV/bin/python" - "$name" <<'PY' 2>/dev/null || true
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    print(version(sys.argv[1]))
except PackageNotFoundError:
    pass
PY
)"
  if [ -z "$have" ] || { [ -n "$ver" ] && [ "$have" != "$ver" ]; }; then
    missing+=("$spec")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing into $VENV: ${missing[*]}"
  # uvloop is pinned in the same call so the resolver cannot pull a newer one in for mlserver.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}" uvloop==0.21.0
fi
"$VENV/bin/python" - <<'PY'
from importlib.metadata import version
print(", ".join(f"{d} {version(d)}" for d in
      ["mlserver", "mlserver-sklearn", "uvloop", "scikit-learn", "skl2onnx", "onnxruntime", "numpy"]))
PY
