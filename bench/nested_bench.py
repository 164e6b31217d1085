"""String and vector<vector<T>> branches: hepml read vs uproot, 1 thread, best of N.

Writes the tree of Tests/Integration/make_root_nested.py (vector<vector<float|int|double>>, std::string,
TString, char*, vector<string> and the same as split-class members) with real ROOT (.deps/root-venv) into
bench/data/nested-<entries>/, then times `hepml read --threads 1` (release build; HEPML_BIN) against
uproot `arrays(library="ak")` on a freshly opened file (no array cache), all 12 readable branches.

    .deps/test-venv/bin/python bench/nested_bench.py [--entries 50000] [--repeat 3]
"""
import argparse
import os
import subprocess
import time
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parents[1]
HEPML = Path(os.environ.get("HEPML_BIN", ROOT_DIR / ".build-release" / "release" / "hepml"))
BRANCHES = ["vvf", "vvi", "vvd", "s", "ts", "c", "vs", "ev.id", "ev.label", "ev.title", "ev.tags", "ev.parts"]


def best(f, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--entries", type=int, default=50_000)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    out = ROOT_DIR / "bench" / "data" / f"nested-{a.entries}"
    path = out / "nested.root"
    if not path.exists():
        subprocess.run([str(ROOT_DIR / ".deps" / "root-venv" / "bin" / "python"),
                        str(ROOT_DIR / "Tests" / "Integration" / "make_root_nested.py"), str(out),
                        "--entries", str(a.entries)], check=True, capture_output=True)
    import uproot

    def hepml():
        subprocess.run([str(HEPML), "read", str(path), "--tree", "nested", "--threads", "1", "--quiet",
                        "--branches", ",".join(BRANCHES)], check=True, capture_output=True)

    def peer():
        with uproot.open(path, array_cache=None, object_cache=None) as f:
            f["nested"].arrays(BRANCHES, library="ak")

    h = best(hepml, a.repeat)
    u = best(peer, a.repeat)
    print(f"| {a.entries} entries, {len(BRANCHES)} branches ({path.stat().st_size / 1e6:.1f} MB) | {h:.3f} s | "
          f"{u:.3f} s (uproot {uproot.__version__}) | {u / h:.1f}x |")


if __name__ == "__main__":
    main()
