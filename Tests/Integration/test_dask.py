"""hepml.dask on a 2-worker distributed.LocalCluster (processes): from_root equals the single-process read,
specs equals `hepml specs` (mean/std to 1e-12 relative), export shards concatenate to `hepml export`'s rows
with the same split, and a worker killed mid-computation changes nothing."""
import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest

from conftest import HEPML_BIN, PROJECT_ROOT, TESTDATA

hepml = pytest.importorskip("hepml")
ak = pytest.importorskip("awkward")
distributed = pytest.importorskip("distributed")
pytest.importorskip("dask_awkward")
import hepml.dask  # noqa: E402

ROOT = TESTDATA / "root"
NANO = str(ROOT / "nanoaod-like-a-zstd.root")
NANO_LZ4 = str(ROOT / "nanoaod-like-a-lz4.root")
SAMPLE = str(PROJECT_ROOT / "examples" / "data" / "nanoAOD_2015_CMS_Open_Data_ttbar.root")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       host="127.0.0.1", worker_dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


# (file, tree, branch globs) read through Dask and through hepml in one process.
READS = [
    (NANO, "Events", ["MET_pt", "nMuon", "Muon_pt", "Muon_eta", "Jet_*"]),
    (str(ROOT / "uproot-HZZ.root"), "events", ["NJet", "Jet_Px", "Jet_Py", "MET_px", "Muon_E"]),
    (str(ROOT / "leaftypes-a-zstd.root"), "Events", ["*"]),
    (str(ROOT / "leaftypes-a-lz4.root"), "sub/Other", ["*"]),
    (str(ROOT / "uproot-small-dy-withoffsets.root"), "tree", ["*"]),
    (str(ROOT / "uproot-sample-6.20.04-uncompressed.root"), "sample", ["*"]),
]


