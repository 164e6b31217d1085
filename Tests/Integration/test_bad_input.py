"""Hostile and malformed requests: each gets a 4xx with a JSON `error` reason, and the server stays up."""
import gzip
import io
import json
import shutil
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest
import requests

from conftest import MODELS, Server, explain_drop, assert_json_error, curl, load_reference, write_tfaas_folder


@pytest.fixture(autouse=True)
def still_alive(request, server):
    """After each test the main server still answers /v2/health/live (unless the test already failed: a
    crash is then reported once, by the test, and the next test restarts the server)."""
    yield
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        return
    assert server.alive(), f"server died after the test:\n{server.log_tail()}"
    assert server.proc.poll() is None


def small_repository(root: Path) -> Path:
    repo = root / "repository"
    (repo / "mlp" / "1").mkdir(parents=True)
    shutil.copy(MODELS / "sklearn-mlp" / "model.onnx", repo / "mlp" / "1" / "model.onnx")
    return repo


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory):
    """A second server with --max-body-mb 1."""
    root = tmp_path_factory.mktemp("limited")
    srv = Server(small_repository(root), root / "server.log", extra_args=["--max-body-mb", "1"])
    yield srv
    srv.stop()


def mlp_request(ref=None, **overrides):
    ref = ref or load_reference("sklearn-mlp")
    inp = dict(ref["inputs"][0])
    inp.update(overrides)
    return {"inputs": [inp]}


def infer_url(server, model="mlp", version=None):
    v = f"/versions/{version}" if version else ""
    return f"{server.url}/v2/models/{model}{v}/infer"


def post(url, body, headers=None, **kw):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    try:
        return requests.post(url, data=data, headers=headers or {}, timeout=30, **kw)
    except requests.ConnectionError as e:
        raise AssertionError(f"connection dropped on POST {url}: {e}\n{explain_drop(url)}") from None


# --- malformed bodies -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"{", b"not json", b"", b"[1,2,3]", b"{\"inputs\": 5}", b"\xff\xfe\x00",
                                  b"{\"inputs\": [{\"name\": \"X\"}]}"],
                         ids=["truncated", "text", "empty", "array", "inputs-number", "binary-garbage", "no-datatype"])
def test_infer_malformed_json(server, body):
    assert_json_error(post(infer_url(server), body), statuses=(400,))


@pytest.mark.parametrize("body", [b"{", b"[]", b"{\"values\": \"abc\", \"model\": \"mlp\"}",
                                  b"{\"values\": [\"a\", \"b\"], \"model\": \"mlp\"}", b"{\"model\": \"mlp\"}",
                                  b"{\"values\": [], \"model\": \"mlp\"}", b"{\"values\": [1, null], \"model\": \"mlp\"}"],
                         ids=["truncated", "array", "values-string", "values-strings", "no-values", "empty-values", "null"])
def test_tfaas_json_malformed(server, body):
    assert_json_error(post(server.url + "/json", body, {"Content-Type": "application/json"}), statuses=(400,))


def test_deeply_nested_json(server):
    """A very deep JSON document must be refused, not overflow the server's stack."""
    deep = b"[" * 200_000 + b"]" * 200_000
    r = post(infer_url(server), b'{"inputs":[{"name":"X","datatype":"FP32","shape":[1],"data":' + deep + b"}]}")
    assert_json_error(r, statuses=(400, 413))
    r = post(server.url + "/json", b'{"model":"mlp","values":' + deep + b"}")
    assert_json_error(r, statuses=(400, 413))


def test_proto_garbage(server):
    r = post(server.url + "/proto", b"\xff\xff\xff\xff\x0f\x0f garbage")
    assert_json_error(r, statuses=(400,))


def test_image_not_an_image(server, tmp_path):
    bad = tmp_path / "digit.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert_json_error(curl("-X", "POST", "-F", f"image=@{bad}", "-F", "model=image28", server.url + "/image"),
                      statuses=(400,))
    assert_json_error(curl("-X", "POST", "-F", "model=image28", server.url + "/image"), statuses=(400,))
    assert_json_error(curl("-X", "POST", "-d", "x=1", server.url + "/image"), statuses=(400,))


