"""hepml's Python package (python/hepml over libhepml.so): every shared ROOT file with TTrees (and RNTuples) read through
`hepml.open(...)[tree].arrays(...)` equals its `.root.json` reference (uproot 5.7's numbers); jagged branches
through library="ak" equal uproot's awkward arrays; bad input raises HEPMLError with hepml's message; the Arrow
streams validate and are released.
"""
import gc
import json
import math
import os
import resource
import shutil

import numpy as np
import pytest

from conftest import PROJECT_ROOT, TESTDATA

pa = pytest.importorskip("pyarrow")
hepml = pytest.importorskip("hepml")

ROOT_FILES = TESTDATA / "root"
SAMPLE = PROJECT_ROOT / "examples" / "data" / "nanoAOD_2015_CMS_Open_Data_ttbar.root"


def reference_trees():
    cases = []
    for j in sorted(ROOT_FILES.glob("*.root.json")):
        ref = json.loads(j.read_text())
        root = ROOT_FILES / j.name[: -len(".json")]
        for path, tree in (ref.get("trees") or {}).items():
            if root.exists():
                cases.append(pytest.param(root, path, tree, id=f"{root.name}:{path}"))
        for path, ntuple in (ref.get("rntuples") or {}).items():
            if root.exists():
                cases.append(pytest.param(root, path, dict(ntuple, branches=ntuple["fields"]), id=f"{root.name}:rntuple:{path}"))
    return cases


def flat_values(arr):
    """All leaf values of an Arrow array (lists and fixed-size lists flattened) as numpy."""
    while pa.types.is_large_list(arr.type) or pa.types.is_list(arr.type) or pa.types.is_fixed_size_list(arr.type):
        arr = arr.flatten()
    return arr.to_numpy(zero_copy_only=False)


def same_number(found, expected, what):
    if isinstance(expected, bool) or isinstance(found, (bool, np.bool_)):
        assert bool(found) == bool(expected), what
    elif isinstance(expected, int):
        assert int(found) == expected, what
    else:
        assert math.isclose(float(found), float(expected), rel_tol=1e-6, abs_tol=1e-9) or \
            (math.isnan(float(found)) and math.isnan(float(expected))), f"{what}: {found} != {expected}"


def same_nested(found, expected, what):
    if isinstance(expected, list):
        assert isinstance(found, list) and len(found) == len(expected), f"{what}: {found} != {expected}"
        for k, (f, e) in enumerate(zip(found, expected)):
            same_nested(f, e, f"{what}[{k}]")
    else:
        same_number(found, expected, what)


@pytest.mark.parametrize("root,path,ref", reference_trees())
def test_tree_equals_reference(root, path, ref):
    f = hepml.open(root)
    tree = f[path]
    assert tree.num_entries == ref["entries"]
    info = {b["name"]: b for b in tree.branches}
    names = [n for n in ref["branches"]]
    missing = [n for n in names if n not in info]
    assert not missing, f"hepml does not read {missing}: {[s for s in tree.skipped if s['name'] in missing]}"
    table = tree.arrays(names, library="pa")
    assert table.num_rows == ref["entries"]
    for batch in table.to_batches():
        batch.validate(full=True)
    for name in names:
        r = ref["branches"][name]
        b = info[name]
        assert (b["kind"], b["type"], b["shape"]) == (r["kind"], r["type"], r["shape"]), name
        col = table.column(name).combine_chunks() if table.num_rows else pa.array([], type=table.schema.field(name).type)
        assert len(col) == r["entries"], name
        values = flat_values(col)
        assert len(values) == r["values"], name
        if r["values"] == 0:
            continue
        if r["type"] in ("float32", "float64"):
            same_number(float(np.sum(values, dtype=np.float64)), r["sum"], f"{name} sum")
        elif r["type"] == "bool":
            assert int(np.count_nonzero(values)) == int(r["sum"]), f"{name} sum"
        else:
            assert sum(values.tolist()) == int(r["sum"]), f"{name} sum"
        same_number(values.min(), r["min"], f"{name} min")
        same_number(values.max(), r["max"], f"{name} max")
        first = col.slice(0, len(r["first"])).to_pylist()
        same_nested(first, r["first"], f"{name} first")
        same_nested(col.slice(len(col) - 1, 1).to_pylist()[0], r["last"], f"{name} last")


def test_keys_and_metadata():
    f = hepml.open(SAMPLE)
    assert f.keys() == ["Events;1"]
    t = f["Events"]
    assert t.num_entries == 200
    assert "Muon_pt" in t.keys("Muon_*") and all(k.startswith("Muon_") for k in t.keys("Muon_*"))
    assert t.typenames["Muon_pt"] == "float32[]"


