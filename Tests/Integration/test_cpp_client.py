"""The TFaaS C++ client (clients/cpp) built with g++ and run against `hepml serve`'s /proto.

The example program's printed labels and probabilities must equal /json's answer for the same input (as
float32, exactly) and the model's reference outputs; errors must come out as the HTTP status and the
server's message.
"""
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import requests

from conftest import MODELS, PROJECT_ROOT, Server, assert_close, load_reference, write_tfaas_folder
from test_auth_tls import TLSServer, self_signed

CLIENT_DIR = PROJECT_ROOT / "clients" / "cpp"
CPP_TOKEN = "cpp-client-token"
MODEL = "dense42"
LABELS = ["background", "signal"]


@pytest.fixture(scope="module")
def tfaas_predict(tmp_path_factory) -> Path:
    """clients/cpp/build.sh into a temporary folder; the example program's path."""
    missing = [tool for tool in ("g++", "protoc", "pkg-config") if shutil.which(tool) is None]
    assert not missing, f"{missing} not installed: run scripts/setup --tests"
    out = tmp_path_factory.mktemp("cpp-client")
    p = subprocess.run([str(CLIENT_DIR / "build.sh"), str(out)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"build.sh failed:\n{p.stdout}\n{p.stderr}"
    assert "warning:" not in p.stderr, f"the client compiles with warnings:\n{p.stderr}"
    generated = [f for f in CLIENT_DIR.rglob("*.pb.*") if f.relative_to(CLIENT_DIR).parts[0] != "build"]
    assert not generated, "generated protobuf code must stay out of the source tree (build/ is ignored)"
    return out / "tfaas_predict"


@pytest.fixture(scope="module")
def concurrent_predict(tfaas_predict) -> Path:
    """clients/cpp/tests/concurrent_predict.cc linked against the library build.sh made."""
    out = tfaas_predict.parent
    pkg = subprocess.run(["pkg-config", "--cflags", "--libs", "protobuf", "libcurl"], capture_output=True, text=True,
                         check=True).stdout.split()
    p = subprocess.run(["g++", "-std=c++17", "-Wall", "-Wextra", "-O1", str(CLIENT_DIR / "tests" / "concurrent_predict.cc"),
                        f"-I{CLIENT_DIR}", f"-I{out / 'gen'}", str(out / "libtfaas_client.a"), *pkg, "-pthread",
                        "-o", str(out / "concurrent_predict")], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and "warning:" not in p.stderr, p.stderr
    return out / "concurrent_predict"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """dense42 over HTTPS with a self-signed certificate (the server's own file is the CA file)."""
    root = tmp_path_factory.mktemp("cpp-tls")
    cert, key = self_signed(root)
    write_tfaas_folder(root / "repository" / MODEL, MODELS / "tfaas-dense42")
    srv = TLSServer(root / "repository", root / "server.log", cafile=cert,
                    extra_args=["--tls-cert", str(cert), "--tls-key", str(key)])
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def proto_server(tmp_path_factory):
    """dense42 (TFaaS layout, ONNX export) behind a tokens file: every endpoint but health needs CPP_TOKEN."""
    root = tmp_path_factory.mktemp("cpp-server")
    repo = root / "repository"
    write_tfaas_folder(repo / MODEL, MODELS / "tfaas-dense42")
    tokens = root / "tokens.jsonl"
    digest = hashlib.sha256(CPP_TOKEN.encode()).hexdigest()
    tokens.write_text(json.dumps({"name": "cmssw-job", "sha256": digest, "scopes": ["read", "infer"]}) + "\n")
    srv = Server(repo, root / "server.log", token=None, extra_args=["--tokens", str(tokens)])
    try:
        yield srv
    finally:
        srv.stop()


def run_client(binary: Path, *args: str, env_token: str | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin"}
    if env_token is not None:
        env["HEPML_TOKEN"] = env_token
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=60, env=env)


def printed_classes(stdout: str) -> list[tuple[str, np.float32]]:
    """`class: <label> value: <probability>` lines → [(label, float32)] in printed order."""
    out = []
    for line in stdout.splitlines():
        parts = line.split()
        assert len(parts) == 4 and parts[0] == "class:" and parts[2] == "value:", f"unexpected line {line!r}"
        out.append((parts[1], np.float32(parts[3])))
    return out


def json_answer(server, values: list[float], keys: list[str] | None = None) -> dict[str, np.float32]:
    body = {"model": MODEL, "values": values, "keys": keys or []}
    r = requests.post(server.url + "/json", json=body, headers={"Authorization": f"Bearer {CPP_TOKEN}"}, timeout=30)
    assert r.status_code == 200, r.text
    return {c["label"]: np.float32(c["probability"]) for c in r.json()}


def json_error(server, body: dict, token: str | None = CPP_TOKEN) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = requests.post(server.url + "/json", json=body, headers=headers, timeout=30)
    return r.status_code, r.json()["error"]


def test_reference_inputs_equal_json(tfaas_predict, proto_server):
    ref = load_reference("tfaas-dense42")
    keys = ref["keys"]
    for i, (values, expected) in enumerate(zip(ref["inputs"], ref["outputs"])):
        p = run_client(tfaas_predict, "--url", proto_server.url + "/proto", "--model", MODEL, "--token", CPP_TOKEN,
                       "--keys", ",".join(keys), *map(repr, values))
        assert p.returncode == 0, p.stderr
        printed = printed_classes(p.stdout)
        assert [label for label, _ in printed] == LABELS, "/proto keeps the labels file's class order"
        assert dict(printed) == json_answer(proto_server, values, keys), f"sample {i}: /proto differs from /json"
        assert_close([v for _, v in printed], expected, ref["tolerance"], f"sample {i} vs TensorFlow")


def test_default_sample_like_tfaas_readme(tfaas_predict, proto_server):
    """No values: 42 features 0..41 named "0".."41", as the TFaaS README's C++ example sends; the token
    comes from $HEPML_TOKEN and the URL has no path (the client adds /proto)."""
    p = run_client(tfaas_predict, "--url", proto_server.url, "--model", MODEL, env_token=CPP_TOKEN)
    assert p.returncode == 0, p.stderr
    printed = printed_classes(p.stdout)
    assert dict(printed) == json_answer(proto_server, [float(i) for i in range(42)])
    assert [label for label, _ in printed] == LABELS


def test_input_file(tfaas_predict, proto_server, tmp_path):
    values = load_reference("tfaas-dense42")["inputs"][3]
    f = tmp_path / "sample.txt"
    f.write_text(", ".join(map(repr, values[:20])) + "\n" + " ".join(map(repr, values[20:])) + "\n")
    p = run_client(tfaas_predict, "--url", proto_server.url + "/predict/proto", "--model", MODEL,
                   "--token", CPP_TOKEN, "--input", str(f))
    assert p.returncode == 0, p.stderr
    assert dict(printed_classes(p.stdout)) == json_answer(proto_server, values)


@pytest.mark.parametrize("case", ["no token", "wrong token", "unknown model", "wrong value count"])
def test_errors_carry_status_and_server_message(tfaas_predict, proto_server, case):
    """Each failure: exit 1, nothing on stdout, and `HTTP <status>: <message>` equal to what /json answers."""
    model, values, token = MODEL, [0.5] * 42, CPP_TOKEN
    if case == "no token":
        token = None
    elif case == "wrong token":
        token = "not-" + CPP_TOKEN
    elif case == "unknown model":
        model = "no_such_model"
    else:
        values = [0.5] * 3
    args = ["--url", proto_server.url + "/proto", "--model", model, *map(repr, values)]
    if token:
        args += ["--token", token]
    p = run_client(tfaas_predict, *args)
    status, message = json_error(proto_server, {"model": model, "values": values}, token)
    assert 400 <= status < 500, (status, message)
    assert p.returncode == 1, p.stdout
    assert p.stdout == ""
    assert p.stderr.strip() == f"tfaas_predict: HTTP {status}: {message}"


def test_connection_refused_is_reported(tfaas_predict):
    p = run_client(tfaas_predict, "--url", "http://127.0.0.1:1/proto", "--model", MODEL, "1", "2")
    assert p.returncode == 1
    assert p.stderr.startswith("tfaas_predict: http://127.0.0.1:1/proto: ") and "HTTP" not in p.stderr, p.stderr


def test_usage_errors(tfaas_predict, tmp_path):
    p = run_client(tfaas_predict, "--model", MODEL, "1.5", "x7")
    assert p.returncode == 2 and "unknown argument 'x7'" in p.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2 three\n")
    p = run_client(tfaas_predict, "--input", str(bad))
    assert p.returncode == 2 and "'three' is not a number" in p.stderr
    p = run_client(tfaas_predict, "--keys", "a,b", "1", "2", "3")
    assert p.returncode == 1 and "2 attribute names for 3 values" in p.stderr


def test_https_with_the_server_ca(tfaas_predict, tls_server, proto_server):
    values = load_reference("tfaas-dense42")["inputs"][1]
    p = run_client(tfaas_predict, "--url", tls_server.url + "/proto", "--model", MODEL, "--cacert",
                   str(tls_server.cafile), *map(repr, values))
    assert p.returncode == 0, p.stderr
    assert dict(printed_classes(p.stdout)) == json_answer(proto_server, values)


def test_https_rejects_an_unknown_ca(tfaas_predict, tls_server):
    p = run_client(tfaas_predict, "--url", tls_server.url + "/proto", "--model", MODEL, "1", "2")
    assert p.returncode == 1 and p.stdout == ""
    assert "certificate" in p.stderr and "HTTP" not in p.stderr, p.stderr


def test_concurrent_calls_agree(concurrent_predict, proto_server):
    """8 threads x 25 calls, half on one shared Client, half one-shot: every answer equals the first."""
    values = load_reference("tfaas-dense42")["inputs"][2]
    p = subprocess.run([str(concurrent_predict), proto_server.url + "/proto", MODEL, CPP_TOKEN, "8", "25",
                        *map(repr, values)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok 200"



def test_a_json_success_reply_is_not_taken_for_predictions(tfaas_predict):
    """A 200 answer that is not a Predictions message (a JSON body, as a wrong URL might give) is an error."""
    import http.server
    import threading

    class JSONHandler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b'{"status":"ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), JSONHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        p = run_client(tfaas_predict, "--url", f"http://127.0.0.1:{httpd.server_port}/proto", "--model", MODEL, "1", "2")
    finally:
        httpd.shutdown()
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.strip() == 'tfaas_predict: HTTP 200: the reply is not a tfaaspb.Predictions message ({"status":"ok"})'
