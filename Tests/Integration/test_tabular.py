"""CSV, JSON-lines and Parquet inputs: the NanoAOD sample converted by pyarrow (make_tabular.py) reads back with
the same statistics as the ROOT file, every command takes them, and malformed files fail with one clear line."""
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HEPML_BIN, PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "examples" / "data" / "nanoAOD_2015_CMS_Open_Data_ttbar.root"
PARQUET = ["crc", "snappy", "zstd", "gzip", "lz4", "none", "nodict_v2", "dict_v2_zstd", "plain_v1", "delta"]


def hepml(*args, check=True):
    if not HEPML_BIN.exists():
        pytest.skip(f"hepml binary not found: {HEPML_BIN}")
    r = subprocess.run([str(HEPML_BIN), *map(str, args)], capture_output=True, text=True, timeout=600)
    if check:
        assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    out = tmp_path_factory.mktemp("tabular")
    subprocess.run([sys.executable, str(Path(__file__).with_name("make_tabular.py")), str(out)], check=True)
    return out


@pytest.fixture(scope="module")
def root_stats():
    return inspect(SAMPLE)


def inspect(path, *extra):
    trees = json.loads(hepml("inspect", "--json", path, *extra).stdout)["trees"]
    assert len(trees) == 1 and next(iter(trees)).split(";")[0] == "Events", trees.keys()
    return next(iter(trees.values()))["branches"]


def number(x):
    if x is None:
        return math.nan
    return float(x)


def flat_values(entries):
    out = []
    for e in entries:
        out += flat_values(e) if isinstance(e, list) else [number(e)]
    return out


def same(a, b):
    if math.isnan(a) and math.isnan(b):
        return True
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def compare(got, want, names):
    assert names, "no branches to compare"
    for name in names:
        g, w = got[name], want[name]
        assert g["entries"] == w["entries"], name
        assert g["values"] == w["values"], name
        for key in ("sum", "min", "max"):
            if key not in w:
                assert key not in g, (name, key)
                continue
            assert same(number(g[key]), number(w[key])), (name, key, g[key], w[key])
        for key in ("first", "last"):
            gv, wv = flat_values([g[key]]), flat_values([w[key]])
            assert len(gv) == len(wv) and all(same(x, y) for x, y in zip(gv, wv)), (name, key, g[key], w[key])


def branches(data):
    return json.loads((data / "branches.json").read_text())


def test_csv_equals_root(data, root_stats):
    got = inspect(data / "nano.csv")
    flat = [n for n in branches(data)["flat"] if n in root_stats]
    compare(got, root_stats, flat)
    assert {got[n]["kind"] for n in flat} == {"flat"}


def test_jsonl_equals_root(data, root_stats):
    got = inspect(data / "nano.jsonl")
    names = branches(data)
    jagged = [n for n in names["jagged"] if n in root_stats]
    compare(got, root_stats, [n for n in names["flat"] if n in root_stats] + jagged)
    assert {got[n]["kind"] for n in jagged} == {"jagged"}


@pytest.mark.parametrize("variant", PARQUET)
def test_parquet_equals_root(data, root_stats, variant):
    got = inspect(data / f"{variant}.parquet")
    names = branches(data)
    compare(got, root_stats, [n for n in names["flat"] + names["jagged"] if n in root_stats])
    assert got["Jet_pt"]["kind"] == "jagged" and got["Jet_pt"]["type"] == "float32"


def test_parquet_chunks_across_row_groups(data):
    """Chunks of 37 entries straddle the 64-row row groups; the total must still be every entry."""
    r = hepml("read", data / "zstd.parquet", "--chunk-size", "37", "--branches", "Jet_pt,nJet,MET_pt", "--threads", "1")
    assert "chunk 185..<200: 15 entries" in r.stdout
    assert r.stdout.strip().splitlines()[-1].startswith("total: 200 entries, 3 branches")


def test_format_flag_overrides_extension(data, root_stats):
    odd = data / "events.bin"
    shutil.copy(data / "snappy.parquet", odd)
    compare(inspect(odd, "--format", "parquet"), root_stats, ["MET_pt", "Jet_pt"])
    r = hepml("inspect", "--json", odd, check=False)
    assert r.returncode != 0


def test_info_lists_columns(data):
    out = hepml("info", data / "nodict_v2.parquet", "--verbose").stdout
    assert "parquet" in out.splitlines()[0]
    assert "tree Events;1: 200 entries, 947 branches" in out


