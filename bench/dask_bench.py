"""hepml on Dask vs one process vs uproot + dask-awkward (issue 13).

Specs and export of 16 copies of the 100,000-event NanoAOD-like file (a file list of the same file) on the 66
recipe branches of transform_bench.py:
  - one process: hepml's specs pass (C ABI, the same code as `hepml specs`) and `hepml export`;
  - hepml.dask on a distributed.LocalCluster with 1 and 2 worker processes (1 thread each), one partition per
    (file, 100,000 entries) and, for the per-partition overhead, per 25,000 entries;
  - uproot.dask + dask-awkward on the same clusters: the same statistics (count, sum, sum of squares, min, max,
    longest entry per branch) as dask-awkward reductions, and the export as padded/clipped, min-max normalized
    .npy shards written per partition.

    .deps/test-venv/bin/python bench/dask_bench.py [--copies 16] [--repeat 2]

Every timed run starts after os.sync(), so it does not pay for the write-back of the previous run's output.
Uses the release build (.build-release/release/hepml and libHEPMLC.so; HEPML_BIN / HEPML_LIBRARY override).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT_DIR = os.path.dirname(HERE)
sys.path.insert(0, HERE)
os.environ.setdefault("HEPML_LIBRARY", os.path.join(ROOT_DIR, ".build-release", "release", "libHEPMLC.so"))
HEPML_BIN = os.environ.get("HEPML_BIN", os.path.join(ROOT_DIR, ".build-release", "release", "hepml"))
DATA = os.path.join(ROOT_DIR, "bench", "data", "nanoaod-like-100k-zstd.root")

from transform_bench import RECIPE_FLAT, RECIPE_JAGGED, RECIPE_LENGTHS  # noqa: E402

BRANCHES = RECIPE_FLAT + RECIPE_JAGGED


def params_for(files):
    return {"files": [{"path": f, "label": 1} for f in files], "branches": BRANCHES,
            "lengths": {f"{k}_*": n for k, n in RECIPE_LENGTHS.items()}, "normalization": "minmax",
            "split": {"train": 0.8, "validation": 0.1, "test": 0.1}, "chunk_size": 10000, "batch_size": 10000}


def timed(f, repeat):
    best = float("inf")
    out = None
    for _ in range(repeat):
        os.sync()
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def settled(client, f):
    """f after the scheduler has forgotten the previous run's tasks (so a repeat recomputes, not reuses, them)."""
    def run():
        for _ in range(200):
            if client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0:
                break
            time.sleep(0.05)
        os.sync()
        t = time.perf_counter()
        out = f()
        return time.perf_counter() - t, out
    return run


def timed_settled(client, f, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t, out = settled(client, f)()
        best = min(best, t)
    return best, out


def cluster(workers):
    import distributed
    c = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                                 host="127.0.0.1", worker_dashboard_address=None)
    return c, distributed.Client(c)


# ---- uproot + dask-awkward -------------------------------------------------------------------------------

def uproot_array(files, step):
    import uproot
    return uproot.dask([f"{f}:Events" for f in files], filter_name=BRANCHES, step_size=step)


def uproot_specs(files, step):
    import dask
    import dask_awkward as dak
    arr = uproot_array(files, step)
    todo = {}
    for b in BRANCHES:
        x = arr[b]
        flat = dak.flatten(x) if b in RECIPE_JAGGED else x
        todo[b] = (dak.count(flat, axis=None), dak.sum(flat, axis=None), dak.sum(flat * flat, axis=None),
                   dak.min(flat, axis=None), dak.max(flat, axis=None),
                   dak.max(dak.num(x, axis=1), axis=None) if b in RECIPE_JAGGED else 1)
    (out,) = dask.compute(todo)
    return out


