"""hepml's native engine (issue 17) against ONNX Runtime, one thread, same process type, same run.

For each model and batch size: µs per call of
  native-pb    `hepml bench-backend MODEL.pb --backend native`   (TensorFlow frozen graph on hepml's engine)
  native-onnx  `hepml bench-backend MODEL.onnx --backend native` (the ONNX export on hepml's engine)
  hepml-ort    `hepml bench-backend MODEL.onnx`                  (hepml's ONNX Runtime backend)
  plain-ort    `bench/ort_plain.c` on MODEL.onnx                 (ONNX Runtime's C API, least per-call work)
alternated over --rounds rounds (best kept), plus load time and the peak RSS of a bench-backend process
(load + 200 calls at batch 1) for native vs ONNX Runtime. Release build: .build/release/hepml.

    gcc -O2 -o bench/results/ort_plain bench/ort_plain.c -ldl
    python3 bench/native_bench.py [--rounds 5] [--iterations 5000]
"""
import argparse
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEPML = ROOT / ".build" / "release" / "hepml"
ORT_LIB = ROOT / ".deps" / "onnxruntime" / "libonnxruntime.so"
ORT_PLAIN = ROOT / "bench" / "results" / "ort_plain"
MODELS = ROOT.parent / "shared" / "testdata" / "models"
CASES = [("dense42", "tfaas-dense42", True), ("image28 CNN", "tfaas-image28", True), ("sklearn MLP", "sklearn-mlp", False)]


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
    for label, folder, has_pb in CASES:
        onnx, pb = MODELS / folder / "model.onnx", MODELS / folder / "model.pb"
        for batch in (1, 256):
            it = str(args.iterations if batch == 1 else max(200, args.iterations // 20))
            common = ["--batch", str(batch), "--iterations", it]
            tools = {"native-onnx": [HEPML, "bench-backend", onnx, "--backend", "native", *common],
                     "hepml-ort": [HEPML, "bench-backend", onnx, "--ort-library", ORT_LIB, *common],
                     "plain-ort": [ORT_PLAIN, ORT_LIB, onnx, *common]}
            if has_pb:
                tools = {"native-pb": [HEPML, "bench-backend", pb, "--backend", "native", *common], **tools}
            times = {k: [] for k in tools}
            loads = {k: [] for k in tools}
            for _ in range(args.rounds):
                for k, cmd in tools.items():
                    out = run(cmd)
                    times[k].append(out["us_per_call"])
                    if "load_ms" in out:
                        loads[k].append(out["load_ms"])
            row = {"model": label, "batch": batch, **{k: min(v) for k, v in times.items()},
                   **{f"{k} load ms": min(v) for k, v in loads.items() if v}}
            rows.append(row)
            print(json.dumps(row), flush=True)
    rss = []
    for label, folder, has_pb in CASES:
        model = MODELS / folder / ("model.pb" if has_pb else "model.onnx")
        native = peak_rss_mb([HEPML, "bench-backend", model, "--backend", "native", "--iterations", "200"])
        ort = peak_rss_mb([HEPML, "bench-backend", MODELS / folder / "model.onnx", "--ort-library", ORT_LIB, "--iterations", "200"])
        rss.append({"model": label, "native MB": native, "ort MB": ort})
        print(json.dumps(rss[-1]), flush=True)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "native.json").write_text(json.dumps({"timing": rows, "rss": rss}, indent=1))


if __name__ == "__main__":
    main()
