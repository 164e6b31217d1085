"""ROOT reading benchmark: hepml (1 and 2 threads, and its decompression-only floor) against uproot 5
and ROOT's own TTree::GetEntry loop, all in one run on the same files.

usage: python bench/read_bench.py [FILES...]   (default: bench/data/nanoaod-like-100k-*.root)
Needs: `bash bench/setup_python.sh`, `bash bench/make_data.sh`, `scripts/setup --release`.
Prints a markdown table (seconds and events/s per tool, and the target ratios).
"""
import glob, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT_DIR = os.path.dirname(HERE)
PY = os.path.join(ROOT_DIR, ".deps", "bench-venv", "bin", "python")
HEPML = os.path.join(ROOT_DIR, ".build", "release", "hepml")


def hepml(path, threads, decompress_only=False, repeat=3):
    """Best of `repeat` runs (the file is in the page cache after the first)."""
    cmd = [HEPML, "read", path, "--threads", str(threads), "--quiet"] + (["--decompress-only"] if decompress_only else [])
    best = None
    for _ in range(repeat):
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        secs = float(re.search(r", ([0-9.]+) s,", out).group(1))
        best = secs if best is None else min(best, secs)
    return best


def peer(script, path):
    out = subprocess.run([PY, os.path.join(HERE, script), path], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def main():
    files = sys.argv[1:] or sorted(glob.glob(os.path.join(HERE, "data", "nanoaod-like-100k-*.root")))
    print("| file | entries | hepml 1 thr (s) | hepml 2 thr (s) | hepml decompress-only 1 thr (s) | uproot (s) | ROOT (s) "
          "| ×uproot (1 thr) | ×ROOT (1 thr) | 2 thr / 1 thr | total / decompress |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for f in files:
        subprocess.run(["cat", f], stdout=subprocess.DEVNULL, check=True)
        entries = 100000
        h1 = hepml(f, 1)
        h2 = hepml(f, 2)
        d1 = hepml(f, 1, decompress_only=True)
        up = peer("peer_uproot.py", f)
        rt = peer("peer_root.py", f)
        print(f"| {os.path.basename(f)} | {entries} | {h1:.3f} ({entries / h1:,.0f} ev/s) | {h2:.3f} | {d1:.3f} | "
              f"{up:.2f} | {rt:.2f} | {up / h1:.1f}× | {rt / h1:.1f}× | {h1 / h2:.2f}× | {h1 / d1:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
