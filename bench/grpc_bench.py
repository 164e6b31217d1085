#!/usr/bin/env python3
"""gRPC serving benchmark: hepml serve over KServe v2 gRPC vs REST, with and without dynamic batching.

  bench/grpc_bench.py [--seconds 10] [--concurrency 64] [--clients 2] [--hepml-bin .build-release/release/hepml]

One hepml serve (release binary, HEPML_BIN or --hepml-bin) on a private repository with two models, each twice:
  mlp       the serving MLP of bench/serve_bench (bench/results/serving/repo/mlp, made by make_serving_models.py),
            or the shared sklearn-mlp when that is missing; one row of features per request
  deepjet   the shared DeepJet (Run 3) ONNX model; one jet per request
  *_batched the same file with a config.pbtxt: max_batch_size 64, dynamic_batching (no queue delay: requests
            that arrive while a run is busy are merged into the next run)
The unbatched folders have no config (no batch dimension declared): each request is its own run.

Load: `--clients` processes, each an asyncio tritonclient (grpc.aio or http.aio) keeping concurrency/clients
requests in flight for --seconds after a 2 s warm-up; every answer is checked against the model's answer for
the same input. Prints one markdown row per case (req/s, p50, p99 in ms) and writes bench/results/grpc.json.
The load generator shares the machine's cores with the server, so absolute numbers are low and noisy; the
ratios between rows of one run are the point.
"""
import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HEPML_TESTDATA", ROOT.parent / "shared" / "testdata"))
SERVING_MLP = ROOT / "bench" / "results" / "serving" / "repo" / "mlp" / "1" / "model.onnx"
ORT_LIB = ROOT / ".deps" / "onnxruntime" / "libonnxruntime.so"
NP_TO_TRITON = {np.dtype(np.float32): "FP32", np.dtype(np.float64): "FP64", np.dtype(np.int64): "INT64",
                np.dtype(np.int32): "INT32"}
