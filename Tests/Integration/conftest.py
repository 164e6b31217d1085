"""Fixtures for the hepml integration tests.

They run the real `hepml serve` binary (override with HEPML_BIN) on a temporary model repository built from
the shared test data, and talk to it with real peers (tritonclient, curl, requests).
"""
import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TESTDATA = Path(os.environ.get("HEPML_TESTDATA", PROJECT_ROOT.parent / "shared" / "testdata"))
MODELS = TESTDATA / "models"
TRITON_REPO = TESTDATA / "triton-repository"
HEPML_BIN = Path(os.environ.get("HEPML_BIN", PROJECT_ROOT / ".build" / "debug" / "hepml"))
TOKEN = "secret"
RUNNING: dict = {}  # url -> Server, to explain dropped connections
STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_reference(model_folder: str) -> dict:
    with open(MODELS / model_folder / "reference.json") as f:
        return json.load(f)


def write_tfaas_folder(dest: Path, source: Path, name: str | None = None) -> Path:
    """A TFaaS-layout folder (params.json + model.onnx + labels.txt) made from a shared model folder,
    with params.json rewritten to serve the ONNX export."""
    dest.mkdir(parents=True, exist_ok=True)
    params = json.loads((source / "params.json").read_text())
    params["model"] = "model.onnx"
    if name is not None:
        params["name"] = name
    (dest / "params.json").write_text(json.dumps(params, indent=1))
    shutil.copy(source / "model.onnx", dest / "model.onnx")
    shutil.copy(source / "labels.txt", dest / "labels.txt")
    return dest


