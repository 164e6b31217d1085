"""Object branches of issue #11 written by real ROOT (make_root_objects.py, PyPI ROOT in .deps/root-venv): members
of a split `vector<TrackObj>` (numbers, arrays, packed floats, `vector<float>`) and of a split `TClonesArray` and of a collection inside a split EDM-like wrapper, `vector<bool>`, `RVec<float>`,
`vector<Double32_t>`, Double32_t/Float16_t
leaves and members with and without range specifiers, in five compressions. `hepml read --json`, `inspect`,
`specs`, `export` and the Python package give ROOT's own values (GetEntry), bit for bit."""
import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import HEPML_BIN, PROJECT_ROOT

ROOT_PYTHON = PROJECT_ROOT / ".deps" / "root-venv" / "bin" / "python"
CODECS = ["none", "zlib", "lzma", "lz4", "zstd"]


def hepml(*args):
    if not HEPML_BIN.exists():
        pytest.skip(f"hepml binary not found: {HEPML_BIN}")
    r = subprocess.run([str(HEPML_BIN), *map(str, args)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture(scope="session")
def objects(tmp_path_factory):
    if not ROOT_PYTHON.exists():
        pytest.skip("real ROOT not installed (.deps/root-venv; scripts/setup --tests)")
    out = tmp_path_factory.mktemp("root-objects")
    subprocess.run([str(ROOT_PYTHON), str(Path(__file__).with_name("make_root_objects.py")), str(out)], check=True,
                   capture_output=True)
    return out, json.loads((out / "objects.json").read_text())


def numeric(ref):
    return list(ref["branches"])


def flat(v):
    return [x for item in v for x in flat(item)] if isinstance(v, list) else [v]


def same_bits(got, want):
    """Equal structure and values; floats compared as float64 bit patterns."""
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(same_bits(g, w) for g, w in zip(got, want))
    if isinstance(want, float):
        return isinstance(got, (int, float)) and np.float64(got).tobytes() == np.float64(want).tobytes()
    return got == want and type(got) is type(want)


@pytest.mark.parametrize("codec", CODECS)
def test_python_package_equals_root(objects, codec):
    hepml_py = pytest.importorskip("hepml")
    out, ref = objects
    tree = hepml_py.open(out / f"objects-{codec}.root")[ref["tree"]]
    assert tree.num_entries == ref["entries"]
    table = tree.arrays(numeric(ref), library="pa")
    for name in numeric(ref):
        got = table.column(name).to_pylist()
        bad = [i for i, (g, w) in enumerate(zip(got, ref["branches"][name])) if not same_bits(g, w)]
        assert len(got) == ref["entries"] and not bad, f"{name}[{bad[:1]}]: {got[bad[0]] if bad else None}"
    assert [s["name"] for s in tree.skipped] == ["calo."]  # the split wrapper object itself holds no data


@pytest.mark.parametrize("codec", ["none", "zstd"])
def test_read_json_equals_root(objects, codec):
    """`hepml read --json` in small chunks (baskets straddle chunks) prints ROOT's values for every entry."""
    out, ref = objects
    names = numeric(ref)
    lines = hepml("read", out / f"objects-{codec}.root", "--tree", ref["tree"], "--branches", ",".join(names),
                  "--chunk-size", "113", "--threads", "2", "--json").splitlines()
    assert len(lines) == ref["entries"]
    for i, line in enumerate(lines):
        entry = json.loads(line)
        for name in names:
            want = ref["branches"][name][i]
            got = entry[name]
            if name == "flags":
                got = [bool(x) for x in got]
            assert same_bits(got, want), f"{name}[{i}]: {got} != {want}"


def test_inspect_statistics_equal_root(objects):
    out, ref = objects
    doc = json.loads(hepml("inspect", "--json", out / "objects-lz4.root"))
    tree = next(v for k, v in doc["trees"].items() if k.split(";")[0] == ref["tree"])
    branches = tree["branches"]
    for name in numeric(ref):
        b, entries = branches[name], ref["branches"][name]
        values = [float(x) for x in flat(entries)]
        assert b["entries"] == ref["entries"], name
        assert b["values"] == len(values), name
        assert float(b["min"]) == min(values) and float(b["max"]) == max(values), name
        assert math.isclose(float(b["sum"]), math.fsum(values), rel_tol=1e-12, abs_tol=1e-9), name
        if isinstance(entries[0], list):
            assert b["kind"] in ("jagged", "fixed", "doubly_jagged"), name
    for member, collection in ref["counters"].items():
        assert branches[collection]["kind"] == "flat" and branches[collection]["type"] == "int32"
        assert branches[member]["counter"] == collection, member
        assert branches[member]["lengths_sum"] == sum(ref["branches"][collection]), member
    types = {n: branches[n]["type"] for n in ["tracks.dzero", "tracks.zzero", "Particle.Mass", "Particle.Phi",
                                              "d32_r16", "f16_plain", "flags", "rvec", "vd32", "calo.obj.timing"]}
    assert types == {"tracks.dzero": "float64", "tracks.zzero": "float32", "Particle.Mass": "float64",
                     "Particle.Phi": "float32", "d32_r16": "float64", "f16_plain": "float32", "flags": "bool",
                     "rvec": "float32", "vd32": "float64", "calo.obj.timing": "float64"}
    assert branches["tracks.hits"]["kind"] == "doubly_jagged"
    assert tree["skipped"] == ["calo."]


def test_specs_and_export_take_member_branches(objects, tmp_path):
    """Collection members are jagged training features like NanoAOD's: specs gives the longest entry, export
    pads to the requested length with ROOT's values first."""
    out, ref = objects
    path = out / "objects-zstd.root"
    feats = ["Particle.PT", "tracks.dzero", "d32_r10"]
    specs = tmp_path / "specs.json"
    hepml("specs", path, "--tree", ref["tree"], "--branches", ",".join(feats), "-o", specs)
    s = json.loads(specs.read_text())["branches"]
    assert s["Particle.PT"]["max_length"] == max(ref["branches"]["Particle"])
    assert s["tracks.dzero"]["max_length"] == max(ref["branches"]["tracks"])
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"tree": ref["tree"], "shuffle": False}))
    hepml("export", path, "--params", params, "--specs", specs, "--labels", "1", "--max-length", "*=3",
          "--normalization", "none", "--out", tmp_path / "export")
    meta = json.loads((tmp_path / "export" / "features.json").read_text())
    X = np.load(tmp_path / "export" / "X.npy")
    mask = np.load(tmp_path / "export" / "mask.npy")
    assert X.shape[0] == ref["entries"]
    for name in ["Particle.PT", "tracks.dzero"]:
        cols = [meta["features"].index(f"{name}_{k}") for k in range(3)]
        for i in range(ref["entries"]):
            want = ref["branches"][name][i][:3]
            assert list(mask[i, cols]) == [1] * len(want) + [0] * (3 - len(want))
            assert np.array_equal(X[i, cols[:len(want)]], np.float32(want)), f"{name}[{i}]"
    k = meta["features"].index("d32_r10")
    assert np.array_equal(X[:, k], np.float32(ref["branches"]["d32_r10"]))


