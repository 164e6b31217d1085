"""Bounded memory, isolation and strict JSON (issue 10, items 1, 2, 6 and 8): each defect's reproducer against
the real `hepml serve` binary."""
import gzip
import io
import json
import socket
import tarfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import requests

from conftest import MODELS, Server, assert_json_error
from test_bad_input import small_repository

MB = 1 << 20


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def limits_server(tmp_path_factory):
    """Default body limit (256 MiB), default in-flight budget."""
    root = tmp_path_factory.mktemp("limits")
    srv = Server(small_repository(root), root / "server.log")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def budget_server(tmp_path_factory):
    """A server whose in-flight budget (8 MiB) is smaller than its body limit (256 MiB)."""
    root = tmp_path_factory.mktemp("budget")
    srv = Server(small_repository(root), root / "server.log", extra_args=["--max-inflight-mb", "8"])
    yield srv
    srv.stop()


def mlp_input(n_rows: int, rng=None) -> dict:
    rng = rng or np.random.default_rng(1)
    x = rng.standard_normal((n_rows, 12)).astype(np.float32)
    return {"name": "X", "datatype": "FP32", "shape": [n_rows, 12], "data": x.ravel().tolist()}


def infer(srv, body, headers=None, timeout=120):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(f"{srv.url}/v2/models/mlp/infer", data=data, headers=headers or {}, timeout=timeout)


def settle_rss(pid: int, seconds: float = 3.0) -> int:
    """The lowest RSS seen over a short wait (freed memory is returned to the system asynchronously)."""
    low = rss_bytes(pid)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.2)
        low = min(low, rss_bytes(pid))
    return low


def zero_bomb(shape_first: bool) -> bytes:
    """A 127 KB gzip infer body that inflates to 128 MB of `0,0,0,...` (issue 10, item 1)."""
    zeros = b"0," * (64 * MB - 1) + b"0"
    head = b'{"inputs":[{"name":"X","datatype":"FP32","shape":[1,12],"data":[' if shape_first else b'{"inputs":[{"name":"X","data":['
    tail = b"]}]}" if shape_first else b'],"datatype":"FP32","shape":[1,12]}]}'
    return gzip.compress(head + zeros + tail, compresslevel=9)


# --- item 1: memory amplification ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shape_first", [True, False], ids=["shape-first", "data-first"])
def test_gzip_zero_bomb_leaves_rss_at_baseline(limits_server, shape_first):
    srv = limits_server
    ref = json.loads((MODELS / "sklearn-mlp" / "reference.json").read_text())
    assert infer(srv, {"inputs": ref["inputs"][:1]}).status_code == 200
    baseline = settle_rss(srv.proc.pid, 1.0)
    body = zero_bomb(shape_first)
    assert len(body) < 200_000
    peak = [baseline]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_bytes(srv.proc.pid))
            time.sleep(0.01)

    t = threading.Thread(target=sample)
    t.start()
    try:
        r = infer(srv, body, {"Content-Encoding": "gzip", "Content-Type": "application/json"})
    finally:
        done.set()
        t.join()
    assert_json_error(r, statuses=(400, 413))
    after = settle_rss(srv.proc.pid)
    assert after - baseline < 100 * MB, f"RSS {baseline >> 20} MiB before, {after >> 20} MiB after (peak {peak[0] >> 20} MiB)"
    assert peak[0] - baseline < 600 * MB, f"peak RSS {peak[0] >> 20} MiB over a {baseline >> 20} MiB baseline"
    assert srv.alive()


def test_repository_index_large_body_refused(limits_server):
    """`POST /v2/repository/index` with a 40 MB array: 413 from the control-endpoint limit, no 1.4 GB peak."""
    srv = limits_server
    baseline = settle_rss(srv.proc.pid, 0.5)
    body = b"[" + b"0," * (20 * MB) + b"0]"
    r = requests.post(f"{srv.url}/v2/repository/index", data=body, timeout=60)
    assert_json_error(r, statuses=(413,))
    assert settle_rss(srv.proc.pid, 1.0) - baseline < 100 * MB
    r = requests.post(f"{srv.url}/v2/repository/index", json={"ready": True}, timeout=10)
    assert r.status_code == 200 and [m["name"] for m in r.json()] == ["mlp"]


# --- item 2: isolation --------------------------------------------------------------------------------------------

def test_health_fast_while_two_large_bodies_in_flight(limits_server):
    srv = limits_server
    rows = 50 * MB // (12 * 21)  # ~21 bytes per float as JSON text
    body = json.dumps({"inputs": [mlp_input(rows)]}).encode()
    assert len(body) > 45 * MB
    results = []
    finished = []

    def post():
        r = infer(srv, body, {"Content-Type": "application/json"}, timeout=300)
        results.append(r.status_code)
        finished.append(time.monotonic())

    session = requests.Session()
    session.get(srv.url + "/v2/health/live", timeout=5)
    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    latencies = {"/v2/health/live": [], "/v2/health/ready": [], "/metrics": []}
    for _ in range(2000):  # bounded: stops when both requests are done
        if len(finished) == 2:
            break
        for path, seen in latencies.items():
            t0 = time.monotonic()
            r = session.get(srv.url + path, timeout=10)
            seen.append(time.monotonic() - t0)
            assert r.status_code == 200, f"{path}: {r.status_code}"
        time.sleep(0.02)
    for t in threads:
        t.join()
    assert results == [200, 200]
    samples = sum(len(v) for v in latencies.values())
    assert samples >= 30, f"only {samples} health samples while the bodies were in flight"
    for path, seen in latencies.items():
        seen.sort()
        p95 = seen[int(0.95 * (len(seen) - 1))]
        assert p95 < 0.050, f"{path}: 95th percentile {p95 * 1000:.1f} ms, max {seen[-1] * 1000:.1f} ms over {len(seen)} samples"


