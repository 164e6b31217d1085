"""Serving replicas behind nginx (issue 13): requests/s of 1, 2 and 3 `hepml serve` replicas on one repository
behind nginx (least_conn, keep-alive to the replicas) under 64 connections, the CPU share of nginx, the
replicas and the load generator, and how long a model uploaded through replica 1 takes to be served by every
replica (--poll-interval 5, the default).

    .deps/test-venv/bin/python bench/replica_bench.py [--seconds 10] [--trials 3]

Model: the scale model of Tests/Integration/test_replicas.py (y = x * k, [1, 4] float32), so the numbers are
the HTTP + KServe JSON path, not model compute. Release build (.build-release/release/hepml; HEPML_BIN overrides).
"""
import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT_DIR = HERE.parent
sys.path.insert(0, str(ROOT_DIR / "Tests" / "Integration"))
os.environ.setdefault("HEPML_BIN", str(ROOT_DIR / ".build-release" / "release" / "hepml"))

import requests  # noqa: E402

import test_replicas as tr  # noqa: E402  (models, replicas and nginx of the integration test)


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(url, seconds, connections=64):
    import aiohttp
    body = json.dumps(tr.infer_body())
    done = [0, 0]
    stop = time.monotonic() + seconds

    async def worker(session):
        while time.monotonic() < stop:
            async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
                await r.read()
                done[0 if r.status == 200 else 1] += 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as session:
        await asyncio.gather(*(worker(session) for _ in range(connections)))
    return done


def throughput(n, seconds, work: Path):
    import peers
    repo = work / f"repo{n}"
    tr.write_model(repo, "m", {1: 1.0})
    replicas = [tr.Replica(repo, work, k) for k in range(n)]
    nginx = None
    try:
        for r in replicas:
            r.start()
        port = tr.free_port()
        conf = tr.nginx_conf([r.port for r in replicas], work, port, None, keepalive=True)
        nginx = subprocess.Popen([peers.find_program("nginx"), "-e", str(work / "error.log"), "-p", str(work), "-c", str(conf)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        while not peers.port_open(port):
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/v2/models/m/infer"
        asyncio.run(load(url, 2))  # warm-up
        pids = {"nginx": [nginx.pid], "replicas": [r.proc.pid for r in replicas], "client": [os.getpid()]}
        before = {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}
        t = time.monotonic()
        ok, failed = asyncio.run(load(url, seconds))
        wall = time.monotonic() - t
        used = {k: sum(cpu_seconds(p) for p in v) - before[k] for k, v in pids.items()}
        return {"replicas": n, "req_s": ok / wall, "failed": failed, "cpu": {k: v / wall for k, v in used.items()}}
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(10)
        for r in replicas:
            r.stop()


def visibility(trials, work: Path, poll=5.0):
    repo = work / "repo-vis"
    tr.write_model(repo, "m", {1: 1.0})
    tr.POLL = poll
    replicas = [tr.Replica(repo, work, 10 + k) for k in range(3)]
    latencies = []
    try:
        for r in replicas:
            r.start()
        for k in range(trials):
            name = f"fresh{k}"
            t0 = time.monotonic()
            r = requests.post(replicas[0].url + "/upload", data=tr.upload_body(name, {1: 3.0}), timeout=60,
                              headers={"Authorization": f"Bearer {tr.TOKEN}", "Content-Type": "application/octet-stream"})
            r.raise_for_status()
            pending = set(range(3))
            while pending:
                for i in list(pending):
                    if tr.answers(replicas[i].url, name) == 1:
                        pending.discard(i)
                time.sleep(0.02)
            latencies.append(time.monotonic() - t0)
            time.sleep(1.3 * k)  # uploads at different phases of the replicas' scan cycles
    finally:
        for r in replicas:
            r.stop()
    return latencies


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--trials", type=int, default=4)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hepml-replica-bench-"))
    rows = [throughput(n, args.seconds, work) for n in (1, 2, 3)]
    print("| replicas | req/s | failed | CPU (cores): replicas | nginx | load generator | nginx share |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        c = r["cpu"]
        share = c["nginx"] / max(1e-9, sum(c.values()))
        print(f"| {r['replicas']} | {r['req_s']:,.0f} | {r['failed']} | {c['replicas']:.2f} | {c['nginx']:.2f} | {c['client']:.2f} | {share:.0%} |")
    lat = visibility(args.trials, work)
    print(f"upload through replica 1 served by all 3 replicas after (s, --poll-interval 5): "
          f"{', '.join(f'{x:.2f}' for x in lat)}; median {statistics.median(lat):.2f}, max {max(lat):.2f}")


if __name__ == "__main__":
    main()