def damaged_copy(out, tmp_path, branch, patch):
    """objects-none.root with the entry-offset table of `branch`'s first basket changed by `patch(table) -> table`
    (uncompressed, so the table sits at fSeekKey + fLast: a count, then one offset per entry)."""
    uproot = pytest.importorskip("uproot")
    source = out / "objects-none.root"
    with uproot.open(source) as f:
        b = f["objects"][branch]
        seek = int(b.member("fBasketSeek")[0])
        basket = b.basket(0)
        last, entries = basket.member("fLast"), basket.member("fNevBuf")
    data = bytearray(source.read_bytes())
    start = seek + last + 4
    table = np.frombuffer(bytes(data[start:start + 4 * entries]), dtype=">i4").copy()
    data[start:start + 4 * entries] = patch(table).astype(">i4").tobytes()
    damaged = tmp_path / f"damaged-{branch}.root"
    damaged.write_bytes(bytes(data))
    return damaged


@pytest.mark.parametrize("branch,patch,message", [
    ("Particle.Mass", "shift", "not a multiple of 4"),
    ("tracks.zzero", "shift", "not a multiple of 3"),
    ("tracks.covariance[3]", "reverse", "entry offsets decrease"),
])
def test_damaged_member_basket_gives_typed_error(objects, tmp_path, branch, patch, message):
    """A collection member's basket whose entry offsets no longer fit its packed values fails with the branch,
    basket and reason; no crash and no silent values."""
    out, ref = objects

    def change(table):
        if patch == "reverse":
            return table[::-1]
        k = next(i for i in range(len(table) - 2) if table[i + 1] > table[i] and table[i + 2] >= table[i + 1] + 2)
        table[k + 1] += 2
        return table

    damaged = damaged_copy(out, tmp_path, branch, change)
    if not HEPML_BIN.exists():
        pytest.skip(f"hepml binary not found: {HEPML_BIN}")
    r = subprocess.run([str(HEPML_BIN), "read", str(damaged), "--tree", ref["tree"], "--branches", branch, "--quiet"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "crash" not in r.stderr.lower(), r.stderr
    assert branch in r.stderr and message in r.stderr, r.stderr
