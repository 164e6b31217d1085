"""Peer: ROOT's own TTree::GetEntry loop over every entry with all branches enabled.

usage: peer_root.py FILE [--tree Events]
The loop is C++ compiled by cling at -O3 (declared through ROOT.gInterpreter.Declare). It opens
the file, sets a 100 MB TTreeCache and calls GetEntry for every entry. One call of it is timed,
after an untimed call that only compiles it (it asks for a tree that does not exist).
Prints one JSON line.
"""
import argparse, json, subprocess, time, warnings

warnings.filterwarnings("ignore")  # the PyPI `root` wheel warns that it is an alpha distribution
import ROOT

CODE = r"""
#pragma cling optimize(3)
#include <TFile.h>
#include <TTree.h>
#include <memory>
Long64_t hepml_bench_read_all(const char *path, const char *treename, Long64_t *entries, int *branches) {
    std::unique_ptr<TFile> f(TFile::Open(path));
    if (!f || f->IsZombie()) return -1;
    TTree *t = f->Get<TTree>(treename);
    if (!t) return -2;
    t->SetBranchStatus("*", 1);
    t->SetCacheSize(100 * 1024 * 1024);
    t->AddBranchToCache("*", true);
    const Long64_t n = t->GetEntries();
    Long64_t total = 0;
    for (Long64_t i = 0; i < n; ++i) total += t->GetEntry(i);
    *entries = n;
    *branches = t->GetListOfBranches()->GetEntries();
    return total;
}
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--tree", default="Events")
    a = ap.parse_args()
    subprocess.run(["cat", a.file], stdout=subprocess.DEVNULL, check=True)
    ROOT.gInterpreter.Declare(CODE)
    entries = ROOT.std.vector("Long64_t")(1)
    branches = ROOT.std.vector("int")(1)
    fn = ROOT.hepml_bench_read_all
    # a first call that finds no tree makes cling/cppyy compile the function and its call
    # wrapper, so that the timed call below measures reading only
    fn(a.file, "__hepml_no_such_tree__", entries.data(), branches.data())
    t0 = time.perf_counter()
    nbytes = fn(a.file, a.tree, entries.data(), branches.data())
    seconds = time.perf_counter() - t0
    if nbytes < 0:
        raise SystemExit(f"cannot read {a.tree} from {a.file} ({nbytes})")
    n = int(entries[0])
    print(json.dumps({"tool": "root", "file": a.file, "entries": n, "branches": int(branches[0]),
                      "seconds": round(seconds, 4), "events_per_s": round(n / seconds, 1),
                      "bytes_read": int(nbytes)}))


if __name__ == "__main__":
    main()
