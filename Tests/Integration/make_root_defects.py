"""Writes the TTree files of issue #11's reader defects with real ROOT, and ROOT's own values of them as JSON.

Run with ROOT's Python (.deps/root-venv/bin/python make_root_defects.py OUT_DIR). Files:
- dst_split.root:   `DstTree` with a split (splitlevel 99) `Event` object whose members include a nested object
                    with a fixed 3-d array (`fEventPlane.fQvector[9][10][2]`), as in ROOT 5 ALICE DSTs.
- dst_short.root:   the same tree plus a branch `extra` filled for only the first 10 entries (the tree has 98).
- dst_zero.root:    the same tree whose member branches report fEntries 0 (entries counted on the tree only).
- object_branch.root: a TBranchObject (`hist`, a whole TH1F per entry: branch style 0, splitlevel 0)
                    next to plain numbers.
- dup_names.root:   two split objects of one class without a trailing dot (`jet`, `muon`): ROOT names both
                    member branches `pt`, `eta`, `n`; plus a dotted one (`ele.`: `ele.pt`, ...).
ROOT's values go to reference.json: {file: {tree: {"entries": n, "branches": {name: {...}}}}} where each
branch has ROOT's entry count, the sum of all values, and the first and last entry, read with GetEntry.
"""
import json
import sys
from pathlib import Path

import ROOT

ROOT.gROOT.SetBatch(True)
ROOT.gInterpreter.Declare(r"""
struct DefEvPlane { int fN; float fQvector[9][10][2]; };
struct DefDstEvent { int fRunNo; float fVZEROMult[64]; DefEvPlane fEventPlane; double fVtx; };
struct DefP4 { float pt; float eta; int n; };

void defFillDst(TTree& t, int n) {
  DefDstEvent* ev = new DefDstEvent();
  t.Branch("Event", &ev, 4000, 99);
  for (int i = 0; i < n; ++i) {
    ev->fRunNo = 1000 + i;
    for (int k = 0; k < 64; ++k) ev->fVZEROMult[k] = i + k * 0.5f;
    ev->fEventPlane.fN = i % 7;
    for (int a = 0; a < 9; ++a) for (int b = 0; b < 10; ++b) for (int c = 0; c < 2; ++c)
      ev->fEventPlane.fQvector[a][b][c] = i + a * 0.125f + b * 0.0625f + c;
    ev->fVtx = i * 0.25 - 3;
    t.Fill();
  }
  t.ResetBranchAddresses();
  delete ev;
}

void defWriteDst(const char* path, int n, int variant) {
  TFile f(path, "RECREATE");
  TTree t("DstTree", "split Event object");
  defFillDst(t, n);
  if (variant == 1) {
    int extra = 0;
    TBranch* b = t.Branch("extra", &extra, "extra/I");
    for (int i = 0; i < 10; ++i) { extra = 3 * i; b->Fill(); }
    t.ResetBranchAddresses();
  }
  if (variant == 2) {
    TIter next(((TBranch*)t.GetListOfBranches()->At(0))->GetListOfBranches());
    while (TBranch* b = (TBranch*)next()) {
      b->SetEntries(0);
      TIter inner(b->GetListOfBranches());
      while (TBranch* c = (TBranch*)inner()) c->SetEntries(0);
    }
  }
  t.Write();
}

void defWriteObject(const char* path, int n) {
  TFile f(path, "RECREATE");
  TTree t("T", "TBranchObject next to numbers");
  TH1F* h = new TH1F("h", "h", 10, 0, 10);
  h->SetDirectory(nullptr);
  double x = 0;
  int k = 0;
  t.Branch("x", &x, "x/D");
  TTree::SetBranchStyle(0);  // the old style: a TBranchObject (the new style makes a TBranchElement)
  t.Branch("hist", "TH1F", &h, 32000, 0);
  TTree::SetBranchStyle(1);
  t.Branch("k", &k, "k/I");
  for (int i = 0; i < n; ++i) { x = i * 1.5; k = -i; h->Fill(i % 10); t.Fill(); }
  t.Write();
}

void defWriteDup(const char* path, int n) {
  TFile f(path, "RECREATE");
  TTree t("T", "duplicate short names");
  DefP4* jet = new DefP4();
  DefP4* muon = new DefP4();
  DefP4* ele = new DefP4();
  t.Branch("jet", &jet, 32000, 99);
  t.Branch("muon", &muon, 32000, 99);
  t.Branch("ele.", &ele, 32000, 99);
  for (int i = 0; i < n; ++i) {
    jet->pt = 10 + i; jet->eta = 0.5f * i; jet->n = i;
    muon->pt = 100 + 2 * i; muon->eta = -0.25f * i; muon->n = 2 * i;
    ele->pt = 1000 + 3 * i; ele->eta = 0.125f * i; ele->n = 3 * i;
    t.Fill();
  }
  t.Write();
}
""")


