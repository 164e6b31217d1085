"""Writes a ROOT file with string and doubly jagged branches using real ROOT (PyPI `ROOT`), and ROOT's own
values of every entry (read back with TTree::GetEntry) as JSON.

Branches of tree `nested`:
  vvf  vector<vector<float>>   vvi  vector<vector<int>>   vvd  vector<vector<double>>
  s    std::string             ts   TString               c    char* leaf (`c/C`)
  vs   vector<string>
  ev.  a split class `NestedEvent` (split level 99) whose members are branches of their own:
       ev.id (int), ev.label (std::string), ev.title (TString), ev.tags (vector<string>),
       ev.parts (vector<vector<float>>)
Strings include empty ones, UTF-8 (non-ASCII) ones and ones longer than 255 bytes (the 4-byte length form);
vectors include empty outer and inner vectors. Small baskets put the entries in many baskets.

Run with the ROOT venv: .deps/root-venv/bin/python Tests/Integration/make_root_nested.py OUT_DIR [--entries N]
It writes OUT_DIR/nested.root and OUT_DIR/nested.json ({"tree", "entries", "branches": {name: [value per entry]}}),
and with --rntuple also OUT_DIR/nested_rntuple.root: the columns s, vs, vvf, vvi and ev.id (as ev_id) copied into an
RNTuple `nested` by RDataFrame's Snapshot (same values as the tree).
"""
import argparse
import array
import json
import random
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")
import ROOT  # noqa: E402

ROOT.gInterpreter.Declare("""
#ifndef HEPML_NESTED_EVENT
#define HEPML_NESTED_EVENT
struct NestedEvent {
    int id;
    std::string label;
    TString title;
    std::vector<std::string> tags;
    std::vector<std::vector<float>> parts;
};
#endif
""")

WORDS = ["", "a", "jet", "muon", "électron", "µ→eγ", "b-tag", "x" * 300, "tau_h", "MET"]


def make_values(rng, i):
    """The values of entry i (plain Python), from which both the ROOT objects and the reference come."""
    def nested(kind):
        outer = []
        for _ in range(rng.randrange(0, 5)):
            n = rng.randrange(0, 6)
            if kind == "int":
                outer.append([rng.randrange(-1000, 1000) for _ in range(n)])
            else:
                outer.append([rng.uniform(-100, 100) for _ in range(n)])
        return outer

    word = lambda: rng.choice(WORDS)  # noqa: E731
    return {
        "vvf": nested("float"), "vvi": nested("int"), "vvd": nested("double"),
        "s": word() + str(i % 7 if i % 3 else ""), "ts": f"ts{i}" + word()[:40], "c": f"c{i % 97}" * (i % 4),
        "vs": [word() for _ in range(rng.randrange(0, 4))],
        "ev.id": i, "ev.label": word(), "ev.title": f"title {i}", "ev.tags": [word() for _ in range(rng.randrange(0, 3))],
        "ev.parts": nested("float"),
    }