CONFIG_TYPES = {"FP32": "TYPE_FP32", "FP64": "TYPE_FP64", "INT64": "TYPE_INT64", "INT32": "TYPE_INT32"}
ORT_TYPES = {"tensor(float)": "FP32", "tensor(double)": "FP64", "tensor(int64)": "INT64", "tensor(int32)": "INT32"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def model_io(path: Path):
    import onnxruntime as ort
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ins = [(i.name, ORT_TYPES[i.type], [d if isinstance(d, int) else -1 for d in i.shape[1:]]) for i in sess.get_inputs()]
    outs = [(o.name, ORT_TYPES[o.type], [d if isinstance(d, int) else -1 for d in o.shape[1:]]) for o in sess.get_outputs()]
    return ins, outs


def write_repository(root: Path) -> dict:
    """Model folders and one request (inputs of batch 1) per model."""
    sources = {"mlp": SERVING_MLP if SERVING_MLP.exists() else SHARED / "models" / "sklearn-mlp" / "model.onnx",
               "deepjet": SHARED / "models" / "deepjet-run3" / "model.onnx"}
    rng = np.random.default_rng(1)
    requests = {}
    for name, src in sources.items():
        ins, outs = model_io(src)
        for folder, batched in [(name, False), (name + "_batched", True)]:
            (root / folder / "1").mkdir(parents=True)
            shutil.copy(src, root / folder / "1" / "model.onnx")
            if batched:
                def block(kind, specs):
                    return kind + " [" + ", ".join(
                        f'{{ name: "{n}" data_type: {CONFIG_TYPES[t]} dims: {json.dumps(d)} }}' for n, t, d in specs) + "]"
                (root / folder / "config.pbtxt").write_text(
                    f'name: "{folder}"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 64\n{block("input", ins)}\n'
                    f'{block("output", outs)}\ndynamic_batching {{ }}\n')
        requests[name] = [(n, t, rng.normal(0, 1, [1] + [max(1, d) for d in dims]).astype(np.float32 if t == "FP32" else np.float64))
                          for n, t, dims in ins]
        requests[name + "_outputs"] = [n for n, _, _ in outs]
    return requests


async def client_loop(protocol: str, url: str, model: str, inputs, expect, inflight: int, warmup: float, seconds: float, out):
    if protocol == "grpc":
        import tritonclient.grpc.aio as tc
    else:
        import tritonclient.http.aio as tc
    client = tc.InferenceServerClient(url)
    infer_inputs = []
    for name, dt, arr in inputs:
        i = tc.InferInput(name, list(arr.shape), dt)
        i.set_data_from_numpy(arr)
        infer_inputs.append(i)
    latencies, errors = [], 0
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds

    async def worker():
        nonlocal errors
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at:
                return
            try:
                r = await client.infer(model, infer_inputs)
                got = r.as_numpy(expect[0])
                if not np.allclose(got, expect[1], rtol=1e-4, atol=1e-5):
                    errors += 1
            except Exception:
                errors += 1
            t1 = time.perf_counter()
            if t0 >= measure_from and t1 <= stop_at:
                latencies.append(t1 - t0)

    await asyncio.gather(*[worker() for _ in range(inflight)])
    await client.close()
    out.put((latencies, errors))


def client_process(*args):
    asyncio.run(client_loop(*args))


def run_case(protocol, url, model, inputs, expect, a) -> dict:
    q = mp.Queue()
    per = max(1, a.concurrency // a.clients)
    procs = [mp.Process(target=client_process, args=(protocol, url, model, inputs, expect, per, 2.0, a.seconds, q))
             for _ in range(a.clients)]
    for p in procs:
        p.start()
    results = [q.get(timeout=a.seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    lat = np.asarray([x for r in results for x in r[0]])
    errors = sum(r[1] for r in results)
    return {"protocol": protocol, "model": model, "requests": int(lat.size), "errors": int(errors),
            "req_per_s": lat.size / a.seconds, "p50_ms": float(np.percentile(lat, 50) * 1e3) if lat.size else None,
            "p99_ms": float(np.percentile(lat, 99) * 1e3) if lat.size else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--hepml-bin", default=os.environ.get("HEPML_BIN", str(ROOT / ".build-release" / "release" / "hepml")))
    ap.add_argument("--models", default="mlp,deepjet")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hepml-grpc-bench-"))
    repo = work / "repo"
    requests = write_repository(repo)
    port, grpc_port = free_port(), free_port()
    env = dict(os.environ)
    if ORT_LIB.exists():
        env.setdefault("HEPML_ORT_LIBRARY", str(ORT_LIB))
    log = open(work / "server.log", "wb")
    server = subprocess.Popen([a.hepml_bin, "serve", "--repository", str(repo), "--port", str(port),
                               f"--grpc-port={grpc_port}", "--poll-interval", "0"], stdout=log, stderr=subprocess.STDOUT, env=env)
    rows = []
    try:
        import tritonclient.grpc as grpcclient
        deadline = time.time() + 60
        client = grpcclient.InferenceServerClient(f"127.0.0.1:{grpc_port}")
        while True:
            try:
                if client.is_server_ready():
                    break
            except Exception:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise SystemExit(f"hepml serve did not start; log: {work / 'server.log'}")
            time.sleep(0.2)
        for model in a.models.split(","):
            inputs = requests[model]
            first_output = requests[model + "_outputs"][0]
            ins = []
            for name, dt, arr in inputs:
                i = grpcclient.InferInput(name, list(arr.shape), dt)
                i.set_data_from_numpy(arr)
                ins.append(i)
            expect = (first_output, client.infer(model, ins).as_numpy(first_output))
            for served in [model, model + "_batched"]:
                for protocol, url in [("rest", f"127.0.0.1:{port}"), ("grpc", f"127.0.0.1:{grpc_port}")]:
                    row = run_case(protocol, url, served, inputs, expect, a)
                    stats = client.get_inference_statistics(served, as_json=True)["model_stats"][0]
                    row["batched"] = served.endswith("_batched")
                    row["mean_batch"] = int(stats.get("inference_count", 0)) / max(1, int(stats.get("execution_count", 0)))
                    rows.append(row)
                    print(f"| {model} | {'dynamic' if row['batched'] else 'off'} | {protocol} | {row['req_per_s']:.0f} | "
                          f"{row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {row['errors']} |", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    result = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": platform.machine(),
              "cores": os.cpu_count(), "seconds": a.seconds, "concurrency": a.concurrency, "clients": a.clients,
              "rows": rows}
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "grpc.json").write_text(json.dumps(result, indent=1) + "\n")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
