#!/usr/bin/env bash
# Write the 100,000-event NanoAOD-like benchmark files (one per codec) into bench/data/
# with real ROOT, via ../shared/tools/make_root_testdata.py. Files already there are kept.
# usage: bench/make_data.sh [codec ...]   (default: zlib lzma lz4 zstd)
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="$ROOT_DIR/../shared"
OUT="$ROOT_DIR/bench/data"
COPIES="${NANO_COPIES:-500}"     # 500 copies of the 200-event tree = 100,000 events
TAG="${TAG:-100k}"
codecs=("$@"); [ "${#codecs[@]}" -gt 0 ] || codecs=(zlib lzma lz4 zstd)

bash "$ROOT_DIR/bench/setup_python.sh" >/dev/null
mkdir -p "$OUT"
for c in "${codecs[@]}"; do
  f="$OUT/nanoaod-like-$TAG-$c.root"
  if [ -s "$f" ]; then echo "exists: $f"; continue; fi
  echo "writing $f ($COPIES copies)"
  # the tool writes into a temporary name first so an interrupted run is not taken as done
  tmp="$OUT/.tmp-$c"; rm -rf "$tmp"; mkdir -p "$tmp"
  "$ROOT_DIR/.deps/bench-venv/bin/python" -W ignore "$SHARED/tools/make_root_testdata.py" "$tmp" \
      --tag "$TAG" --codecs "$c" --nano-copies "$COPIES" \
      --nano-src "$SHARED/testdata/root/nanoAOD_2015_CMS_Open_Data_ttbar.root"
  mv "$tmp/nanoaod-like-$TAG-$c.root" "$f"
  mv -f "$tmp/leaftypes-$TAG-$c.root" "$OUT/" 2>/dev/null || true
  rm -rf "$tmp"
done
ls -l "$OUT"