def test_image_wrong_size(server, tmp_path):
    """A valid PNG of another size than the model's 28x28."""
    import struct
    import zlib

    def png(w, h):
        raw = b"".join(b"\x00" + bytes(w) for _ in range(h))
        chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

    f = tmp_path / "small.png"
    f.write_bytes(png(5, 7))
    assert_json_error(curl("-X", "POST", "-F", f"image=@{f}", "-F", "model=image28", server.url + "/image"),
                      statuses=(400,))


# --- wrong shapes, dtypes, names ---------------------------------------------------------------------------------

def test_wrong_shape(server, mlp_ref):
    inp = mlp_ref["inputs"][0]
    # data count does not match the declared shape
    assert_json_error(post(infer_url(server), mlp_request(mlp_ref, shape=[6, 11])), statuses=(400,))
    # consistent data, but the model wants [-1, 12]
    assert_json_error(post(infer_url(server), mlp_request(mlp_ref, shape=[8, 9])), statuses=(400,))
    assert_json_error(post(infer_url(server), mlp_request(mlp_ref, shape=[72])), statuses=(400,))
    assert_json_error(post(infer_url(server), mlp_request(mlp_ref, shape=[6, -12])), statuses=(400,))
    # TFaaS: 5 values for a 12-feature model
    r = post(server.url + "/json", {"model": "mlp", "values": inp["data"][:5]})
    assert_json_error(r, statuses=(400,))


@pytest.mark.parametrize("shape", [[2**62, 4], [2**40, 2**40], [2**63 - 1], [10**30]],
                         ids=["2^62x4", "2^40x2^40", "int64-max", "bignum"])
def test_overflowing_shape(server, shape):
    """Element counts that overflow 64-bit arithmetic are refused (not a crash)."""
    r = post(infer_url(server), {"inputs": [{"name": "X", "datatype": "FP32", "shape": shape, "data": [1.0] * 4}]})
    assert_json_error(r, statuses=(400,))
    header = json.dumps({"inputs": [{"name": "X", "datatype": "FP32", "shape": shape,
                                     "parameters": {"binary_data_size": 16}}]}).encode()
    r = post(infer_url(server), header + bytes(16), {"Inference-Header-Content-Length": str(len(header))})
    assert_json_error(r, statuses=(400,))


@pytest.mark.parametrize("size", [2**63 - 1, 2**63 - 40, -1, 10**30], ids=["int64-max", "near-max", "negative", "bignum"])
def test_binary_data_size_out_of_range(server, size):
    header = json.dumps({"inputs": [{"name": "X", "datatype": "FP32", "shape": [1, 12],
                                     "parameters": {"binary_data_size": size}}]}).encode()
    r = post(infer_url(server), header + bytes(48), {"Inference-Header-Content-Length": str(len(header))})
    assert_json_error(r, statuses=(400,))


def test_wrong_dtype(server, mlp_ref):
    inp = mlp_ref["inputs"][0]
    # INT32 tensor for an FP32 input
    r = post(infer_url(server), mlp_request(mlp_ref, datatype="INT32", data=[int(x) for x in inp["data"]]))
    assert_json_error(r, statuses=(400,))
    # FP64 as binary
    arr = np.asarray(inp["data"], dtype=np.float64).tobytes()
    header = json.dumps({"inputs": [{"name": "X", "datatype": "FP64", "shape": inp["shape"],
                                     "parameters": {"binary_data_size": len(arr)}}]}).encode()
    r = post(infer_url(server), header + arr, {"Inference-Header-Content-Length": str(len(header))})
    assert_json_error(r, statuses=(400,))
    # unknown datatype name, strings as FP32 data
    assert_json_error(post(infer_url(server), mlp_request(mlp_ref, datatype="FLOAT99")), statuses=(400,))
    assert_json_error(post(infer_url(server), mlp_request(mlp_ref, data=["x"] * 72)), statuses=(400,))


@pytest.mark.parametrize("datatype,value", [("INT8", 1e300), ("INT32", 1e19), ("INT64", 1e300), ("UINT64", 2**64),
                                            ("UINT8", -1), ("INT16", 0.5), ("FP16", 1e10), ("BOOL", "x"), ("BYTES", 1),
                                            ("FP32", "1.0"), ("FP32", {"a": 1})])
def test_json_values_out_of_range(server, datatype, value):
    r = post(infer_url(server), {"inputs": [{"name": "X", "datatype": datatype, "shape": [1, 12], "data": [value] * 12}]})
    assert_json_error(r, statuses=(400,))


