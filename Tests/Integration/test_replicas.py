"""Serving replicas: three `hepml serve` processes on one repository folder behind nginx (least_conn,
proxy_next_upstream on errors and timeouts), under 64 connections of inference, while a model is uploaded through
replica 1, a tag moves from version 1 to 2, one replica is drained with SIGTERM and another is SIGKILLed and
restarted. Counted: failed requests (none), responses mixing versions (none), requests nginx retried on another
replica after the SIGKILL (only the killed replica's in-flight ones)."""
import asyncio
import io
import json
import os
import signal
import subprocess
import tarfile
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import requests

from conftest import HEPML_BIN, PROJECT_ROOT, TOKEN, free_port
import peers

aiohttp = pytest.importorskip("aiohttp")
onnx = pytest.importorskip("onnx")

POLL = 2.0          # --poll-interval of the replicas
CONNECTIONS = 64
MIN_LOAD_SECONDS = 20  # the load runs at least this long (and ends by itself after the last step)
ROW = [0.5, -1.0, 2.0, 4.0]


def scale_model(factor: float) -> bytes:
    """y = x * factor for x: float32 [batch, 4] (the version is readable from the answer)."""
    from onnx import TensorProto, helper
    graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "k"], ["y"])], "scale",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor("k", TensorProto.FLOAT, [1], [factor])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8).SerializeToString()


CONFIG = """name: "{name}"
backend: "onnxruntime"
max_batch_size: 0
version_policy: {{ all {{ }} }}
input [ {{ name: "x" data_type: TYPE_FP32 dims: [ -1, 4 ] }} ]
output [ {{ name: "y" data_type: TYPE_FP32 dims: [ -1, 4 ] }} ]
"""


def write_model(root: Path, name: str, versions: dict, tags: dict | None = None):
    (root / name).mkdir(parents=True)
    (root / name / "config.pbtxt").write_text(CONFIG.format(name=name))
    for v, factor in versions.items():
        (root / name / str(v)).mkdir()
        (root / name / str(v) / "model.onnx").write_bytes(scale_model(factor))
    if tags:
        (root / name / "tags.json").write_text(json.dumps(tags))


def upload_body(name: str, versions: dict) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        entries = [(f"{name}/config.pbtxt", CONFIG.format(name=name).encode())]
        entries += [(f"{name}/{v}/model.onnx", scale_model(f)) for v, f in versions.items()]
        for path, data in entries:
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def infer_body():
    return {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": ROW}]}


class Replica:
    """One `hepml serve` on a fixed port (restartable on the same port)."""

    def __init__(self, repository: Path, workdir: Path, index: int):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"replica{index}.log"
        self.args = [str(HEPML_BIN), "serve", "--repository", str(repository), "--port", str(self.port), "--token", TOKEN,
                     "--poll-interval", str(POLL), "--drain-delay", "1", "--drain-timeout", "20", "--worker-threads", "2"]
        self.proc = None

    def start(self):
        env = dict(os.environ)
        env.pop("HEPML_TOKEN", None)
        ort = PROJECT_ROOT / ".deps" / "onnxruntime" / "libonnxruntime.so"
        if "HEPML_ORT_LIBRARY" not in env and ort.exists():
            env["HEPML_ORT_LIBRARY"] = str(ort)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-2000:]
            try:
                if requests.get(self.url + "/v2/health/ready", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise AssertionError(f"replica on {self.port} not ready:\n{self.log.read_text()[-2000:]}")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def nginx_conf(ports, workdir: Path, port: int, access: Path | None, keepalive: bool = False) -> Path:
    """nginx as the replicas' load balancer (least_conn, retries on errors and timeouts); `access` None turns the
    access log off, `keepalive` keeps upstream connections open (the benchmark's setting)."""
    tmp = workdir / "nginx-tmp"
    tmp.mkdir(exist_ok=True)
    upstreams = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in ports)
    logging = (f"""log_format replicas '$status "$upstream_addr" "$upstream_status" $request_time';
    access_log {access} replicas;""" if access else "access_log off;")
    pool = "\n        keepalive 64;" if keepalive else ""
    http11 = "\n            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";" if keepalive else ""
    conf = workdir / "nginx.conf"
    conf.write_text(f"""daemon off;
master_process off;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log;
events {{ worker_connections 1024; }}
http {{
    {logging}
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream hepml {{
        least_conn;
{upstreams}{pool}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://hepml;{http11}
            # Inference has no side effects, so a POST cut off by a dying replica may go to the next one.
            proxy_next_upstream error timeout non_idempotent;
            proxy_next_upstream_tries 3;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
        }}
    }}
}}
""")
    return conf