def test_export_and_specs_on_parquet(data, tmp_path):
    hepml("specs", data / "snappy.parquet", "--branches", "MET_pt,Jet_pt,nJet", "-o", tmp_path / "specs.json")
    specs = json.loads((tmp_path / "specs.json").read_text())
    assert set(specs["branches"]) >= {"MET_pt", "Jet_pt", "nJet"}
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"branches": ["MET_pt", "Jet_pt", "nJet"]}))
    out = tmp_path / "export"
    r = hepml("export", data / "snappy.parquet", data / "zstd.parquet", "--labels", "1,0", "--params", params, "--out", out)
    assert "400 rows" in r.stdout or "rows" in r.stdout
    assert (out / "X.npy").exists()


@pytest.mark.parametrize("name,words", [
    ("bad_magic.parquet", ["PAR1"]),
    ("truncated_footer.parquet", ["footer"]),
    ("truncated.parquet", ["PAR1"]),
    ("corrupt_page.parquet", ["column 'run'", "page header"]),
    ("corrupt_data.parquet", ["column '", "corrupt page: CRC-32"]),
    ("bad_quote.csv", ["line 3", "never closed"]),
    ("stray_quote.csv", ["line 3", "quote"]),
    ("late_mismatch.csv", ["line 10005", "column 'y'", "abc"]),
    ("late_missing_int.csv", ["line 10005", "column 'n'", "missing"]),
    ("bad.jsonl", ["line 2"]),
])
def test_malformed_inputs_fail_with_one_line(data, name, words):
    r = hepml("inspect", "--json", data / name, check=False)
    assert r.returncode != 0
    lines = [line for line in r.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    assert name in lines[0] and all(w in lines[0] for w in words), lines[0]


def test_quoted_csv(data):
    got = inspect(data / "quoted.csv")
    assert got["id"]["type"] == "int64" and got["id"]["sum"] == "6"
    assert got["x"]["type"] == "float64" and got["x"]["sum"] is None or math.isnan(number(got["x"]["sum"]))
    assert "name" not in got


def nullable_table(rows=5000, seed=3):
    """Nulls, null lists, empty lists and null elements, wide dictionary indices and several pages and row groups."""
    import numpy as np
    import pyarrow as pa
    rng = np.random.default_rng(seed)
    counts = rng.poisson(3, rows)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    total = int(offsets[-1])
    list_valid = rng.random(rows) > 0.1
    elem_valid = rng.random(total) > 0.05
    floats = rng.normal(0, 1, total).astype(np.float32)
    return pa.table({
        "x": pa.array(rng.normal(0, 1, rows), mask=rng.random(rows) < 0.2),
        "few": pa.array(rng.integers(0, 5, rows, dtype=np.int32)),
        "wide": pa.array(rng.integers(0, 150_000, rows, dtype=np.int64)),
        "dense": pa.array(rng.normal(0, 1, rows).astype(np.float32)),
        "flag": pa.array(rng.random(rows) > 0.5),
        "pt": pa.ListArray.from_arrays(pa.array(offsets, mask=~np.append(list_valid, True)),
                                       pa.array(floats, mask=~elem_valid)),
        "ids": pa.ListArray.from_arrays(pa.array(offsets), pa.array(rng.integers(-3, 300, total, dtype=np.int32))),
    })


@pytest.mark.parametrize("options", [
    dict(compression="snappy"),
    dict(compression="zstd", data_page_version="2.0", data_page_size=4096, row_group_size=1700),
    dict(compression="none", use_dictionary=False, data_page_size=2000),
    dict(compression="gzip", use_dictionary=["few", "wide", "ids"], row_group_size=999),
], ids=["snappy", "zstd_v2_small_pages", "plain", "gzip_some_dict"])
def test_parquet_nulls_and_pages_equal_pyarrow(tmp_path, options):
    """Every value through the Python package equals pyarrow's: null floats become NaN, null lists empty lists,
    null list elements NaN; dictionary, PLAIN, many pages and row groups, chunks that straddle row groups."""
    import numpy as np
    import pyarrow.parquet as pq
    hepml_py = pytest.importorskip("hepml")
    path = tmp_path / "nulls.parquet"
    table = nullable_table()
    pq.write_table(table, path, **options)
    got = hepml_py.open(str(path))["Events"].arrays(library="pa", step_size=1234)
    for name in table.column_names:
        want, found = table.column(name).combine_chunks(), got.column(name).combine_chunks()
        assert len(found) == len(want), name
        if hasattr(want, "offsets"):
            counts = np.array([0 if v is None else len(v) for v in want.to_pylist()])
            assert np.array_equal(np.diff(found.offsets.to_numpy()), counts), name
            want_values = [np.nan if e is None else e for v in want.to_pylist() if v is not None for e in v]
            found_values = found.flatten().to_numpy(zero_copy_only=False)
        else:
            want_values = [np.nan if v is None else v for v in want.to_pylist()]
            found_values = found.to_numpy(zero_copy_only=False)
        assert np.array_equal(np.asarray(found_values, dtype=np.float64), np.asarray(want_values, dtype=np.float64),
                              equal_nan=True), name
