#!/usr/bin/env python3
"""Soak test of `hepml serve`: many connections doing a mix of inference (JSON, gzip JSON, hostile bodies)
on models nobody touches and uploads, deletes and tags of other models, under an address-space limit
(prlimit). Passes when no inference on an untouched model failed, the server is still up, its resident
memory stayed flat and no file descriptors leaked.

    bench/soak.py [--duration 300] [--connections 64] [--memory-mb 1024] [--binary .build/release/hepml]

Prints one JSON summary line; exit code 1 when a check fails.
"""
import argparse
import gzip
import io
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np
import requests

ROOT = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("HEPML_TESTDATA", ROOT.parent / "shared" / "testdata"))
MODELS = TESTDATA / "models"
TOKEN = "soak"
CHURN = [f"churn{i}" for i in range(4)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmRSS:"))


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def churn_tarball(name: str) -> bytes:
    """dense42 (TFaaS layout, ONNX export) as a tar.gz of folder `name`."""
    src = MODELS / "tfaas-dense42"
    params = json.loads((src / "params.json").read_text())
    params.update(model="model.onnx", name=name)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for arcname, data in [("params.json", json.dumps(params).encode()), ("model.onnx", (src / "model.onnx").read_bytes()),
                              ("labels.txt", (src / "labels.txt").read_bytes())]:
            info = tarfile.TarInfo(f"{name}/{arcname}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def make_repository(root: Path) -> Path:
    repo = root / "repository"
    (repo / "mlp" / "1").mkdir(parents=True)
    shutil.copy(MODELS / "sklearn-mlp" / "model.onnx", repo / "mlp" / "1" / "model.onnx")
    return repo


class Soak:
    def __init__(self, args):
        self.args = args
        self.url = ""
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.infer_ok = 0
        self.infer_failures: list[str] = []
        self.ops = Counter()
        ref = json.loads((MODELS / "sklearn-mlp" / "reference.json").read_text())
        self.ref_input = ref["inputs"][0]
        self.want_labels = ref["outputs"][0]["data"]
        self.want_probs = np.asarray(ref["outputs"][1]["data"], dtype=np.float64)
        self.tol = ref["tolerance"]
        body = json.dumps({"inputs": [self.ref_input], "outputs": [{"name": "label"}, {"name": "probabilities"}]}).encode()
        self.infer_body = body
        self.infer_gzip = gzip.compress(body)
        self.tarballs = {n: churn_tarball(n) for n in CHURN}
        self.hostile = [
            b'{"inputs":[{"name":"X","datatype":"FP32","shape":[6,12],"data":[-Infinity]}]}',
            b'{"inputs":[{"name":"X","datatype":"FP32","shape":[1,12],"data":[' + b"0," * 200_000 + b"0]}]}",
            b'{"inputs":[' + b"[" * 5000 + b"]}",
            b'{"inputs":[{"name":"X","datatype":"FP32","shape":[1,12],"data":[0,0,0,0,0,0,0,0,0,0,0,0]},'
            b'{"name":"X","datatype":"FP32","shape":[1,12],"data":[0,0,0,0,0,0,0,0,0,0,0,0]}]}',
        ]

    def check_infer(self, r) -> str | None:
        if r.status_code != 200:
            return f"HTTP {r.status_code}: {r.text[:200]}"
        out = {o["name"]: o for o in r.json()["outputs"]}
        if out["label"]["data"] != self.want_labels:
            return f"labels {out['label']['data']}"
        got = np.asarray(out["probabilities"]["data"], dtype=np.float64)
        if not np.allclose(got, self.want_probs, rtol=self.tol["rel"], atol=self.tol["abs"]):
            return "probabilities differ"
        return None

    def worker(self, seed: int):
        rng = random.Random(seed)
        s = requests.Session()
        auth = {"Authorization": f"Bearer {TOKEN}"}
        infer_url = f"{self.url}/v2/models/mlp/infer"
        while not self.stop.is_set():
            roll = rng.random()
            try:
                if roll < 0.75:
                    gz = roll < 0.2
                    r = s.post(infer_url, data=self.infer_gzip if gz else self.infer_body, timeout=60,
                               headers={"Content-Encoding": "gzip"} if gz else {})
                    problem = self.check_infer(r)
                    with self.lock:
                        if problem is None:
                            self.infer_ok += 1
                        else:
                            self.infer_failures.append(problem)
                    continue
                name = rng.choice(CHURN)
                if roll < 0.83:
                    op = "upload"
                    r = s.post(f"{self.url}/upload", data=self.tarballs[name], timeout=60, headers={**auth, "Content-Encoding": "gzip"})
                elif roll < 0.89:
                    op = "delete"
                    r = s.delete(f"{self.url}/delete/{name}", timeout=60, headers=auth)
                elif roll < 0.95:
                    op = "tag"
                    r = s.post(f"{self.url}/tag", json={"model": name, "tag": "production", "version": 1}, timeout=60, headers=auth)
                else:
                    op = "hostile"
                    r = s.post(infer_url, data=rng.choice(self.hostile), timeout=60)
                with self.lock:
                    self.ops[f"{op} {r.status_code}"] += 1
            except requests.RequestException as e:
                with self.lock:
                    if roll < 0.75:
                        self.infer_failures.append(f"{type(e).__name__}: {str(e)[:200]}")
                    else:
                        self.ops[f"error {type(e).__name__}"] += 1
                s = requests.Session()
        s.close()

    def run(self) -> dict:
        a = self.args
        work = Path(tempfile.mkdtemp(prefix="hepml-soak-"))
        repo = make_repository(work)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        cmd = [str(a.binary), "serve", "--repository", str(repo), "--port", str(port), "--token", TOKEN]
        if a.memory_mb:
            cmd = ["prlimit", f"--as={a.memory_mb << 20}", "--"] + cmd
        env = dict(os.environ)
        ort = ROOT / ".deps" / "onnxruntime" / "libonnxruntime.so"
        if "HEPML_ORT_LIBRARY" not in env and ort.exists():
            env["HEPML_ORT_LIBRARY"] = str(ort)
        log = open(work / "server.log", "wb")
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited with {proc.returncode}: {(work / 'server.log').read_text()[-2000:]}")
                try:
                    if requests.get(self.url + "/v2/health/ready", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("server not ready")
                time.sleep(0.1)
            warm = requests.Session()
            for _ in range(20):
                self.check_infer(warm.post(self.url + "/v2/models/mlp/infer", data=self.infer_body, timeout=30))
            warm.close()
            time.sleep(0.5)
            base_rss, base_fds = rss(proc.pid), fds(proc.pid)
            samples = []
            threads = [threading.Thread(target=self.worker, args=(i,)) for i in range(a.connections)]
            t0 = time.monotonic()
            for t in threads:
                t.start()
            while time.monotonic() - t0 < a.duration and proc.poll() is None:
                time.sleep(1)
                samples.append((time.monotonic() - t0, rss(proc.pid), fds(proc.pid)))
            self.stop.set()
            for t in threads:
                t.join(timeout=120)
            alive = proc.poll() is None
            time.sleep(2)
            end_rss = rss(proc.pid) if alive else 0
            end_fds = fds(proc.pid) if alive else 0
            n = max(1, len(samples) // 5)
            early = sorted(r for _, r, _ in samples[n:2 * n]) or [base_rss]
            late = sorted(r for _, r, _ in samples[-n:]) or [base_rss]
            summary = {
                "duration_s": round(time.monotonic() - t0, 1), "connections": a.connections, "memory_limit_mb": a.memory_mb,
                "infer_ok": self.infer_ok, "infer_failed": len(self.infer_failures), "first_failures": self.infer_failures[:5],
                "ops": dict(sorted(self.ops.items())), "server_alive": alive,
                "rss_mb": {"baseline": base_rss >> 20, "early_median": early[len(early) // 2] >> 20,
                           "late_median": late[len(late) // 2] >> 20, "max": max((r for _, r, _ in samples), default=0) >> 20,
                           "after": end_rss >> 20},
                "fds": {"baseline": base_fds, "max": max((f for _, _, f in samples), default=0), "after": end_fds},
            }
            growth = late[len(late) // 2] - early[len(early) // 2]
            summary["checks"] = {
                "no_failed_infers": not self.infer_failures and self.infer_ok > 0,
                "server_alive": alive,
                "rss_flat": growth < a.rss_growth_mb << 20,
                "no_fd_growth": alive and end_fds <= base_fds + 4,
            }
            return summary
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
            log.close()
            if not a.keep:
                shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", type=Path, default=ROOT / ".build" / "release" / "hepml")
    p.add_argument("--duration", type=float, default=300)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--memory-mb", type=int, default=1024, help="address-space limit of the server (prlimit --as); 0: none")
    p.add_argument("--rss-growth-mb", type=int, default=64, help="largest accepted growth of median RSS, early vs late")
    p.add_argument("--keep", action="store_true", help="keep the temporary repository and server log")
    summary = Soak(p.parse_args()).run()
    print(json.dumps(summary))
    return 0 if all(summary["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
