"""RNTuple reading benchmark (issue 11): hepml vs uproot vs ROOT's RNTupleReader, all fields, same run.

The 100,000-event NanoAOD-like TTree (bench/make_data.sh zstd) converted by ROOT's RNTupleImporter (zstd, 505;
bench/make_rntuple.py, run here when the file is missing).
usage: .deps/test-venv/bin/python bench/rntuple_bench.py [--repeat N]
(needs `swift build -c release --scratch-path .build-release --product hepml`, or HEPML_BIN; the ROOT venv
.deps/root-venv and the bench venv .deps/bench-venv with uproot 5.7)
Prints a markdown table: best-of-N seconds per tool and thread count, and the target ratios.
"""
import argparse
import json
import os
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT_DIR = os.path.dirname(HERE)
HEPML = os.environ.get("HEPML_BIN", os.path.join(ROOT_DIR, ".build-release", "release", "hepml"))
ROOT_PY = os.path.join(ROOT_DIR, ".deps", "root-venv", "bin", "python")
UPROOT_PY = os.path.join(ROOT_DIR, ".deps", "bench-venv", "bin", "python")
FILE = os.path.join(HERE, "data", "rntuple-nanoaod-like-100k-zstd.root")


def hepml_once(threads, chunk):
    out = subprocess.run([HEPML, "read", FILE, "--threads", str(threads), "--quiet", "--chunk-size", str(chunk)],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r", ([0-9.]+) s,", out).group(1))


def peer_once(python, script, *args):
    out = subprocess.run([python, "-W", "ignore", os.path.join(HERE, script), FILE, *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--uproot-repeat", type=int, default=1)
    a = ap.parse_args()
    if not os.path.exists(FILE):
        subprocess.run([ROOT_PY, os.path.join(HERE, "make_rntuple.py")], check=True)
    subprocess.run(["cat", FILE], stdout=subprocess.DEVNULL, check=True)
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    rows = {}
    for _ in range(a.repeat):
        for threads in (1, 2):
            for chunk in (100_000, 10_000):
                rows.setdefault(f"hepml, chunks of {chunk:,}, {threads} thr", []).append(hepml_once(threads, chunk))
            rows.setdefault(f"ROOT RNTupleReader, {threads} thr", []).append(
                peer_once(ROOT_PY, "peer_root_rntuple.py", "--threads", str(threads)))
    for _ in range(a.uproot_repeat):
        rows.setdefault("uproot 5.7 arrays(), 1 thr", []).append(peer_once(UPROOT_PY, "peer_uproot_rntuple.py"))
    best = {k: min(v) for k, v in rows.items()}
    up = best["uproot 5.7 arrays(), 1 thr"]
    root1 = best["ROOT RNTupleReader, 1 thr"]
    print(f"| tool | best of | seconds | events/s | uproot / tool | ROOT 1 thr / tool |")
    print("|---|---|---|---|---|---|")
    for k, v in best.items():
        print(f"| {k} | {len(rows[k])} | {v:.3f} | {100_000 / v:,.0f} | {up / v:.1f}× | {root1 / v:.2f}× |")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
