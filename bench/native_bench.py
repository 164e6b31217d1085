"""hepml's native engine (issue 17) against ONNX Runtime, one thread, same process type, same run.

For each model and batch size: µs per call of
  native-pb    `hepml bench-backend MODEL.pb --backend native`   (TensorFlow frozen graph on hepml's engine)
  native-onnx  `hepml bench-backend MODEL.onnx --backend native` (the ONNX export on hepml's engine)
  hepml-ort    `hepml bench-backend MODEL.onnx`                  (hepml's ONNX Runtime backend)
  plain-ort    `bench/ort_plain.c` on MODEL.onnx                 (ONNX Runtime's C API, least per-call work)
alternated over --rounds rounds (best kept), with load times; then, per model, a `hepml serve` process serving only
that model on the native engine and one serving its ONNX file on ONNX Runtime: time to ready, peak RSS (VmHWM)
after 300 KServe v2 requests at batch 1, and whether libonnxruntime is mapped. Release build (HEPML_BIN, default
.build-release/release/hepml).

    gcc -O2 -o bench/results/ort_plain bench/ort_plain.c -ldl
    python3 bench/native_bench.py [--rounds 5] [--iterations 5000]
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
HEPML = Path(os.environ.get("HEPML_BIN", ROOT / ".build-release" / "release" / "hepml"))
ORT_LIB = ROOT / ".deps" / "onnxruntime" / "libonnxruntime.so"
ORT_PLAIN = ROOT / "bench" / "results" / "ort_plain"
MODELS = ROOT.parent / "shared" / "testdata" / "models"
TF = ROOT / "Tests" / "Fixtures" / "native" / "tf"
# label, ONNX file, TensorFlow frozen graph (None: the ONNX file on the native engine)
CASES = [("dense42", MODELS / "tfaas-dense42" / "model.onnx", MODELS / "tfaas-dense42" / "model.pb"),
         ("image28 CNN", MODELS / "tfaas-image28" / "model.onnx", MODELS / "tfaas-image28" / "model.pb"),
         ("LSTM tagger", TF / "lstm.onnx", TF / "lstm.pb"),
         ("sklearn MLP", MODELS / "sklearn-mlp" / "model.onnx", None)]
PORT = 18650  # this helper's port range


def serving(model: Path, native: bool, port: int) -> dict:
    """Serves one model (Triton folder) and reports time to ready, peak RSS after 300 requests, ORT mapped."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "m"
        (folder / "1").mkdir(parents=True)
        if model.suffix == ".pb":
            shutil.copy(model, folder / "1" / "model.graphdef")
            config = 'platform: "tensorflow_graphdef"'
        else:
            shutil.copy(model, folder / "1" / "model.onnx")
            config = 'platform: "onnxruntime_onnx"' + ('\nparameters { key: "backend" value: { string_value: "hepml_native" } }' if native else "")
        (folder / "config.pbtxt").write_text(f'name: "m"\n{config}\n')
        env = dict(os.environ, HEPML_ORT_LIBRARY=str(ORT_LIB))
        start = time.monotonic()
        proc = subprocess.Popen([HEPML, "serve", "--repository", tmp, "--host", "127.0.0.1", "--port", str(port), "--grpc-port=-1"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                try:
                    if requests.get(url + "/v2/health/ready", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if proc.poll() is not None or time.monotonic() - start > 60:
                    raise RuntimeError(f"server for {model} did not start")
                time.sleep(0.02)
            ready_ms = (time.monotonic() - start) * 1000
            meta = requests.get(url + "/v2/models/m", timeout=5).json()
            inputs = []
            for i in meta["inputs"]:
                shape = [1 if d < 0 else d for d in i["shape"]]
                n = 1
                for d in shape:
                    n *= d
                inputs.append({"name": i["name"], "datatype": i["datatype"], "shape": shape, "data": [0.5] * n})
            with requests.Session() as s:
                for _ in range(300):
                    assert s.post(url + "/v2/models/m/infer", json={"inputs": inputs}, timeout=10).status_code == 200
            status = Path(f"/proc/{proc.pid}/status").read_text()
            hwm = int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1]) / 1024
            ort_mapped = "onnxruntime" in Path(f"/proc/{proc.pid}/maps").read_text()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return {"ready ms": round(ready_ms, 1), "peak MB": round(hwm, 1), "ORT mapped": ort_mapped}


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed: {r.stderr.strip()[-400:]}")
    return json.loads([l for l in r.stdout.splitlines() if l.startswith("{")][-1])


def peak_rss_mb(cmd):
    r = subprocess.run(["/usr/bin/time", "-f", "%M", *map(str, cmd)], capture_output=True, text=True, timeout=600)
    return int(r.stderr.strip().splitlines()[-1]) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iterations", type=int, default=5000)
    args = ap.parse_args()
    rows = []
    for label, onnx, pb in CASES:
        for batch in (1, 256):
            it = str(args.iterations if batch == 1 else max(200, args.iterations // 20))
            common = ["--batch", str(batch), "--iterations", it]
            tools = {"native-onnx": [HEPML, "bench-backend", onnx, "--backend", "native", *common],
                     "hepml-ort": [HEPML, "bench-backend", onnx, "--ort-library", ORT_LIB, *common],
                     "plain-ort": [ORT_PLAIN, ORT_LIB, onnx, *common]}
            if pb is not None:
                tools = {"native-pb": [HEPML, "bench-backend", pb, "--backend", "native", *common], **tools}
            times = {k: [] for k in tools}
            loads = {k: [] for k in tools}
            for _ in range(args.rounds):
                for k, cmd in tools.items():
                    try:
                        out = run(cmd)
                    except RuntimeError as e:  # e.g. an ONNX op outside the native subset
                        print(f"# {label} {k}: {str(e)[-200:]}", flush=True)
                        continue
                    times[k].append(out["us_per_call"])
                    if "load_ms" in out:
                        loads[k].append(out["load_ms"])
            row = {"model": label, "batch": batch, **{k: min(v) for k, v in times.items() if v},
                   **{f"{k} load ms": min(v) for k, v in loads.items() if v}}
            rows.append(row)
            print(json.dumps(row), flush=True)
    rss = []
    for k, (label, onnx, pb) in enumerate(CASES):
        native = serving(pb or onnx, True, PORT + 2 * k)
        ort = serving(onnx, False, PORT + 2 * k + 1)
        rss.append({"model": label, "native": native, "ort": ort, "native / ort RSS": round(native["peak MB"] / ort["peak MB"], 2)})
        print(json.dumps(rss[-1]), flush=True)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "native.json").write_text(json.dumps({"timing": rows, "rss": rss}, indent=1))


if __name__ == "__main__":
    main()
