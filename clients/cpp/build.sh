#!/usr/bin/env bash
# Builds the TFaaS C++ client: the static library libtfaas_client.a and the example program tfaas_predict.
# The protobuf code is generated from Protos/tfaas.proto with protoc at build time (never committed).
# Needs g++, protoc, libprotobuf and libcurl with their pkg-config files
# (Debian: g++ pkg-config protobuf-compiler libprotobuf-dev libcurl4-openssl-dev).
# Usage: clients/cpp/build.sh [OUTPUT_DIR]   (default: clients/cpp/build)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PROTOS="$HERE/../../Protos"
OUT="$(mkdir -p "${1:-$HERE/build}" && cd "${1:-$HERE/build}" && pwd)"
CXX="${CXX:-g++}"
CXXFLAGS="${CXXFLAGS:--O2 -g}"
read -r -a PKG_CFLAGS <<<"$(pkg-config --cflags protobuf libcurl)"
read -r -a PKG_LIBS <<<"$(pkg-config --libs protobuf libcurl)"
FLAGS=(-std=c++17 -Wall -Wextra -fPIC $CXXFLAGS -I"$OUT/gen" -I"$HERE" "${PKG_CFLAGS[@]}")

mkdir -p "$OUT/gen"
protoc --proto_path="$PROTOS" --cpp_out="$OUT/gen" "$PROTOS/tfaas.proto"
"$CXX" "${FLAGS[@]}" -c "$OUT/gen/tfaas.pb.cc" -o "$OUT/tfaas.pb.o"
"$CXX" "${FLAGS[@]}" -c "$HERE/tfaas_client.cc" -o "$OUT/tfaas_client.o"
rm -f "$OUT/libtfaas_client.a"
ar rcs "$OUT/libtfaas_client.a" "$OUT/tfaas_client.o" "$OUT/tfaas.pb.o"
"$CXX" "${FLAGS[@]}" "$HERE/tfaas_predict.cc" -o "$OUT/tfaas_predict" "$OUT/libtfaas_client.a" "${PKG_LIBS[@]}"
echo "built $OUT/libtfaas_client.a and $OUT/tfaas_predict (headers: $HERE/tfaas_client.h, $OUT/gen/tfaas.pb.h)"