# --- item 6: limits that are the documented limits ----------------------------------------------------------------

@pytest.mark.parametrize("path,length", [("/v2/models/mlp/infer", 1 << 30), ("/v2/repository/index", 100_000),
                                         ("/upload", 1 << 30)], ids=["infer-1GB", "index-100KB", "upload-1GB"])
def test_oversize_content_length_refused_before_reading(limits_server, path, length):
    """A request announcing a body larger than the endpoint's limit is answered 413 at once, without the body."""
    srv = limits_server
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer secret\r\n"
                  f"Content-Length: {length}\r\n\r\n".encode())
        t0 = time.monotonic()
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = s.recv(4096)
            assert chunk, f"connection closed without a response: {reply!r}"
            reply += chunk
        elapsed = time.monotonic() - t0
        # The refused body is never read: the server closes the connection after the 413 instead of holding it
        # open until its idle timeout (60 s by default) waiting for bytes the client will not send.
        s.settimeout(3)
        try:
            while s.recv(4096):
                pass
            closed = True
        except socket.timeout:
            closed = False
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"connection: close" in reply.lower(), reply[:300]
    assert closed, "the connection stayed open after the 413"
    assert elapsed < 5, f"413 took {elapsed:.1f} s"


def test_gzip_upload_capped_at_max_body(tmp_path_factory):
    """A tar.gz that inflates past --max-body-mb is refused with 413 (it used to be allowed 4x)."""
    root = tmp_path_factory.mktemp("upload-cap")
    srv = Server(small_repository(root), root / "server.log", extra_args=["--max-body-mb", "1"])
    try:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            data = b"\0" * (3 * MB)
            info = tarfile.TarInfo("big/1/model.onnx")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        assert len(buf.getvalue()) < 64 * 1024
        r = requests.post(f"{srv.url}/upload", data=buf.getvalue(), timeout=30,
                          headers={"Authorization": "Bearer secret", "Content-Encoding": "gzip"})
        err = assert_json_error(r, statuses=(413,))
        assert "1048576" in err
        gz = gzip.compress(json.dumps({"inputs": [mlp_input(6_000)]}).encode())
        assert len(gz) < MB
        assert_json_error(infer(srv, gz, {"Content-Encoding": "gzip"}), statuses=(413,))
        assert srv.alive()
    finally:
        srv.stop()


def test_over_inflight_budget_gets_503_with_retry_after(budget_server):
    srv = budget_server
    body = json.dumps({"inputs": [mlp_input(60_000)]}).encode()
    assert 9 * MB < len(body) < 256 * MB
    r = infer(srv, body)
    assert_json_error(r, statuses=(503,))
    assert r.headers.get("Retry-After", "").isdigit(), r.headers
    small = infer(srv, {"inputs": [mlp_input(100)]})
    assert small.status_code == 200, small.text[:300]
    # A gzip body within the budget that inflates past it is refused the same way, while inflating.
    gz = gzip.compress(body)
    assert len(gz) < 8 * MB
    r = infer(srv, gz, {"Content-Encoding": "gzip"})
    assert_json_error(r, statuses=(503,))
    assert r.headers.get("Retry-After")
    assert infer(srv, {"inputs": [mlp_input(100)]}).status_code == 200


# --- item 8: strict JSON, duplicate inputs -------------------------------------------------------------------------

@pytest.mark.parametrize("token", ["-Infinity", "Infinity", "NaN", "-nan", "nan", "0x1p3", "01", "+1", ".5", "1."])
def test_lenient_json_numbers_refused(limits_server, token):
    data = ",".join(["0.5"] * 11 + [token])
    body = b'{"inputs":[{"name":"X","datatype":"FP32","shape":[1,12],"data":[' + data.encode() + b"]}]}"
    assert_json_error(infer(limits_server, body), statuses=(400,))
    tfaas = b'{"model":"mlp","values":[' + data.encode() + b"]}"
    assert_json_error(requests.post(limits_server.url + "/json", data=tfaas, timeout=10), statuses=(400,))


def test_null_is_nan_padding(limits_server):
    """`null` stays hepml's documented NaN padding: accepted for float inputs, refused for integers."""
    body = {"inputs": [{"name": "X", "datatype": "FP32", "shape": [1, 12], "data": [0.5] * 11 + [None]}]}
    assert infer(limits_server, body).status_code == 200
    body["inputs"][0]["datatype"] = "INT64"
    assert_json_error(infer(limits_server, body), statuses=(400,))


def test_duplicate_input_names_refused(limits_server):
    inp = mlp_input(1)
    err = assert_json_error(infer(limits_server, {"inputs": [inp, dict(inp)]}), statuses=(400,))
    assert "duplicate" in err


def test_syntax_errors_report_the_byte_offset(limits_server):
    body = b'{"inputs":[{"name":"X","datatype":"FP32","shape":[1,1],"data":[0x1p3]}]}'
    err = assert_json_error(infer(limits_server, body), statuses=(400,))
    assert f"byte {body.index(b'x1p3')}" in err, err
