"""Peer: uproot reads every numeric branch of a TTree into NumPy arrays.

usage: peer_uproot.py FILE [--tree Events]
Prints one JSON line. The file is read once into the page cache first; the timed part is a
single tree.arrays(...) call (no warm-up run).
"""
import argparse, json, subprocess, time
import uproot
from uproot.interpretation.numerical import AsDtype
from uproot.interpretation.jagged import AsJagged


def is_numeric(branch):
    i = branch.interpretation
    return isinstance(i, AsDtype) or (isinstance(i, AsJagged) and isinstance(i.content, AsDtype))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--tree", default="Events")
    a = ap.parse_args()
    if "://" not in a.file:
        subprocess.run(["cat", a.file], stdout=subprocess.DEVNULL, check=True)
    tree = uproot.open(a.file)[a.tree]
    names = [b.name for b in tree.branches if is_numeric(b)]
    t0 = time.perf_counter()
    arrays = tree.arrays(names, library="np")
    seconds = time.perf_counter() - t0
    n = tree.num_entries
    assert len(arrays) == len(names)
    print(json.dumps({"tool": "uproot", "file": a.file, "entries": n, "branches": len(names),
                      "seconds": round(seconds, 4), "events_per_s": round(n / seconds, 1)}))


if __name__ == "__main__":
    main()