def uproot_export_part(part, k, out, mins, maxs):
    import awkward as ak
    import numpy as np
    columns = []
    for b in BRANCHES:
        lo, hi = mins[b], maxs[b]
        scale = 1.0 / (hi - lo) if hi > lo else 0.0
        if b in RECIPE_JAGGED:
            n = RECIPE_LENGTHS[b.split("_")[0]]
            padded = ak.pad_none(part[b], n, clip=True)
            mask = ~ak.to_numpy(ak.is_none(padded, axis=1))
            values = ak.to_numpy(ak.fill_none(padded, 0.0)).astype(np.float32)
            columns.append(np.where(mask, (values - lo) * scale, 0.0).astype(np.float32))
        else:
            columns.append(((ak.to_numpy(part[b]).astype(np.float32) - lo) * scale)[:, None].astype(np.float32))
    x = np.concatenate(columns, axis=1)
    np.save(os.path.join(out, f"X-{k:05d}.npy"), x)
    return len(x)


def uproot_export(files, step, out, specs):
    import dask
    arr = uproot_array(files, step)
    mins = {b: float(specs[b][3]) for b in BRANCHES}
    maxs = {b: float(specs[b][4]) for b in BRANCHES}
    parts = arr.to_delayed()
    return sum(dask.compute(*[dask.delayed(uproot_export_part)(p, k, out, mins, maxs) for k, p in enumerate(parts)]))


# ---- hepml ----------------------------------------------------------------------------------------------

def hepml_specs_one(params):
    import hepml
    return hepml.specs(params)


def hepml_export_one(params, specs_path, out):
    p = os.path.join(out, "params.json")
    with open(p, "w") as f:
        json.dump(params, f)
    subprocess.run([HEPML_BIN, "export", "--params", p, "--specs", specs_path, "--out", os.path.join(out, "cli")],
                   check=True, capture_output=True)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--skip-uproot", action="store_true")
    args = ap.parse_args()
    import hepml
    import hepml.dask
    files = [DATA] * args.copies
    params = params_for(files)
    events = 100_000 * args.copies
    work = tempfile.mkdtemp(prefix="hepml-dask-bench-")
    rows = []
    try:
        t_specs1, specs1 = timed(lambda: hepml_specs_one(params), args.repeat)
        specs_path = os.path.join(work, "specs.json")
        with open(specs_path, "w") as f:
            json.dump(specs1, f)
        t_export1, _ = timed(lambda: hepml_export_one(params, specs_path, work), args.repeat)
        rows.append(("hepml, one process", "-", t_specs1, t_export1))
        print(f"one process: specs {t_specs1:.2f} s, export {t_export1:.2f} s", flush=True)
        for workers in (1, 2):
            c, client = cluster(workers)
            try:
                for step in (100_000, 25_000):
                    parts = events // step
                    t_s, got = timed_settled(client, lambda: hepml.dask.specs(params, step_size=step), args.repeat)
                    same = all(abs(got["branches"][b]["std"] - specs1["branches"][b]["std"]) <= 1e-12 * abs(specs1["branches"][b]["std"])
                               for b in specs1["branches"])
                    out = os.path.join(work, f"dask-{workers}-{step}")
                    t_e, _ = timed_settled(client, lambda: hepml.dask.export(params, out, specs=specs1, step_size=step, formats=("npy",)), args.repeat)
                    shutil.rmtree(out, ignore_errors=True)
                    rows.append((f"hepml.dask, {workers} worker(s)", parts, t_s, t_e, same))
                    print(f"hepml.dask {workers} worker(s), {parts} partitions: specs {t_s:.2f} s (equal: {same}), export {t_e:.2f} s", flush=True)
                if not args.skip_uproot:
                    step = 100_000
                    t_s, ustats = timed(lambda: uproot_specs(files, step), 1)
                    out = os.path.join(work, f"uproot-{workers}")
                    os.makedirs(out)
                    t_e, n = timed(lambda: uproot_export(files, step, out, ustats), 1)
                    shutil.rmtree(out, ignore_errors=True)
                    rows.append((f"uproot + dask-awkward, {workers} worker(s)", events // step, t_s, t_e))
                    print(f"uproot+dask-awkward {workers} worker(s): specs {t_s:.2f} s, export {t_e:.2f} s ({n} rows)", flush=True)
            finally:
                client.close()
                c.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print("| case | partitions | specs (s) | specs events/s | export (s) | export events/s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]:.2f} | {events / r[2]:,.0f} | {r[3]:.2f} | {events / r[3]:,.0f} |")
    print(json.dumps([list(r) for r in rows]))


if __name__ == "__main__":
    main()
