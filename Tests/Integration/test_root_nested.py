"""String and doubly jagged branches (vector<vector<float|int|double>>, std::string, TString, char* leaves,
vector<string>, and the same as members of a split class) written by real ROOT 6.40 (make_root_nested.py):
`hepml read --json`, `hepml inspect --json` and the Python package give exactly ROOT's own values (GetEntry),
and training refuses them as features with an error naming the branch.
"""
import json
import math
import subprocess
import sys

import pytest

from conftest import HEPML_BIN, PROJECT_ROOT

ROOT_PYTHON = PROJECT_ROOT / ".deps" / "root-venv" / "bin" / "python"
MAKER = PROJECT_ROOT / "Tests" / "Integration" / "make_root_nested.py"
ENTRIES = 2000
NESTED = ["vvf", "vvi", "vvd", "ev.parts"]
STRINGS = ["s", "ts", "c", "ev.label", "ev.title"]
STRING_LISTS = ["vs", "ev.tags"]
ALL = NESTED + STRINGS + STRING_LISTS + ["ev.id"]


@pytest.fixture(scope="session")
def nested_file(tmp_path_factory):
    if not ROOT_PYTHON.exists():
        pytest.skip("real ROOT venv (.deps/root-venv) not installed")
    if not HEPML_BIN.exists():
        pytest.skip(f"hepml binary not found: {HEPML_BIN}")
    out = tmp_path_factory.mktemp("root-nested")
    subprocess.run([str(ROOT_PYTHON), str(MAKER), str(out), "--entries", str(ENTRIES), "--rntuple"], check=True,
                   capture_output=True, timeout=300)
    reference = json.loads((out / "nested.json").read_text())
    assert reference["entries"] == ENTRIES
    return out / "nested.root", reference


def hepml(*args, check=True):
    r = subprocess.run([str(HEPML_BIN), *map(str, args)], capture_output=True, text=True, timeout=300)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def test_read_json_equals_root(nested_file):
    path, ref = nested_file
    r = hepml("read", path, "--tree", "nested", "--json", "--chunk-size", "333", "--branches", ",".join(ALL))
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) == ENTRIES
    for name in ALL:
        assert [row[name] for row in rows] == ref["branches"][name], name


def test_read_entry_range(nested_file):
    path, ref = nested_file
    r = hepml("read", path, "--tree", "nested", "--json", "--entries", "1234:1300", "--chunk-size", "7",
              "--branches", "vvf,vs,c,ev.label")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    for name in ["vvf", "vs", "c", "ev.label"]:
        assert [row[name] for row in rows] == ref["branches"][name][1234:1300], name


def flat(entries):
    return [x for entry in entries for inner in entry for x in inner]


def first_distinct(strings, n):
    seen = []
    for s in strings:
        if s not in seen:
            seen.append(s)
        if len(seen) == n:
            break
    return seen


def test_inspect_statistics(nested_file):
    path, ref = nested_file
    doc = json.loads(hepml("inspect", path, "--json").stdout)
    tree = doc["trees"]["nested;1"] if "nested;1" in doc["trees"] else doc["trees"]["nested"]
    branches = tree["branches"]
    for name in NESTED:
        b, entries = branches[name], ref["branches"][name]
        values = flat(entries)
        assert b["kind"] == "doubly_jagged", name
        assert b["entries"] == ENTRIES
        assert b["values"] == b["inner_lengths_sum"] == len(values)
        assert b["lengths_sum"] == sum(len(e) for e in entries)
        assert b["max_length"] == max(len(e) for e in entries)
        assert b["max_inner_length"] == max(len(inner) for e in entries for inner in e)
        assert b["first"] == entries[:3] and b["last"] == entries[-1]
        if name == "vvi":
            assert int(b["sum"]) == sum(values) and b["min"] == min(values) and b["max"] == max(values)
        else:
            assert math.isclose(b["sum"], math.fsum(values), rel_tol=1e-9, abs_tol=1e-6)
            assert b["min"] == min(values) and b["max"] == max(values)
    for name in STRINGS + STRING_LISTS:
        b, entries = branches[name], ref["branches"][name]
        strings = entries if name in STRINGS else [s for e in entries for s in e]
        assert b["kind"] == ("string" if name in STRINGS else "jagged_string"), name
        assert b["entries"] == ENTRIES
        assert b["strings"] == b["values"] == len(strings)
        assert b["bytes"] == sum(len(s.encode()) for s in strings)
        assert b["max_length"] == max(len(s.encode()) for s in strings) if name in STRINGS else True
        assert b["distinct"] == len(set(strings)) and not b["distinct_saturated"]
        assert b["distinct_sample"] == first_distinct(strings, 10)
        assert b["first"] == entries[:3] and b["last"] == entries[-1]
    assert not any(name in tree["skipped"] for name in ALL)


