"""Issue #11's TTree reader defects, on files written by real ROOT (make_root_defects.py, run with ROOT's Python
from .deps/root-venv into a temporary folder) and compared with ROOT's own values (GetEntry):
- a split `Event` in `DstTree`: `inspect` and `read` see every member over all entries with ROOT's values;
- a branch filled fewer times than the tree (or reporting fEntries 0) is skipped with the reason, never
  truncating the other branches or giving an empty column with exit status 0;
- a TBranchObject is skipped with its class and the rest of the tree reads;
- branches sharing a short name get unique full-path keys; every name form works, ambiguous ones list the
  candidates.
"""
import json
import math
import subprocess

import pytest

from conftest import HEPML_BIN, PROJECT_ROOT

ROOT_PYTHON = PROJECT_ROOT / ".deps" / "root-venv" / "bin" / "python"
SCRIPT = PROJECT_ROOT / "Tests" / "Integration" / "make_root_defects.py"

pytestmark = pytest.mark.skipif(not ROOT_PYTHON.exists(), reason="ROOT venv (.deps/root-venv) not installed")


@pytest.fixture(scope="session")
def defects(tmp_path_factory):
    out = tmp_path_factory.mktemp("root-defects")
    subprocess.run([str(ROOT_PYTHON), str(SCRIPT), str(out)], check=True, capture_output=True, timeout=600)
    return out, json.loads((out / "reference.json").read_text())


def hepml(*args, check=True):
    if not HEPML_BIN.exists():
        pytest.skip(f"hepml binary not found: {HEPML_BIN}")
    r = subprocess.run([str(HEPML_BIN), *map(str, args)], capture_output=True, text=True, timeout=300)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), f"duplicate JSON keys: {sorted(k for k in keys if keys.count(k) > 1)}"
    return dict(pairs)


def inspect(path):
    return json.loads(hepml("inspect", path, "--json").stdout, object_pairs_hook=no_duplicate_keys)


def flat(v):
    return [x for item in v for x in flat(item)] if isinstance(v, list) else [v]


def assert_equals_root(tree, ref):
    for name, r in ref["branches"].items():
        s = tree["branches"][name]
        assert s["entries"] == r["entries"], name
        assert math.isclose(float(s["sum"]), float(r["sum"]), rel_tol=1e-9, abs_tol=1e-9), f"{name}: {s['sum']} != {r['sum']}"
        assert flat(s["first"][0]) == pytest.approx(flat(r["first"])), name
        assert flat(s["last"]) == pytest.approx(flat(r["last"])), name


def test_split_event_members_equal_root(defects):
    out, ref = defects
    doc = inspect(out / "dst_split.root")
    tree = doc["trees"]["DstTree;1"]
    assert tree["entries"] == 98
    assert_equals_root(tree, ref["dst_split.root"]["DstTree"])
    assert tree["branches"]["fEventPlane.fQvector[9][10][2]"]["shape"] == [9, 10, 2]
    r = hepml("read", out / "dst_split.root", "--tree", "DstTree", "--branches", "fRunNo,fVZEROMult", "--quiet")
    assert "total: 98 entries, 2 branches" in r.stdout


def test_short_branch_skipped_not_truncating(defects):
    out, ref = defects
    tree = inspect(out / "dst_short.root")["trees"]["DstTree;1"]
    assert ref["dst_short.root"]["DstTree"]["extra_entries"] == 10
    assert_equals_root(tree, ref["dst_short.root"]["DstTree"])
    assert "extra" in tree["skipped"]
    assert tree["skip_reasons"]["extra"] == "its baskets hold 10 of the tree's 98 entries (branch fEntries 10)"
    r = hepml("read", out / "dst_short.root", "--tree", "DstTree", "--branches", "extra", check=False)
    assert r.returncode != 0 and "10 of the tree's 98 entries" in r.stderr


def test_zero_entry_branches_never_reported_as_success(defects):
    out, _ = defects
    tree = inspect(out / "dst_zero.root")["trees"]["DstTree;1"]
    for name, s in tree["branches"].items():
        assert s["entries"] == 98, name
    for name in ["fRunNo", "fEventPlane.fN", "fVtx"]:
        assert name in tree["skipped"] and "0 of the tree's 98" in tree["skip_reasons"][name]
    r = hepml("read", out / "dst_zero.root", "--tree", "DstTree", "--branches", "fRunNo", check=False)
    assert r.returncode != 0 and "0 of the tree's 98 entries" in r.stderr


def test_branch_object_skipped_with_class(defects):
    out, ref = defects
    assert ref["object_branch.root"]["T"]["hist_class"] == "TBranchObject"
    tree = inspect(out / "object_branch.root")["trees"]["T;1"]
    assert tree["skip_reasons"]["hist"] == "TBranchObject: whole object of class TH1F per entry"
    assert_equals_root(tree, ref["object_branch.root"]["T"])
    info = hepml("info", out / "object_branch.root", "--verbose").stdout
    assert "2 flat, 0 jagged, 0 fixed, 1 skipped" in info and "TBranchObject: whole object of class TH1F" in info


def test_shared_short_names_use_full_paths(defects):
    out, ref = defects
    tree = inspect(out / "dup_names.root")["trees"]["T;1"]
    assert list(tree["branches"]) == ["jet/pt", "jet/eta", "jet/n", "muon/pt", "muon/eta", "muon/n",
                                      "ele.pt", "ele.eta", "ele.n"]
    assert_equals_root(tree, ref["dup_names.root"]["T"])
    r = hepml("read", out / "dup_names.root", "--branches", "pt", check=False)
    assert r.returncode != 0 and "'jet/pt', 'muon/pt'" in r.stderr
    r = hepml("read", out / "dup_names.root", "--branches", "jet.pt,muon/pt,ele.pt,muon/*", "--exclude", "muon/n",
              "--quiet")
    assert "total: 30 entries, 4 branches" in r.stdout
    info = hepml("info", out / "dup_names.root", "--verbose").stdout
    assert "jet/pt" in info and "muon/pt" in info
    specs = out / "dup_specs.json"
    hepml("specs", out / "dup_names.root", "--tree", "T", "--branches", "jet.pt,muon/*", "--output", specs)
    branches = json.loads(specs.read_text())["branches"]
    assert sorted(branches) == ["jet/pt", "muon/eta", "muon/n", "muon/pt"]
    assert branches["muon/pt"]["max"] == pytest.approx(ref["dup_names.root"]["T"]["branches"]["muon/pt"]["last"])


def test_python_package_full_paths(defects):
    hepml_py = pytest.importorskip("hepml")
    out, ref = defects
    tree = hepml_py.open(out / "dup_names.root")["T"]
    names = tree.keys()
    assert len(names) == len(set(names)) and "jet/pt" in names and "muon/pt" in names
    table = tree.arrays(["jet.pt", "muon/pt"], library="pa")
    assert table.column_names == ["jet/pt", "muon/pt"]
    assert sum(table.column("muon/pt").to_pylist()) == pytest.approx(ref["dup_names.root"]["T"]["branches"]["muon/pt"]["sum"])
    with pytest.raises(hepml_py.HEPMLError, match="several branches named 'pt'"):
        tree.arrays(["pt"], library="pa")
