"""Issue 15 benchmark: events/s delivered into a tiny PyTorch training loop by hepml.torch (0, 1, 2 DataLoader
workers) against the uproot + awkward + numpy pipeline a physicist writes today, on the recipe layout of
transform_bench.py (66 branches, 258 features, minmax), and the peak RSS for 1x, 4x and 16x the data (a file
list of the same file).

usage: .deps/test-venv/bin/python bench/python_bench.py [--file F] [--batch 1024] [--out bench/results/python.md]
Needs libhepml.so from a release build (`swift build -c release --product HEPMLC`, then scripts/setup --release
links it) and the test venv (torch, uproot, awkward). Every case runs in its own process (peak RSS = its
ru_maxrss); the model is one Linear(258, 1) layer with Adam, so the input pipeline dominates.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT_DIR = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from transform_bench import RECIPE_FLAT, RECIPE_JAGGED, RECIPE_LENGTHS  # noqa: E402

DEFAULT_FILE = os.path.join(ROOT_DIR, "bench", "data", "nanoaod-like-100k-zstd.root")
FALLBACK_FILE = os.path.join(ROOT_DIR, "..", "shared", "testdata", "root", "nanoaod-like-a-zstd.root")


def params_for(files, batch):
    return {"files": [{"path": f, "label": 1} for f in files], "branches": RECIPE_FLAT + RECIPE_JAGGED,
            "lengths": {f"{k}_*": n for k, n in RECIPE_LENGTHS.items()}, "normalization": "minmax",
            "split": {"train": 1.0, "validation": 0.0, "test": 0.0}, "batch_size": batch, "chunk_size": 10000,
            "shuffle": False}


def train_loop(batches, width):
    import torch
    model = torch.nn.Linear(width, 1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    rows = 0
    for x, y in batches:
        opt.zero_grad()
        loss = loss_fn(model(x).reshape(-1), y)
        loss.backward()
        opt.step()
        rows += len(y)
    return rows


def case_hepml(files, batch, workers, specs_path):
    import torch
    import hepml
    import hepml.torch
    specs = json.load(open(specs_path))
    ds = hepml.torch.Dataset(params_for(files, batch), "train", specs=specs)
    loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=workers,
                                         multiprocessing_context="spawn" if workers else None)
    t = time.perf_counter()
    rows = train_loop(((b["X"], b["y"]) for b in loader), ds.width)
    return rows, time.perf_counter() - t


def case_uproot(files, batch):
    import awkward as ak
    import numpy as np
    import torch
    import uproot
    t = time.perf_counter()
    mins, maxs = {}, {}
    branches = RECIPE_FLAT + RECIPE_JAGGED
    for arrays in uproot.iterate([f + ":Events" for f in files], branches, step_size=10000):  # the specs pass
        for b in branches:
            v = ak.flatten(arrays[b], axis=None) if b in RECIPE_JAGGED else arrays[b]
            if len(v):
                mins[b] = min(mins.get(b, np.inf), float(ak.min(v)))
                maxs[b] = max(maxs.get(b, -np.inf), float(ak.max(v)))

    def batches():
        for arrays in uproot.iterate([f + ":Events" for f in files], branches, step_size=10000):
            cols = []
            for b in branches:
                lo, hi = mins.get(b, 0.0), maxs.get(b, 0.0)
                if b in RECIPE_JAGGED:
                    n = RECIPE_LENGTHS[b.split("_")[0]]
                    padded = ak.pad_none(arrays[b], n, clip=True)
                    mask = ~ak.is_none(padded, axis=1)
                    v = ak.to_numpy(ak.fill_none(padded, 0)).astype(np.float32)
                    v = np.clip((v - lo) / (hi - lo), 0, 1) if hi > lo else np.zeros_like(v)
                    cols.append(np.where(ak.to_numpy(mask), v, 0).astype(np.float32))
                else:
                    v = ak.to_numpy(arrays[b]).astype(np.float32)[:, None]
                    cols.append((np.clip((v - lo) / (hi - lo), 0, 1) if hi > lo else np.zeros_like(v)).astype(np.float32))
            x = torch.from_numpy(np.concatenate(cols, axis=1))
            y = torch.ones(len(x))
            for i in range(0, len(x), batch):
                yield x[i:i + batch], y[i:i + batch]
    rows = train_loop(batches(), 258)
    return rows, time.perf_counter() - t


def child(argv):
    kind, files, batch, workers, specs = argv[0], json.loads(argv[1]), int(argv[2]), int(argv[3]), argv[4]
    rows, seconds = case_hepml(files, batch, workers, specs) if kind == "hepml" else case_uproot(files, batch)
    print(json.dumps({"rows": rows, "seconds": seconds}))


def run_case(kind, files, batch, workers, specs):
    """Runs one case in a child process; its own peak RSS comes from wait4."""
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, __file__, "--child", kind, json.dumps(files), str(batch), str(workers), specs],
                                stdout=out)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{kind} case failed (exit {proc.returncode})")
        out.seek(0)
        result = json.loads(out.read().strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2:])
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", default=DEFAULT_FILE if os.path.exists(DEFAULT_FILE) else FALLBACK_FILE)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--out", default=os.path.join(ROOT_DIR, "bench", "results", "python.md"))
    args = ap.parse_args()
    import hepml
    specs = hepml.specs(params_for([args.file], args.batch))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(specs, f)
    rows = []
    for workers in (0, 1, 2):
        r = run_case("hepml", [args.file], args.batch, workers, f.name)
        rows.append((f"hepml.torch, {workers} workers", r))
    rows.append(("uproot + awkward + numpy", run_case("uproot", [args.file], args.batch, 0, f.name)))
    for copies in (1, 4, 16):
        r = run_case("hepml", [args.file] * copies, args.batch, 0, f.name)
        rows.append((f"hepml.torch, {copies}x data (peak RSS)", r))
    peer = rows[3][1]["rows"] / rows[3][1]["seconds"]
    lines = [f"file: {os.path.basename(args.file)}, batch {args.batch}, recipe layout (258 features)", "",
             "| pipeline | events | s | events/s | vs uproot | peak RSS MB |", "|---|---|---|---|---|---|"]
    for name, r in rows:
        rate = r["rows"] / r["seconds"]
        lines.append(f"| {name} | {r['rows']} | {r['seconds']:.2f} | {rate:,.0f} | {rate / peer:.1f}x | {r['peak_rss_mb']:.0f} |")
    text = "\n".join(lines)
    print(text)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    open(args.out, "w").write(text + "\n")


if __name__ == "__main__":
    main()