@pytest.mark.parametrize("path,tree,branches", READS, ids=lambda v: os.path.basename(v) if isinstance(v, str) else None)
def test_from_root_awkward_equals_single_process(client, path, tree, branches):
    t = hepml.open(path)[tree]
    names = [n for n in t.keys() if any(__import__("fnmatch").fnmatchcase(n, b) for b in branches)]
    expected = t.arrays(names, library="ak")
    step = max(1, t.num_entries // 7)
    arr = hepml.dask.from_root([path, path], tree, branches, step_size=step, library="ak")
    assert arr.npartitions == 2 * -(-t.num_entries // step)
    assert arr.divisions[-1] == 2 * t.num_entries  # partition sizes known from the headers
    got = arr.compute()
    assert ak.fields(got) == ak.fields(expected)
    assert ak.to_list(got) == ak.to_list(ak.concatenate([expected, expected]))


def test_from_root_projects_columns(client):
    arr = hepml.dask.from_root(NANO, "Events", ["Muon_pt", "Jet_pt", "MET_pt"], step_size=500)
    got = ak.sum(arr.Muon_pt, axis=1).compute()
    expected = ak.sum(hepml.open(NANO)["Events"].arrays(["Muon_pt"], library="ak").Muon_pt, axis=1)
    assert ak.to_list(got) == ak.to_list(expected)


def test_from_root_dataframe_for_flat_branches(client):
    df = hepml.dask.from_root([NANO, NANO_LZ4], "Events", ["MET_pt", "MET_phi", "nJet", "run"], step_size=300)
    assert df.npartitions == 2 * 7 and df.known_divisions
    got = df.compute()
    one = hepml.open(NANO)["Events"].arrays(["MET_pt", "MET_phi", "nJet", "run"], library="np")
    two = hepml.open(NANO_LZ4)["Events"].arrays(["MET_pt", "MET_phi", "nJet", "run"], library="np")
    for k in one:
        np.testing.assert_array_equal(got[k].to_numpy(), np.concatenate([one[k], two[k]]))
    assert list(got.index) == list(range(4000))
    with pytest.raises(ValueError, match="flat branches only"):
        hepml.dask.from_root(NANO, "Events", ["Muon_pt"], library="dd")


def hepml_specs_cli(tmp_path, files, *options):
    out = tmp_path / "specs-cli.json"
    r = subprocess.run([str(HEPML_BIN), "specs", *files, *options, "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(out.read_text())


def assert_specs_equal(got, want):
    assert got["events"] == want["events"]
    assert set(got["branches"]) == set(want["branches"])
    for name, w in want["branches"].items():
        g = got["branches"][name]
        for k in ("kind", "type", "max_length", "nan", "inf", "count", "min", "max"):
            assert g.get(k) == w.get(k), (name, k, g.get(k), w.get(k))
        for k in ("sum", "sum_squares", "mean", "std"):
            if w.get(k) is None:
                assert g.get(k) is None, (name, k)
                continue
            assert abs(g[k] - w[k]) <= 1e-12 * abs(w[k]), (name, k, g[k], w[k])
    for k in ("jdim", "fkeys", "jkeys", "minv", "maxv", "tree", "schema"):
        assert got[k] == want[k], k


def test_specs_equals_hepml_specs(client, tmp_path):
    files = [NANO, NANO_LZ4, SAMPLE]
    want = hepml_specs_cli(tmp_path, files, "--branches", "MET_*,Jet_*,Muon_*,nJet,nMuon,run,luminosityBlock",
                           "--define", "HT = sum(Jet_pt)", "--cut", "nJet >= 1")
    got = hepml.dask.specs(files, step_size=333, tree="Events",
                           branches=["MET_*", "Jet_*", "Muon_*", "nJet", "nMuon", "run", "luminosityBlock"],
                           defines=["HT = sum(Jet_pt)"], cuts=["nJet >= 1"], output=tmp_path / "specs-dask.json")
    assert_specs_equal(got, want)
    assert "HT" in got["branches"] and got["events"]["total"] > 0
    assert_specs_equal(json.loads((tmp_path / "specs-dask.json").read_text()), want)


def test_specs_of_a_repeated_file_and_a_scan_limit(client, tmp_path):
    want = hepml_specs_cli(tmp_path, [NANO, NANO, NANO_LZ4], "--branches", "Muon_*,MET_pt", "--scan", "1500")
    got = hepml.dask.specs([NANO, NANO, NANO_LZ4], step_size=400, branches=["Muon_*", "MET_pt"], entries=1500)
    assert_specs_equal(got, want)


EXPORT_PARAMS = {
    "files": [{"path": NANO, "label": 1}, {"path": NANO_LZ4, "label": 0}, {"path": SAMPLE, "label": 1, "weight": 0.5}],
    "branches": ["MET_pt", "Jet_pt", "Jet_eta", "Muon_pt", "nJet", "HT"], "defines": ["HT = sum(Jet_pt)"],
    "cuts": ["MET_pt > 5"], "lengths": {"Jet_*": 4, "Muon_*": 2}, "normalization": "standard",
    "seed": 7, "split": {"train": 0.7, "validation": 0.2, "test": 0.1}, "chunk_size": 700, "batch_size": 256,
}


def rows_of_file(arrays, label, weight):
    keep = (arrays["y"] == label) & (arrays["w"] == weight)
    return {k: v[keep] for k, v in arrays.items()}


def test_export_shards_concatenate_to_hepml_export(client, tmp_path):
    params = tmp_path / "params.json"
    params.write_text(json.dumps(dict(EXPORT_PARAMS, shuffle=False)))
    r = subprocess.run([str(HEPML_BIN), "export", "--params", str(params), "--out", str(tmp_path / "cli")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    cli = {k: np.load(tmp_path / "cli" / f"{k}.npy") for k in ("X", "mask", "y", "w", "split")}
    specs = json.loads((tmp_path / "cli" / "specs.json").read_text())
    index = hepml.dask.export(dict(EXPORT_PARAMS), tmp_path / "dask", specs=specs, step_size=300)
    assert index["rows"] == len(cli["y"]) and index["features"] == json.loads((tmp_path / "cli" / "features.json").read_text())["features"]
    got = hepml.dask.read_export(tmp_path / "dask")
    assert got["X"].dtype == np.float32 and got["split"].dtype == np.uint8
    assert {k: v.shape for k, v in got.items()} == {k: v.shape for k, v in cli.items()}
    # Without shuffling, `hepml export` keeps each file's rows in entry order while mixing the files; (label,
    # weight) tells the files apart.
    for label, weight in ((1, 1.0), (0, 1.0), (1, 0.5)):
        g, c = rows_of_file(got, label, weight), rows_of_file(cli, label, weight)
        assert len(c["y"]) > 100
        for k in cli:
            np.testing.assert_array_equal(g[k], c[k], err_msg=f"file ({label}, {weight}) column {k}")
    # With shuffling (the default) the rows are the same set, each with the same split.
    shuffled_params = tmp_path / "params-shuffled.json"
    shuffled_params.write_text(json.dumps(EXPORT_PARAMS))
    r = subprocess.run([str(HEPML_BIN), "export", "--params", str(shuffled_params), "--out", str(tmp_path / "cli2")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    shuffled = {k: np.load(tmp_path / "cli2" / f"{k}.npy") for k in ("X", "y", "split")}
    def rows(a):
        table = np.concatenate([a["X"], a["y"][:, None], a["split"][:, None].astype(np.float32)], axis=1)
        return table[np.lexsort(table.T[::-1])]
    np.testing.assert_array_equal(rows(got), rows(shuffled))
    # Parquet shards hold the same rows.
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(tmp_path / "dask" / "parquet")
    assert table.num_rows == len(cli["y"])
    assert sorted(np.asarray(table.column("y"))) == sorted(cli["y"])
    assert sum(p["splits"]["train"] for p in index["parts"]) == int((cli["split"] == 0).sum())


def test_killed_worker_changes_nothing(client, tmp_path):
    files = [NANO, NANO_LZ4, NANO, NANO_LZ4]
    expected = hepml.dask.specs(files, step_size=100, branches=["Muon_*", "Jet_*", "MET_*"])
    graph = hepml.dask.specs(files, step_size=25, branches=["Muon_*", "Jet_*", "MET_*"], compute=False)
    future = client.compute(graph)
    pids = client.run(os.getpid)
    victim = sorted(pids)[1]

    def finished(dask_scheduler):
        return sum(1 for ts in dask_scheduler.tasks.values() if ts.state == "memory")

    deadline = time.monotonic() + 60
    while client.run_on_scheduler(finished) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not future.done(), "the computation finished before a worker could be killed (make it longer)"
    os.kill(pids[victim], signal.SIGKILL)
    got = future.result(timeout=240)
    assert_specs_equal(got, expected)
    assert got == hepml.dask.specs(files, step_size=25, branches=["Muon_*", "Jet_*", "MET_*"])
    client.wait_for_workers(2, timeout=60)
    assert set(client.run(os.getpid).values()) != set(pids.values())
