#!/usr/bin/env python3
"""Writes the hand-made request-body seeds (fuzz/seeds/server-requests), each with the fuzz target's selector
byte in front: KServe JSON and binary infer bodies, TFaaS /json, a control JSON document, multipart and
tarball uploads."""
import gzip
import io
import json
import os
import struct
import tarfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "server-requests")
PARAMS = json.dumps({"name": "dense", "model": "model.onnx", "labels": "labels.txt",
                     "input_node": "x", "output_node": "y"}).encode()


def kserve_json():
    return json.dumps({"id": "1", "inputs": [
        {"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [1, 2.5, -3e-2, None, 0, 7]},
        {"name": "n", "shape": [2], "datatype": "INT64", "data": [[1], [2]]},
        {"name": "s", "shape": [1], "datatype": "BYTES", "data": ["a\u00e9"]},
        {"name": "b", "shape": [2], "datatype": "BOOL", "data": [True, False]}],
        "outputs": [{"name": "y", "parameters": {"binary_data": True}}],
        "parameters": {"binary_data_output": False}}).encode()


def kserve_binary():
    header = json.dumps({"inputs": [
        {"name": "x", "shape": [1, 2], "datatype": "FP32", "parameters": {"binary_data_size": 8}},
        {"name": "k", "shape": [1], "datatype": "INT16", "parameters": {"binary_data_size": 2}}]}).encode()
    return struct.pack("<H", len(header)) + header + struct.pack("<ffh", 1.5, -2.0, 7)


def multipart():
    parts = [("name", None, b"dense"), ("params", "params.json", PARAMS), ("model", "model.onnx", b"\x08\x07\x12\x04onnx"),
             ("labels", "labels.txt", b"signal\nbackground\n")]
    out = b""
    for name, filename, data in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += b"--hepmlfuzz\r\nContent-Disposition: " + disp.encode() + b"\r\n\r\n" + data + b"\r\n"
    return out + b"--hepmlfuzz--\r\n"


def tarball(compress):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for path, data in [("dense/config.pbtxt", b'name: "dense"\nplatform: "onnxruntime_onnx"\n'),
                           ("dense/1/model.onnx", b"\x08\x07"), ("dense/" + "l" * 120 + ".txt", b"long name\n")]:
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    return gzip.compress(data, mtime=0) if compress else data


SEEDS = {
    "kserve.json": b"\0" + kserve_json(),
    "kserve-binary.bin": b"\1" + kserve_binary(),
    "tfaas.json": b"\2" + json.dumps({"keys": ["a", "b"], "values": [1, None, 2.5e3], "model": "dense"}).encode(),
    "control.json": b"\3" + b'{"ready": true, "models": [{"name": "m", "version": "1"}], "x": [1e-5, -0.0, "\\u00e9\\n"]}',
    "upload-multipart.bin": b"\4" + multipart(),
    "upload.tar": b"\5" + tarball(False),
    "upload.tar.gz": b"\5" + tarball(True),
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
