"""Parquet reading benchmark (issue 11): hepml vs pyarrow `read_table`, both on 1 thread, on NanoAOD-like data
(100,000 events: flat floats and ints, jagged float/int collections) written as Parquet with snappy and zstd.

usage: .deps/test-venv/bin/python bench/parquet_bench.py [--repeat N]
(needs `swift build -c release --scratch-path .build-release --product hepml`, or HEPML_BIN)
Prints a markdown table: best-of-N seconds per tool (runs of the two tools alternate, so both see the same load)
and hepml's speed relative to pyarrow (target ≥ 0.8×), with the 1-minute load average at the start and end.
"""
import argparse
import os
import re
import subprocess
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT_DIR = os.path.dirname(HERE)
HEPML = os.environ.get("HEPML_BIN", os.path.join(ROOT_DIR, ".build-release", "release", "hepml"))
DATA = os.path.join(HERE, "data")
EVENTS = 100_000


def nanoaod_like(seed=1):
    """A NanoAOD-like table: event ids, MET, and Jet/Muon/Electron collections (list<float>/list<int32>)."""
    rng = np.random.default_rng(seed)
    cols = {"run": np.full(EVENTS, 1, np.int32), "luminosityBlock": rng.integers(1, 500, EVENTS, dtype=np.int32),
            "event": np.arange(EVENTS, dtype=np.int64)}
    for name in ["MET_pt", "MET_phi", "MET_sumEt", "PV_x", "PV_y", "PV_z", "fixedGridRhoFastjetAll"]:
        cols[name] = rng.normal(50, 20, EVENTS).astype(np.float32)
    cols["PV_npvs"] = rng.poisson(20, EVENTS).astype(np.int32)
    for coll, mean, fields, ints in [("Jet", 6, ["pt", "eta", "phi", "mass", "btagDeepB", "qgl", "area"], ["jetId", "puId"]),
                                     ("Muon", 2, ["pt", "eta", "phi", "mass", "pfRelIso04_all", "dxy", "dz"], ["charge", "tightId"]),
                                     ("Electron", 2, ["pt", "eta", "phi", "mass", "pfRelIso03_all", "dxy", "dz"], ["charge", "cutBased"])]:
        counts = rng.poisson(mean, EVENTS).astype(np.int32)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        total = int(offsets[-1])
        cols["n" + coll] = counts.astype(np.uint32)
        for f in fields:
            cols[f"{coll}_{f}"] = pa.ListArray.from_arrays(pa.array(offsets), pa.array(rng.normal(30, 10, total).astype(np.float32)))
        for f in ints:
            cols[f"{coll}_{f}"] = pa.ListArray.from_arrays(pa.array(offsets), pa.array(rng.integers(-1, 7, total, dtype=np.int32)))
    return pa.table({k: (v if isinstance(v, pa.Array) else pa.array(v)) for k, v in cols.items()})


def hepml_once(path):
    out = subprocess.run([HEPML, "read", path, "--threads", "1", "--quiet", "--chunk-size", "100000"],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r", ([0-9.]+) s,", out).group(1))


def pyarrow_once(path):
    t = time.perf_counter()
    pq.read_table(path, use_threads=False)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    os.makedirs(DATA, exist_ok=True)
    table = nanoaod_like()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    print("| file | size (MB) | hepml 1 thr (s) | pyarrow read_table 1 thr (s) | hepml / pyarrow speed |")
    print("|---|---|---|---|---|")
    for codec in ["snappy", "zstd"]:
        path = os.path.join(DATA, f"nanoaod-like-100k-{codec}.parquet")
        if not os.path.exists(path):
            pq.write_table(table, path, compression=codec)
        subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)
        h, p = [], []
        for _ in range(a.repeat):
            h.append(hepml_once(path))
            p.append(pyarrow_once(path))
        h, p = min(h), min(p)
        print(f"| {os.path.basename(path)} | {os.path.getsize(path) / 1e6:.1f} | {h:.3f} | {p:.3f} | {p / h:.2f}× |", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