class Server:
    """A running `hepml serve` process."""

    def __init__(self, repository: Path, log_path: Path, token: str | None = TOKEN, host: str = "127.0.0.1",
                 extra_args: list[str] | None = None, wait_path: str = "/v2/health/ready", grpc: bool = False):
        if not HEPML_BIN.exists():
            pytest.skip(f"server binary not found: {HEPML_BIN} (set HEPML_BIN)")
        self.repository = repository
        self.port = free_port()
        self.host = host
        connect_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.url = f"http://{connect_host}:{self.port}"
        self.hostport = f"{connect_host}:{self.port}"
        self.grpc_port = free_port() if grpc else None  # KServe v2 gRPC (tritonclient.grpc) on grpc_hostport
        self.grpc_hostport = f"{connect_host}:{self.grpc_port}" if grpc else None
        self.token = token
        self.log_path = log_path
        self.proc = None
        self.crashes = 0
        self.wait_path = wait_path
        self.args = [str(HEPML_BIN), "serve", "--repository", str(repository), "--host", host, "--port", str(self.port)]
        self.args += [f"--grpc-port={self.grpc_port if grpc else -1}"]
        if token is not None:
            self.args += ["--token", token]
        self.args += extra_args or []
        RUNNING[self.url] = self
        self._start("wb")

    def _start(self, mode: str):
        env = dict(os.environ)
        env.pop("HEPML_TOKEN", None)
        ort = PROJECT_ROOT / ".deps" / "onnxruntime" / "libonnxruntime.so"
        if "HEPML_ORT_LIBRARY" not in env and ort.exists():
            env["HEPML_ORT_LIBRARY"] = str(ort)
        self._log = open(self.log_path, mode)
        self.proc = subprocess.Popen(self.args, cwd=PROJECT_ROOT, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def ensure_running(self):
        """Restarts the server (same port, same repository) if an earlier test crashed it, so one crash
        does not fail every later test. The crash itself is reported by the test that caused it."""
        if self.proc.poll() is None:
            if self.alive():
                return
            try:  # hung, or still printing a crash backtrace
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.crashes += 1
        self._log.close()
        with open(self.log_path, "ab") as f:
            f.write(f"\n==== restarted after exit code {self.proc.returncode} ====\n".encode())
        self._start("ab")

    def _wait_ready(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hepml serve exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                r = requests.get(self.url + self.wait_path, timeout=2)
                if r.status_code == 200 and (self.grpc_port is None or self._grpc_listening()):
                    return
                last = f"HTTP {r.status_code} {r.text[:200]}"
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.1)
        raise RuntimeError(f"hepml serve not ready after {STARTUP_TIMEOUT}s (last: {last}):\n{self.log_tail()}")

    def _grpc_listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.grpc_port), timeout=1):
                return True
        except OSError:
            return False

    def crash_summary(self) -> str:
        """The crash lines and first frames of the crashing thread from the server log, if it crashed."""
        lines = self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []
        starts = [i for i, l in enumerate(lines) if "Backtracing from" in l]
        lines = lines[max(0, starts[-1] - 3):] if starts else []
        out = []
        for i, line in enumerate(lines):
            if line.startswith("*** ") or "Fatal error" in line:
                out.append(line.strip())
            if line.rstrip().endswith("crashed:"):
                out += [l.strip()[:240] for l in lines[i + 1:i + 6] if l.strip()]
                break
        return "\n".join(out)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def auth(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def alive(self) -> bool:
        try:
            return requests.get(self.url + "/v2/health/live", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


def build_main_repository(root: Path) -> Path:
    repo = root / "repository"
    repo.mkdir()
    shutil.copytree(TRITON_REPO / "particlenet_AK4", repo / "particlenet_AK4")
    (repo / "mlp" / "1").mkdir(parents=True)
    shutil.copy(MODELS / "sklearn-mlp" / "model.onnx", repo / "mlp" / "1" / "model.onnx")
    write_tfaas_folder(repo / "image28", MODELS / "tfaas-image28")
    return repo


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The main server: particlenet_AK4 (Triton layout), mlp (bare version) and image28 (TFaaS layout),
    token `secret`. Yields the Server (use .url / .hostport)."""
    root = tmp_path_factory.mktemp("hepml")
    repo = build_main_repository(root)
    srv = Server(repo, root / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(autouse=True)
def _restart_crashed_server(request):
    """Before each test that uses the main server: bring it back if a previous test crashed it."""
    if "server" in request.fixturenames:
        request.getfixturevalue("server").ensure_running()


@pytest.fixture(scope="session")
def base_url(server) -> str:
    return server.url


@pytest.fixture(scope="session")
def particlenet_ref() -> dict:
    return load_reference("particlenet-ak4-sonic")


@pytest.fixture(scope="session")
def mlp_ref() -> dict:
    return load_reference("sklearn-mlp")


@pytest.fixture(scope="session")
def dense42_ref() -> dict:
    return load_reference("tfaas-dense42")


@pytest.fixture(scope="session")
def image28_ref() -> dict:
    return load_reference("tfaas-image28")


@pytest.fixture(scope="session")
def dense42_dir(tmp_path_factory) -> Path:
    """dense42 in TFaaS layout, serving its ONNX export (params.json says model.onnx)."""
    return write_tfaas_folder(tmp_path_factory.mktemp("dense42") / "dense42", MODELS / "tfaas-dense42")


def assert_close(actual, expected, tolerance: dict, what: str = "output"):
    import numpy as np
    a = np.asarray(actual, dtype=np.float64).ravel()
    e = np.asarray(expected, dtype=np.float64).ravel()
    assert a.shape == e.shape, f"{what}: {a.shape} values, expected {e.shape}"
    np.testing.assert_allclose(a, e, rtol=tolerance.get("rel", 0), atol=tolerance.get("abs", 0), err_msg=what)


class CurlResult:
    def __init__(self, status: int, body: bytes, headers: str):
        self.status = status
        self.body = body
        self.headers = headers

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"HTTP {self.status}: {self.body[:500]!r}"


def curl(*args: str, timeout: float = 30.0) -> CurlResult:
    """Runs the real curl binary; returns status, body and response headers."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        out, hdr = Path(d) / "body", Path(d) / "headers"
        cmd = ["curl", "-sS", "-o", str(out), "-D", str(hdr), "-w", "%{http_code}", *args]
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
        assert p.returncode == 0, f"curl failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr.decode()}"
        return CurlResult(int(p.stdout.decode().strip() or 0), out.read_bytes() if out.exists() else b"",
                          hdr.read_text(errors="replace") if hdr.exists() else "")


def explain_drop(url: str) -> str:
    """For a dropped connection: did the server at `url` crash? (waits for the crash report)."""
    for base, srv in RUNNING.items():
        if url.startswith(base):
            try:
                srv.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                return "server still running"
            return f"server exited with {srv.proc.returncode}:\n{srv.crash_summary()[-3000:]}"
    return ""


def assert_json_error(r, statuses=range(400, 500)):
    """A 4xx (by default) whose body is `{"error": "<non-empty reason>"}`; works for curl and requests."""
    status = r.status if isinstance(r, CurlResult) else r.status_code
    body = r.body if isinstance(r, CurlResult) else r.content
    assert status in statuses, f"unexpected status {status}: {body[:300]!r}"
    try:
        obj = json.loads(body)
    except ValueError:
        raise AssertionError(f"HTTP {status} error body is not JSON: {body[:300]!r}")
    assert isinstance(obj, dict) and isinstance(obj.get("error"), str) and obj["error"], f"no 'error' reason: {obj!r}"
    return obj["error"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the item (rep_setup / rep_call / rep_teardown) for fixtures to read."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