def start_nginx(ports, workdir: Path) -> tuple[subprocess.Popen, int, Path]:
    exe = peers.find_program("nginx")
    if exe is None:
        pytest.skip("nginx not found (scripts/setup --tests)")
    port = free_port()
    access = workdir / "access.log"
    conf = nginx_conf(ports, workdir, port, access)
    proc = subprocess.Popen([exe, "-e", str(workdir / "error.log"), "-p", str(workdir), "-c", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, preexec_fn=peers._set_pdeathsig)
    deadline = time.monotonic() + 10
    while not peers.port_open(port):
        assert proc.poll() is None and time.monotonic() < deadline, (workdir / "error.log").read_text()
        time.sleep(0.05)
    return proc, port, access


class Load:
    """64 connections posting inference of model 'm' tag 'production' through nginx until stopped."""

    def __init__(self, url: str):
        self.url = url + "/v2/models/m/versions/production/infer"
        self.results = []        # (t, status, version, ok)
        self.failures = []       # (t, description)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self.run()), daemon=True)

    async def worker(self, session):
        body = json.dumps(infer_body())
        x = np.array(ROW, dtype=np.float32)
        while not self.stop.is_set():
            t = time.monotonic()
            try:
                async with session.post(self.url, data=body, headers={"Content-Type": "application/json"}) as r:
                    text = await r.text()
                    if r.status != 200:
                        self.failures.append((t, f"HTTP {r.status}: {text[:200]}"))
                        continue
                    answer = json.loads(text)
                    version = int(answer["model_version"])
                    y = np.array(answer["outputs"][0]["data"], dtype=np.float32)
                    self.results.append((t, version, bool(np.array_equal(y, x * version))))
            except Exception as e:  # noqa: BLE001 (every failure is counted)
                self.failures.append((t, repr(e)))

    async def run(self):
        connector = aiohttp.TCPConnector(limit=CONNECTIONS)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            await asyncio.gather(*(self.worker(session) for _ in range(CONNECTIONS)))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(60)

    def since(self, t):
        return [r for r in self.results if r[0] >= t]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(0.05)
    raise AssertionError(f"{what} not within {timeout} s")


def answers(url, model, version=None):
    path = f"/v2/models/{model}" + (f"/versions/{version}" if version else "") + "/infer"
    try:
        r = requests.post(url + path, json=infer_body(), timeout=10)
    except requests.RequestException:
        return None
    return int(r.json()["model_version"]) if r.status_code == 200 else None


def status(url):
    try:
        return requests.get(url, timeout=2).status_code
    except requests.RequestException:
        return None


def retried(access: Path, since_line: int):
    """Requests of the access log (after line `since_line`) that nginx passed to more than one replica."""
    lines = access.read_text().splitlines()[since_line:]
    return [l for l in lines if "," in l.split('"')[1]], len(lines)


def test_replicas_behind_nginx(tmp_path):
    if not HEPML_BIN.exists():
        pytest.skip(f"server binary not found: {HEPML_BIN}")
    repo = tmp_path / "repository"
    write_model(repo, "m", {1: 1.0, 2: 2.0}, tags={"production": 1})
    replicas = [Replica(repo, tmp_path, k) for k in range(3)]
    nginx = None
    try:
        for r in replicas:
            r.start()
        nginx, port, access = start_nginx([r.port for r in replicas], tmp_path)
        balancer = f"http://127.0.0.1:{port}"
        with Load(balancer) as load:
            t_start = time.monotonic()
            wait_for(lambda: len(load.results) > 200, 30, "first answers through nginx")

            # 1. Upload through replica 1; every replica serves it after its next scan; nginx routes to it.
            t0 = time.monotonic()
            r = requests.post(replicas[0].url + "/upload", data=upload_body("fresh", {1: 3.0}), timeout=60,
                              headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/octet-stream"})
            assert r.status_code == 200, r.text
            seen = wait_for(lambda: all(answers(x.url, "fresh") == 1 for x in replicas), 3 * POLL + 10, "upload on every replica")
            print(f"upload visible on all replicas after {seen - t0:.2f} s (poll interval {POLL} s)")
            assert all(answers(balancer, "fresh") == 1 for _ in range(12))

            # 2. Tag production: 1 -> 2 through replica 2; answers switch to version 2, none mixes versions.
            r = requests.post(replicas[1].url + "/tag", json={"model": "m", "tag": "production", "version": 2},
                              headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
            assert r.status_code == 200, r.text
            t_tag = time.monotonic()
            wait_for(lambda: all(answers(x.url, "m", "production") == 2 for x in replicas), 3 * POLL + 10, "tag on every replica")
            print(f"tag move visible on all replicas after {time.monotonic() - t_tag:.2f} s")
            t_switched = time.monotonic()
            wait_for(lambda: len(load.since(t_switched)) > 200, 30, "answers after the tag move")
            assert {v for _, v, _ in load.since(t_switched)} == {2}

            # 3. SIGTERM replica 3: it reports not-ready while draining, finishes what it has, and exits 0.
            replicas[2].proc.send_signal(signal.SIGTERM)
            wait_for(lambda: status(replicas[2].url + "/v2/health/ready") == 503, 5, "not ready while draining")
            assert replicas[2].proc.wait(30) == 0, replicas[2].log.read_text()[-2000:]
            n = len(load.results)
            wait_for(lambda: len(load.results) > n + 300, 30, "answers after the drain")
            assert not load.failures, load.failures[:5]
            replicas[2].start()

            # 4. SIGKILL replica 2: nginx passes its cut-off requests to another replica; none fails.
            before = len(access.read_text().splitlines())
            n = len(load.results)
            replicas[1].proc.kill()
            replicas[1].proc.wait(10)
            wait_for(lambda: len(load.results) > n + 300, 30, "answers after the kill")
            replicas[1].start()
            n = len(load.results)
            wait_for(lambda: len(load.results) > n + 300, 30, "answers after the restart")
            time.sleep(max(0.0, MIN_LOAD_SECONDS - (time.monotonic() - t_start)))
        again, total = retried(access, before)
        print(f"{len(load.results)} answers, {len(load.failures)} failures; after SIGKILL nginx retried {len(again)} "
              f"of {total} requests on another replica")
        assert not load.failures, load.failures[:5]
        assert all(ok for _, _, ok in load.results), "an answer's output does not match its model version"
        assert {v for _, v, _ in load.results} == {1, 2}
        assert len(again) <= CONNECTIONS + 8, again[:10]
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(10)
        for r in replicas:
            r.stop()