def leaf_value(leaf, i):
    return leaf.GetValue(i)


def branch_values(tree, branch):
    """ROOT's values of a single-leaf branch, entry by entry (lists for fixed arrays)."""
    leaf = branch.GetListOfLeaves().At(0)
    n = leaf.GetLen()
    integer = leaf.GetTypeName() in ("Int_t", "int", "Long64_t", "Short_t", "Char_t", "UInt_t")
    out = []
    for e in range(tree.GetEntries()):
        branch.GetEntry(e)
        vals = [leaf_value(leaf, i) for i in range(n)]
        vals = [int(v) for v in vals] if integer else [float(v) for v in vals]
        out.append(vals[0] if n == 1 else vals)
    return out


def flat_sum(values):
    total = 0
    for v in values:
        total += sum(v) if isinstance(v, list) else v
    return total


def describe(path, tree_name, names):
    f = ROOT.TFile.Open(str(path))
    t = f.Get(tree_name)
    branches = {}
    for name, root_name in names.items():
        b = t.GetBranch(root_name) if "/" not in root_name else find_path(t, root_name)
        values = branch_values(t, b)
        branches[name] = {"entries": len(values), "root_fEntries": int(b.GetEntries()), "sum": flat_sum(values),
                          "first": values[0], "last": values[-1]}
    doc = {"entries": int(t.GetEntries()), "branches": branches}
    f.Close()
    return doc


def find_path(tree, path):
    parts = path.split("/")
    b = tree.GetListOfBranches().FindObject(parts[0])
    for p in parts[1:]:
        b = b.GetListOfBranches().FindObject(p)
    return b


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    n = 98
    ROOT.defWriteDst(str(out / "dst_split.root"), n, 0)
    ROOT.defWriteDst(str(out / "dst_short.root"), n, 1)
    ROOT.defWriteDst(str(out / "dst_zero.root"), n, 2)
    ROOT.defWriteObject(str(out / "object_branch.root"), 25)
    ROOT.defWriteDup(str(out / "dup_names.root"), 30)
    members = {m: m for m in ["fRunNo", "fVZEROMult[64]", "fEventPlane.fN", "fEventPlane.fQvector[9][10][2]", "fVtx"]}
    ref = {
        "dst_split.root": {"DstTree": describe(out / "dst_split.root", "DstTree", members)},
        "dst_short.root": {"DstTree": describe(out / "dst_short.root", "DstTree", members)},
        "object_branch.root": {"T": describe(out / "object_branch.root", "T", {"x": "x", "k": "k"})},
        "dup_names.root": {"T": describe(out / "dup_names.root", "T", {
            "jet/pt": "jet/pt", "jet/eta": "jet/eta", "jet/n": "jet/n",
            "muon/pt": "muon/pt", "muon/eta": "muon/eta", "muon/n": "muon/n",
            "ele.pt": "ele.pt", "ele.eta": "ele.eta", "ele.n": "ele.n"})},
    }
    f = ROOT.TFile.Open(str(out / "dst_short.root"))
    ref["dst_short.root"]["DstTree"]["extra_entries"] = int(f.Get("DstTree").GetBranch("extra").GetEntries())
    f.Close()
    f = ROOT.TFile.Open(str(out / "object_branch.root"))
    b = f.Get("T").GetBranch("hist")
    ref["object_branch.root"]["T"]["hist_class"] = b.ClassName()
    f.Close()
    (out / "reference.json").write_text(json.dumps(ref, indent=1))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
