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