def test_json_null_is_nan_for_padded_float_slots(server):
    """hepml documents `null` in FP32/FP64 JSON data as NaN (how padded slots are sent to exported models)."""
    r = post(infer_url(server), {"inputs": [{"name": "X", "datatype": "FP32", "shape": [1, 12], "data": [None] + [0.5] * 11}]})
    assert r.status_code == 200, r.text


def test_wrong_input_names(server, mlp_ref):
    assert_json_error(post(infer_url(server), mlp_request(mlp_ref, name="Y")), statuses=(400,))
    req = mlp_request(mlp_ref)
    req["inputs"].append(dict(req["inputs"][0], name="extra"))
    assert_json_error(post(infer_url(server), req), statuses=(400,))
    req = mlp_request(mlp_ref)
    req["outputs"] = [{"name": "no_such_output"}]
    assert_json_error(post(infer_url(server), req), statuses=(400, 404))


def test_binary_extension_errors(server, mlp_ref):
    arr = np.asarray(mlp_ref["inputs"][0]["data"], dtype=np.float32).tobytes()
    header = json.dumps({"inputs": [{"name": "X", "datatype": "FP32", "shape": [6, 12],
                                     "parameters": {"binary_data_size": len(arr)}}]}).encode()
    url = infer_url(server)
    # header length past the end of the body
    assert_json_error(post(url, header + arr, {"Inference-Header-Content-Length": str(len(header) + len(arr) + 10)}),
                      statuses=(400,))
    # not a number / negative
    assert_json_error(post(url, header + arr, {"Inference-Header-Content-Length": "abc"}), statuses=(400,))
    assert_json_error(post(url, header + arr, {"Inference-Header-Content-Length": "-5"}), statuses=(400,))
    # truncated binary tensor
    assert_json_error(post(url, header + arr[:-8], {"Inference-Header-Content-Length": str(len(header))}),
                      statuses=(400,))
    # trailing bytes nobody claims
    assert_json_error(post(url, header + arr + b"xx", {"Inference-Header-Content-Length": str(len(header))}),
                      statuses=(400,))
    # header length cuts the JSON in half
    assert_json_error(post(url, header + arr, {"Inference-Header-Content-Length": str(len(header) // 2)}),
                      statuses=(400,))
    # the correct request still works
    r = post(url, header + arr, {"Inference-Header-Content-Length": str(len(header))})
    assert r.status_code == 200, r.text


# --- unknown model / version -------------------------------------------------------------------------------------

def test_unknown_model_and_version(server, mlp_ref):
    for url in (f"{server.url}/v2/models/nope", f"{server.url}/v2/models/nope/config",
                f"{server.url}/v2/models/mlp/versions/9", f"{server.url}/v2/models/mlp/versions/9/config",
                f"{server.url}/params/nope"):
        assert_json_error(requests.get(url, timeout=10), statuses=(404,))
    for url in (f"{server.url}/v2/models/nope/ready", f"{server.url}/v2/models/mlp/versions/9/ready"):
        assert 400 <= requests.get(url, timeout=10).status_code < 500
    assert_json_error(post(infer_url(server, "nope"), mlp_request(mlp_ref)), statuses=(404,))
    assert_json_error(post(infer_url(server, "mlp", "9"), mlp_request(mlp_ref)), statuses=(404,))
    assert_json_error(post(server.url + "/json", {"model": "nope", "values": [1.0, 2.0]}), statuses=(404,))
    assert_json_error(post(server.url + "/json", {"model": "../mlp", "values": [1.0, 2.0]}), statuses=(400, 404))


def test_unknown_route(server):
    r = requests.get(server.url + "/v2/nothing/here", timeout=10)
    assert r.status_code == 404


# --- body size limit ---------------------------------------------------------------------------------------------

def test_oversize_body(limited_server):
    srv = limited_server
    big = {"model": "mlp", "values": [0.5] * 300_000}           # ~1.5 MB of JSON
    assert_json_error(post(srv.url + "/json", big), statuses=(413,))
    assert_json_error(post(infer_url(srv), {"inputs": [{"name": "X", "datatype": "FP32", "shape": [25000, 12],
                                                       "data": [0.5] * 300_000}]}), statuses=(413,))
    r = requests.post(srv.url + "/upload", data=b"\0" * (2 << 20), timeout=30,
                      headers={"Authorization": "Bearer secret", "Content-Type": "application/octet-stream"})
    assert_json_error(r, statuses=(413,))
    # a small request still works on the same server
    assert post(srv.url + "/json", {"model": "mlp", "values": [0.1] * 12}).status_code == 200
    assert srv.alive()


def test_oversize_chunked_body(limited_server):
    """Without Content-Length (chunked transfer encoding) the limit still applies."""
    srv = limited_server

    def chunks():
        yield b'{"model":"mlp","values":['
        for _ in range(64):
            yield b"0.5," * 8192                          # 64 x 32 KiB = 2 MiB
        yield b"0.5]}"

    try:
        r = requests.post(srv.url + "/json", data=chunks(), timeout=30)
    except requests.ConnectionError:
        pytest.fail("connection dropped instead of a 413 reply")
    assert_json_error(r, statuses=(413,))
    assert srv.alive()


def test_gzip_bomb(limited_server):
    """A small gzip that inflates far past the body limit is refused."""
    srv = limited_server
    bomb = gzip.compress(b"\0" * (64 << 20), compresslevel=9)       # 64 MiB of zeros, ~64 KB compressed
    assert len(bomb) < (1 << 20)
    r = requests.post(srv.url + "/upload", data=bomb, timeout=60,
                      headers={"Authorization": "Bearer secret", "Content-Encoding": "gzip",
                               "Content-Type": "application/octet-stream"})
    assert_json_error(r, statuses=(400, 413))
    assert srv.alive()


# --- traversal ---------------------------------------------------------------------------------------------------

def outside_entries(server) -> set:
    """Everything beside the repository folder (where a traversal would land)."""
    return {p.name for p in server.repository.parent.iterdir()}


@pytest.mark.parametrize("name", ["../evil", "..", "a/b", "/tmp/hepml-it-evil", ".hidden", "evil\nname", ""],
                         ids=["dotdot", "dotdot-only", "slash", "absolute", "hidden", "newline", "empty"])
def test_multipart_name_traversal(server, dense42_dir, tmp_path, name):
    params = json.loads((dense42_dir / "params.json").read_text())
    params["name"] = name
    pfile = tmp_path / "params.json"
    pfile.write_text(json.dumps(params))
    before = outside_entries(server)
    r = requests.post(server.url + "/upload", headers=server.auth(), timeout=30,
                      files={"name": (None, name), "params": ("params.json", pfile.read_bytes()),
                             "model": ("model.onnx", (dense42_dir / "model.onnx").read_bytes()),
                             "labels": ("labels.txt", (dense42_dir / "labels.txt").read_bytes())})
    assert_json_error(r, statuses=(400,))
    assert outside_entries(server) == before
    assert not Path("/tmp/hepml-it-evil").exists()
    assert not (server.repository / "a").exists()


@pytest.mark.parametrize("field,value", [("model", "../../evil.onnx"), ("model", "/tmp/hepml-it-evil.onnx"),
                                         ("labels", "../evil-labels.txt")])
def test_params_file_traversal(server, dense42_dir, tmp_path, field, value):
    """params.json naming files outside the model folder: refused, or at least nothing lands outside."""
    name = "travp"
    params = json.loads((dense42_dir / "params.json").read_text())
    params.update(name=name, **{field: value})
    before = outside_entries(server)
    r = requests.post(server.url + "/upload", headers=server.auth(), timeout=30,
                      files={"name": (None, name), "params": ("params.json", json.dumps(params).encode()),
                             "model": ("model.onnx", (dense42_dir / "model.onnx").read_bytes()),
                             "labels": ("labels.txt", (dense42_dir / "labels.txt").read_bytes())})
    try:
        assert r.status_code in (200, 400), r.text
        if r.status_code == 400:
            assert_json_error(r, statuses=(400,))
        assert outside_entries(server) == before
        assert not Path("/tmp/hepml-it-evil.onnx").exists()
        assert not (server.repository.parent / "evil.onnx").exists()
    finally:
        if r.status_code == 200:
            requests.delete(f"{server.url}/delete/{name}", headers=server.auth(), timeout=30)


def tar_with(entries: list[tuple[str, bytes]], gz=True, extra=None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w") as tar:
        for path, data in entries:
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
        for info in extra or []:
            tar.addfile(info)
    return buf.getvalue()


def dense42_entries(top: str) -> list[tuple[str, bytes]]:
    src = MODELS / "tfaas-dense42"
    params = json.loads((src / "params.json").read_text())
    params.update(model="model.onnx", name=top.strip("/").split("/")[-1])
    return [(f"{top}/params.json", json.dumps(params).encode()), (f"{top}/model.onnx", (src / "model.onnx").read_bytes()),
            (f"{top}/labels.txt", (src / "labels.txt").read_bytes())]


@pytest.mark.parametrize("kind", ["dotdot-top", "dotdot-inside", "absolute", "dotdot-file"])
def test_tar_traversal(server, tmp_path, kind):
    target = tmp_path / "abs-target"
    if kind == "dotdot-top":
        entries = dense42_entries("../x")
    elif kind == "dotdot-inside":
        entries = dense42_entries("tarok") + [("tarok/../../x", b"pwned")]
    elif kind == "absolute":
        entries = dense42_entries(str(target))
    else:
        entries = dense42_entries("tarok") + [("tarok/sub/../../../x", b"pwned")]
    before = outside_entries(server)
    r = requests.post(server.url + "/upload", data=tar_with(entries), timeout=30,
                      headers={**server.auth(), "Content-Encoding": "gzip", "Content-Type": "application/octet-stream"})
    assert_json_error(r, statuses=(400,))
    assert outside_entries(server) == before
    assert not target.exists()
    assert not (server.repository / "tarok").exists()
    assert "tarok" not in {m["name"] for m in requests.get(server.url + "/models", timeout=10).json()}


def test_tar_symlink_entry(server, tmp_path):
    """A symlink entry must not give a path out of the repository (refused, or not created as a link)."""
    link = tarfile.TarInfo("tarlink/escape")
    link.type = tarfile.SYMTYPE
    link.linkname = str(tmp_path)
    body = tar_with(dense42_entries("tarlink"), extra=[link])
    r = requests.post(server.url + "/upload", data=body, timeout=30,
                      headers={**server.auth(), "Content-Encoding": "gzip", "Content-Type": "application/octet-stream"})
    try:
        assert r.status_code in (200, 400), r.text
        if r.status_code == 400:
            assert_json_error(r)
        for p in server.repository.rglob("*"):
            assert not p.is_symlink(), f"symlink created in the repository: {p} -> {p.resolve()}"
    finally:
        if r.status_code == 200:
            requests.delete(f"{server.url}/delete/tarlink", headers=server.auth(), timeout=30)


def test_tar_not_a_tar(server):
    for body, headers in ((b"definitely not a tar", {}), (gzip.compress(b"not a tar either"), {"Content-Encoding": "gzip"}),
                          (b"\x1f\x8b\x08\x00garbage", {"Content-Encoding": "gzip"}), (tar_with([]), {})):
        r = requests.post(server.url + "/upload", data=body, timeout=30,
                          headers={**server.auth(), **headers, "Content-Type": "application/octet-stream"})
        assert_json_error(r, statuses=(400,))


def test_malformed_uploads(server, dense42_dir):
    files = {n: (dense42_dir / n).read_bytes() for n in ("params.json", "model.onnx", "labels.txt")}
    url = server.url + "/upload"
    h = server.auth()
    cases = {
        "no-params": {"name": (None, "m1"), "model": ("model.onnx", files["model.onnx"])},
        "no-model": {"name": (None, "dense42"), "params": ("params.json", files["params.json"])},
        "params-not-json": {"name": (None, "m1"), "params": ("params.json", b"{not json"),
                            "model": ("model.onnx", files["model.onnx"])},
        "params-array": {"name": (None, "m1"), "params": ("params.json", b"[1,2]"), "model": ("model.onnx", files["model.onnx"])},
        "name-mismatch": {"name": (None, "other"), "params": ("params.json", files["params.json"]),
                          "model": ("model.onnx", files["model.onnx"])},
        "model-garbage": {"name": (None, "dense42"), "params": ("params.json", files["params.json"]),
                          "model": ("model.onnx", b"\x00garbage" * 100)},
    }
    for case, form in cases.items():
        r = requests.post(url, files=form, headers=h, timeout=30)
        assert 400 <= r.status_code < 500, (case, r.status_code, r.text)
        assert_json_error(r)
    # broken multipart bodies
    for body, ctype in ((b"--XX\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nm1", "multipart/form-data; boundary=XX"),
                        (b"garbage", "multipart/form-data; boundary=XX"),
                        (b"--XX--\r\n", "multipart/form-data; boundary=XX"),
                        (b"--\r\n", "multipart/form-data; boundary=")):
        r = requests.post(url, data=body, headers={**h, "Content-Type": ctype}, timeout=30)
        assert_json_error(r, statuses=(400,))
    names = {m["name"] for m in requests.get(server.url + "/models", timeout=10).json()}
    assert not names & {"m1", "other", "dense42"}, names
    assert not [p for p in server.repository.iterdir() if p.name.startswith(".")]


def test_params_post_unknown_model(server):
    r = requests.post(server.url + "/params", json={"name": "nope"}, headers=server.auth(), timeout=10)
    assert_json_error(r, statuses=(404,))
    r = requests.post(server.url + "/params", data=b"{", headers=server.auth(), timeout=10)
    assert_json_error(r, statuses=(400,))


def test_delete_bad_names(server):
    for url in (f"{server.url}/delete?model=../mlp", f"{server.url}/delete?model=nope", f"{server.url}/delete/nope"):
        r = requests.delete(url, headers=server.auth(), timeout=10)
        assert_json_error(r, statuses=(400, 404))
    assert requests.get(f"{server.url}/v2/models/mlp/ready", timeout=10).status_code == 200


# --- authorization -----------------------------------------------------------------------------------------------

WRITE_REQUESTS = [
    ("POST", "/upload", {"files": {"name": (None, "x"), "params": ("params.json", b"{}")}}),
    ("POST", "/upload", {"data": b"tar"}),
    ("DELETE", "/delete/mlp", {}),
    ("DELETE", "/delete?model=mlp", {}),
    ("POST", "/v2/repository/models/mlp/unload", {}),
    ("POST", "/v2/repository/models/mlp/load", {}),
    ("POST", "/params", {"data": json.dumps({"name": "mlp"})}),
]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "secret"},
                                     {"Authorization": "Basic c2VjcmV0"}, {"Authorization": "Bearer secret2"},
                                     {"Authorization": "Bearer "}],
                         ids=["missing", "wrong", "no-scheme", "basic", "longer", "empty"])
def test_write_needs_token(server, headers):
    for method, path, kw in WRITE_REQUESTS:
        r = requests.request(method, server.url + path, headers=headers, timeout=10, **kw)
        assert_json_error(r, statuses=(401, 403))
    # nothing changed
    assert requests.get(f"{server.url}/v2/models/mlp/ready", timeout=10).status_code == 200
    assert requests.get(f"{server.url}/status", timeout=10).json().get("default_model") != "mlp"


def test_no_token_non_loopback_refuses_writes(tmp_path):
    """Without --token, a server listening beyond loopback refuses every write."""
    srv = Server(small_repository(tmp_path), tmp_path / "server.log", token=None, host="0.0.0.0")
    try:
        for method, path, kw in WRITE_REQUESTS:
            r = requests.request(method, srv.url + path, timeout=10, **kw)
            assert_json_error(r, statuses=(401, 403))
        assert requests.get(f"{srv.url}/v2/models/mlp/ready", timeout=10).status_code == 200
        assert srv.alive()
    finally:
        srv.stop()


def test_no_token_loopback_allows_writes(tmp_path):
    """Without --token on loopback, writes are allowed: unload / load / upload / delete round trip."""
    srv = Server(small_repository(tmp_path), tmp_path / "server.log", token=None)
    try:
        r = requests.post(f"{srv.url}/v2/repository/models/mlp/unload", timeout=10)
        assert r.status_code == 200, r.text
        assert requests.get(f"{srv.url}/v2/models/mlp/ready", timeout=10).status_code != 200
        r = requests.post(f"{srv.url}/v2/repository/models/mlp/load", timeout=10)
        assert r.status_code == 200, r.text
        assert requests.get(f"{srv.url}/v2/models/mlp/ready", timeout=10).status_code == 200
        folder = write_tfaas_folder(tmp_path / "dense42", MODELS / "tfaas-dense42")
        r = curl("-F", "name=dense42", "-F", f"params=@{folder / 'params.json'}", "-F", f"model=@{folder / 'model.onnx'}",
                 "-F", f"labels=@{folder / 'labels.txt'}", f"{srv.url}/upload")
        assert r.status == 200, r
        assert curl("-X", "DELETE", f"{srv.url}/delete/dense42").status == 200
    finally:
        srv.stop()
