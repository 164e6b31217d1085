"""Peer: uproot reads every field of an RNTuple (`ntuple.arrays()`, awkward arrays).

usage: peer_uproot_rntuple.py FILE [--ntuple Events]
The file is read once into the page cache first; one `arrays()` call is timed. Prints one JSON line.
"""
import argparse
import json
import subprocess
import time

import uproot


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--ntuple", default="Events")
    a = ap.parse_args()
    subprocess.run(["cat", a.file], stdout=subprocess.DEVNULL, check=True)
    ntuple = uproot.open(a.file)[a.ntuple]
    t0 = time.perf_counter()
    arrays = ntuple.arrays()
    seconds = time.perf_counter() - t0
    print(json.dumps({"tool": "uproot", "file": a.file, "entries": len(arrays), "fields": len(arrays.fields),
                      "seconds": round(seconds, 4), "events_per_s": round(len(arrays) / seconds, 1)}))


if __name__ == "__main__":
    main()