@pytest.mark.parametrize("file,tree,branches", [
    (SAMPLE, "Events", ["Muon_*", "Jet_pt", "nJet", "MET_pt"]),
    (ROOT_FILES / "uproot-HZZ.root", "events", ["Jet_Px", "Muon_E", "NJet"]),
    (ROOT_FILES / "leaftypes-a-zstd.root", "Events", ["jag_*", "fix_*"]),
])
def test_jagged_awkward_equals_uproot(file, tree, branches):
    ak = pytest.importorskip("awkward")
    uproot = pytest.importorskip("uproot")
    ours = hepml.open(file)[tree].arrays(branches, entry_start=3, entry_stop=1500, library="ak")
    theirs = uproot.open(file)[tree].arrays(filter_name=branches, entry_start=3, entry_stop=1500)
    assert sorted(ours.fields) == sorted(theirs.fields)
    for name in theirs.fields:
        assert ak.to_list(ours[name]) == ak.to_list(theirs[name]), name


def test_numpy_and_iterate_match_arrays():
    t = hepml.open(SAMPLE)["Events"]
    whole = t.arrays(["Jet_pt", "MET_pt"], library="np")
    chunks = list(t.iterate(["Jet_pt", "MET_pt"], step_size=64))
    assert [len(c["MET_pt"]) for c in chunks] == [64, 64, 64, 8]
    assert np.array_equal(np.concatenate([c["MET_pt"] for c in chunks]), whole["MET_pt"])
    joined = [x for c in chunks for x in c["Jet_pt"]]
    assert all(np.array_equal(a, b) for a, b in zip(joined, whole["Jet_pt"]))
    part = t.arrays(["MET_pt"], entry_start=-10, library="np")["MET_pt"]
    assert np.array_equal(part, whole["MET_pt"][-10:])


def test_errors_raise_with_hepml_message(tmp_path):
    with pytest.raises(hepml.HEPMLError, match="cannot open"):
        hepml.open(tmp_path / "missing.root")
    with pytest.raises(hepml.HEPMLError, match="no branch 'Nope'"):
        hepml.open(SAMPLE)["Events"].arrays(["Nope"])
    with pytest.raises(hepml.HEPMLError, match="no object named 'Nope'"):
        hepml.open(SAMPLE)["Nope"]
    text = tmp_path / "text.root"
    text.write_text("not a ROOT file at all\n" * 10)
    with pytest.raises(hepml.HEPMLError, match="not a ROOT file"):
        hepml.open(text)
    # A damaged copy: the first basket region overwritten; reading must fail cleanly (or read what is intact).
    damaged = tmp_path / "damaged.root"
    shutil.copy(ROOT_FILES / "nanoaod-like-a-zlib.root", damaged)
    data = bytearray(damaged.read_bytes())
    for i in range(2000, len(data) // 2, 997):
        data[i] ^= 0x5A
    damaged.write_bytes(bytes(data))
    with pytest.raises(hepml.HEPMLError):
        f = hepml.open(damaged)
        f["Events"].arrays(library="pa")


def test_several_streams_at_once():
    t = hepml.open(SAMPLE)["Events"]
    readers = [t.arrow_stream(["Jet_pt", "MET_pt"], step_size=50) for _ in range(4)]
    rows = [0] * 4
    for _ in range(4):
        for k, r in enumerate(readers):
            b = r.read_next_batch()
            b.validate(full=True)
            rows[k] += b.num_rows
    assert rows == [200] * 4


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_streams_are_released():
    t = hepml.open(SAMPLE)["Events"]
    def cycle(n):
        for i in range(n):
            r = t.arrow_stream(["Jet_*", "Muon_*", "MET_pt"], step_size=100)
            if i % 2:
                r.read_next_batch()  # dropped half-read: the producer must stop and free its batches
            del r
        gc.collect()
    cycle(200)
    before = rss_mb()
    cycle(1000)
    after = rss_mb()
    assert after - before < 40, f"RSS grew {after - before:.1f} MB over 1000 streams"


def test_threads_read_concurrently():
    from concurrent.futures import ThreadPoolExecutor
    expected = hepml.open(SAMPLE)["Events"].arrays(["Jet_pt", "MET_pt"], library="pa")

    def read(_):
        return hepml.open(SAMPLE)["Events"].arrays(["Jet_pt", "MET_pt"], step_size=37, library="pa")

    with ThreadPoolExecutor(4) as pool:
        tables = list(pool.map(read, range(8)))
    assert all(t.equals(expected) for t in tables)