def test_python_package_equals_root(nested_file):
    path, ref = nested_file
    env_python = PROJECT_ROOT / ".deps" / "test-venv" / "bin" / "python"
    script = f"""
import json, sys
import hepml
t = hepml.open({str(path)!r})["nested"]
names = {ALL!r}
ak = t.arrays(names, library="ak")
np_ = t.arrays(names, library="np", step_size=700)
def py(x):
    if hasattr(x, "dtype") and x.dtype == object:
        return [py(e) for e in x]
    return x.tolist() if hasattr(x, "tolist") else x
out = {{"ak": {{n: ak[n].to_list() for n in names}},
        "np": {{n: py(np_[n]) for n in names}},
        "types": t.typenames}}
json.dump(out, sys.stdout)
"""
    r = subprocess.run([str(env_python if env_python.exists() else sys.executable), "-c", script], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    for name in ALL:
        assert got["ak"][name] == ref["branches"][name], f"ak {name}"
        assert got["np"][name] == ref["branches"][name], f"np {name}"
    assert got["types"]["vvf"] == "float32[][]" and got["types"]["vs"] == "string[]" and got["types"]["s"] == "string"


def test_rntuple_strings_equal_root(nested_file):
    path, ref = nested_file
    rntuple = path.with_name("nested_rntuple.root")
    r = hepml("read", rntuple, "--tree", "nested", "--json", "--chunk-size", "450", "--branches", "s,ev_id")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["s"] for row in rows] == ref["branches"]["s"]
    assert [row["ev_id"] for row in rows] == ref["branches"]["ev.id"]
    doc = json.loads(hepml("inspect", rntuple, "--json").stdout)
    (nt,) = doc["rntuples"].values()
    assert nt["fields"]["s"]["kind"] == "string" and nt["fields"]["s"]["strings"] == ENTRIES
    # Collections of collections and of strings are not read from RNTuples yet: skipped with the reason.
    reasons = nt["skip_reasons"] if "skip_reasons" in nt else {}
    assert {"vs", "vvf", "vvi"} <= set(nt["skipped"])
    if reasons:
        assert "nested collections" in reasons["vvf"] and "collection of strings" in reasons["vs"]


@pytest.mark.parametrize("branch,what", [("s", "string branch 's'"), ("ev.title", "string branch 'ev.title'"),
                                         ("vs", "string-list branch 'vs' (vector<string>)"),
                                         ("vvf", "doubly jagged branch 'vvf' (vector<vector<T>>)")])
def test_training_refuses_strings_and_nested(nested_file, tmp_path, branch, what):
    path, _ = nested_file
    r = hepml("specs", path, "--tree", "nested", "--branches", f"ev.id,{branch}", "-o", tmp_path / "specs.json",
              check=False)
    assert r.returncode != 0
    assert f"{what} cannot be a training feature" in r.stderr + r.stdout
    assert "Fatal error" not in r.stderr


def test_training_glob_leaves_strings_out(nested_file, tmp_path):
    path, _ = nested_file
    hepml("specs", path, "--tree", "nested", "--branches", "ev.*", "-o", tmp_path / "specs.json")
    specs = json.loads((tmp_path / "specs.json").read_text())
    names = set(specs["branches"])
    assert "ev.id" in names and not names & {"ev.label", "ev.title", "ev.tags", "ev.parts"}