def write(path, entries, seed):
    rng = random.Random(seed)
    f = ROOT.TFile(str(path), "RECREATE")
    t = ROOT.TTree("nested", "strings and nested vectors")
    vvf = ROOT.std.vector(ROOT.std.vector("float"))()
    vvi = ROOT.std.vector(ROOT.std.vector("int"))()
    vvd = ROOT.std.vector(ROOT.std.vector("double"))()
    s = ROOT.std.string()
    ts = ROOT.TString()
    cbuf = array.array("b", bytes(4096))
    vs = ROOT.std.vector(ROOT.std.string)()
    ev = ROOT.NestedEvent()
    basket = 2000
    t.Branch("vvf", vvf, basket)
    t.Branch("vvi", vvi, basket)
    t.Branch("vvd", vvd, basket)
    t.Branch("s", s, basket)
    t.Branch("ts", ts, basket)
    t.Branch("c", cbuf, "c/C", basket)
    t.Branch("vs", vs, basket)
    t.Branch("ev.", ev, basket, 99)

    def fill_nested(vec, rows, inner_type):
        vec.clear()
        for row in rows:
            inner = ROOT.std.vector(inner_type)()
            for x in row:
                inner.push_back(x)
            vec.push_back(inner)

    for i in range(entries):
        v = make_values(rng, i)
        fill_nested(vvf, v["vvf"], "float")
        fill_nested(vvi, v["vvi"], "int")
        fill_nested(vvd, v["vvd"], "double")
        s.assign(v["s"])
        ts.Clear()
        ts.Append(v["ts"])
        raw = v["c"].encode() + b"\0"
        for k, byte in enumerate(raw):
            cbuf[k] = byte if byte < 128 else byte - 256
        vs.clear()
        for w in v["vs"]:
            vs.push_back(w)
        ev.id = v["ev.id"]
        ev.label = v["ev.label"]
        ev.title = ROOT.TString(v["ev.title"])
        ev.tags.clear()
        for w in v["ev.tags"]:
            ev.tags.push_back(w)
        fill_nested(ev.parts, v["ev.parts"], "float")
        t.Fill()
    t.Write()
    f.Close()


def dump(path):
    """Every entry of every branch as ROOT reads it back (GetEntry)."""
    f = ROOT.TFile(str(path))
    t = f.Get("nested")
    out = {name: [] for name in ["vvf", "vvi", "vvd", "s", "ts", "c", "vs", "ev.id", "ev.label", "ev.title",
                                 "ev.tags", "ev.parts"]}
    for i in range(t.GetEntries()):
        t.GetEntry(i)
        out["vvf"].append([[float(x) for x in inner] for inner in t.vvf])
        out["vvi"].append([[int(x) for x in inner] for inner in t.vvi])
        out["vvd"].append([[float(x) for x in inner] for inner in t.vvd])
        out["s"].append(as_text(t.s))
        out["ts"].append(as_text(t.ts))
        out["c"].append(as_text(t.c))
        out["vs"].append([as_text(w) for w in t.vs])
        ev = getattr(t, "ev.") if hasattr(t, "ev.") else t.GetBranch("ev.").GetObject()
        out["ev.id"].append(int(ev.id))
        out["ev.label"].append(as_text(ev.label))
        out["ev.title"].append(as_text(ev.title))
        out["ev.tags"].append([as_text(w) for w in ev.tags])
        out["ev.parts"].append([[float(x) for x in inner] for inner in ev.parts])
    entries = int(t.GetEntries())
    f.Close()
    return {"tree": "nested", "entries": entries, "branches": out}


def as_text(x):
    """std::string, TString or a char* leaf value (a char buffer view) as a Python str (UTF-8)."""
    if hasattr(x, "Data"):  # TString
        return x.Data()
    if hasattr(x, "c_str"):  # std::string
        return bytes(x).decode("utf-8")
    return bytes(x).split(b"\0")[0].decode("utf-8")


def write_rntuple(tree_path, path):
    """The tree's s, vs, vvf, vvi and ev.id as an RNTuple (RDataFrame Snapshot)."""
    opts = ROOT.RDF.RSnapshotOptions()
    opts.fOutputFormat = ROOT.RDF.ESnapshotOutputFormat.kRNTuple
    df = ROOT.RDataFrame("nested", str(tree_path)).Alias("ev_id", "ev.id")
    df.Snapshot("nested", str(path), ["s", "vs", "vvf", "vvi", "ev_id"], opts)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--entries", type=int, default=2000)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--rntuple", action="store_true", help="also write nested_rntuple.root")
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    root = a.out / "nested.root"
    write(root, a.entries, a.seed)
    (a.out / "nested.json").write_text(json.dumps(dump(root), ensure_ascii=False))
    if a.rntuple:
        write_rntuple(root, a.out / "nested_rntuple.root")


if __name__ == "__main__":
    main()
