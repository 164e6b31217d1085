"""Peer: ROOT reading every field of an RNTuple, in C++ compiled by cling at -O3.

usage: peer_root_rntuple.py FILE [--ntuple Events] [--threads N]
`ROOT::RNTupleReader::Open` with the model built from the file (all fields), `LoadEntry` for every entry. With
--threads > 1, `ROOT::EnableImplicitMT(N)` lets the reader decompress pages in parallel. One call is timed after an untimed call that only compiles the code (it opens a name that does not exist).
Prints one JSON line.
"""
import argparse
import json
import subprocess
import time
import warnings

warnings.filterwarnings("ignore")  # the PyPI `root` wheel warns that it is an alpha distribution
import ROOT  # noqa: E402

READER = r"""
#pragma cling optimize(3)
#include <ROOT/RNTupleReader.hxx>
#include <memory>
Long64_t hepml_bench_rntuple_all(const char *path, const char *name, int *fields) {
    std::unique_ptr<ROOT::RNTupleReader> reader;
    try { reader = ROOT::RNTupleReader::Open(name, path); } catch (...) { return -1; }
    const Long64_t n = reader->GetNEntries();
    for (Long64_t i = 0; i < n; ++i) reader->LoadEntry(i);
    *fields = 0;
    for (const auto &f : reader->GetDescriptor().GetTopLevelFields()) { (void)f; ++*fields; }
    return n;
}
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--ntuple", default="Events")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    subprocess.run(["cat", a.file], stdout=subprocess.DEVNULL, check=True)
    if a.threads > 1:
        ROOT.EnableImplicitMT(a.threads)
    ROOT.gInterpreter.Declare(READER)
    fields_out = ROOT.std.vector("int")(1)
    fn = ROOT.hepml_bench_rntuple_all
    fn(a.file, "__hepml_no_such_ntuple__", fields_out.data())
    t0 = time.perf_counter()
    n = fn(a.file, a.ntuple, fields_out.data())
    seconds = time.perf_counter() - t0
    if n < 0:
        raise SystemExit(f"cannot read {a.ntuple} from {a.file}")
    fields = int(fields_out[0])
    print(json.dumps({"tool": "root-rntuplereader", "file": a.file, "entries": int(n), "fields": fields, "threads": a.threads,
                      "seconds": round(seconds, 4), "events_per_s": round(n / seconds, 1)}))


if __name__ == "__main__":
    main()
