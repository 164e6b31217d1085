"""lwtnn networks served by `hepml serve`: TFaaS /json with named `keys`, KServe v2 infer with one tensor
per input block, metadata, and `hepml model inspect`."""
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import requests

from conftest import HEPML_BIN, MODELS, PROJECT_ROOT, Server, assert_close, assert_json_error

DEEPCSV = MODELS / "lwtnn-deepcsv-phasei"
FIXTURES = PROJECT_ROOT / "Tests" / "Fixtures" / "lwtnn"
GRAPH_CONFIG = """name: "lwtnn_graph"
platform: "lwtnn"
max_batch_size: 64
default_model_filename: "model.json"
input [
  { name: "jet" data_type: TYPE_FP32 dims: [ 3 ] },
  { name: "event" data_type: TYPE_FP32 dims: [ 2 ] },
  { name: "tracks" data_type: TYPE_FP32 dims: [ -1, 4 ] }
]
output [
  { name: "flavour" data_type: TYPE_FP32 dims: [ 3 ] },
  { name: "regression" data_type: TYPE_FP32 dims: [ 1 ] }
]
"""


def tfaas_folder(dest: Path, model: Path, labels: list[str]):
    dest.mkdir(parents=True)
    shutil.copy(model, dest / "model.json")
    (dest / "labels.txt").write_text("\n".join(labels) + "\n")
    (dest / "params.json").write_text(json.dumps({"name": dest.name, "model": "model.json", "labels": "labels.txt"}))


@pytest.fixture(scope="module")
def lwtnn_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("lwtnn")
    repo = root / "repository"
    tfaas_folder(repo / "deepcsv", DEEPCSV / "model.json", ["probb", "probbb", "probc", "probudsg"])
    tfaas_folder(repo / "dense", FIXTURES / "dense.json", ["b", "c", "light"])
    (repo / "lwtnn_graph" / "1").mkdir(parents=True)
    shutil.copy(FIXTURES / "graph.json", repo / "lwtnn_graph" / "1" / "model.json")
    (repo / "lwtnn_graph" / "config.pbtxt").write_text(GRAPH_CONFIG)
    srv = Server(repo, root / "server.log", token=None)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def deepcsv_ref():
    return json.loads((DEEPCSV / "reference.json").read_text())


def test_json_keys_match_reference_whatever_the_order(lwtnn_server, deepcsv_ref):
    for case in deepcsv_ref["cases"]:
        keys = sorted(case["inputs"], reverse=True)  # not the model's order: mapped by name
        body = {"model": "deepcsv", "keys": keys, "values": [case["inputs"][k] for k in keys]}
        r = requests.post(f"{lwtnn_server.url}/json", json=body, timeout=30)
        assert r.status_code == 200, r.text
        got = {p["label"]: p["probability"] for p in r.json()}
        assert got.keys() == case["outputs"].keys()
        for label, expected in case["outputs"].items():
            assert abs(got[label] - expected) <= 1e-5, (label, got[label], expected)


def test_json_unknown_and_missing_names_are_400_naming_them(lwtnn_server, deepcsv_ref):
    case = deepcsv_ref["cases"][0]
    keys = list(case["inputs"]) + ["jetPtt"]
    r = requests.post(f"{lwtnn_server.url}/json", timeout=30,
                      json={"model": "deepcsv", "keys": keys, "values": [case["inputs"].get(k, 1.0) for k in keys]})
    assert r.status_code == 400
    assert "jetPtt" in assert_json_error(r)

    # dense.json has defaults for n_tracks and sv_mass only.
    fixture = json.loads((FIXTURES / "dense.reference.json").read_text())["cases"][0]["inputs"]
    named = {k: v for k, v in fixture.items() if k not in ("jet_eta", "n_tracks")}
    r = requests.post(f"{lwtnn_server.url}/json", timeout=30,
                      json={"model": "dense", "keys": list(named), "values": list(named.values())})
    assert r.status_code == 400
    message = assert_json_error(r)
    assert "jet_eta" in message and "n_tracks" not in message

    named["jet_eta"] = fixture["jet_eta"]
    r = requests.post(f"{lwtnn_server.url}/json", timeout=30,
                      json={"model": "dense", "keys": list(named), "values": list(named.values())})
    assert r.status_code == 200, r.text


def test_v2_infer_batch_matches_reference(lwtnn_server, deepcsv_ref):
    meta = requests.get(f"{lwtnn_server.url}/v2/models/deepcsv", timeout=30).json()
    names = [v["name"] for v in json.loads((DEEPCSV / "model.json").read_text())["inputs"]]
    assert meta["platform"] == "lwtnn"
    assert meta["inputs"] == [{"name": "inputs", "datatype": "FP32", "shape": [-1, 66], "variables": names}]
    assert meta["outputs"] == [{"name": "outputs", "datatype": "FP32", "shape": [-1, 4],
                                "labels": ["probb", "probbb", "probc", "probudsg"]}]
    cases = deepcsv_ref["cases"]
    data = [c["inputs"][n] for c in cases for n in names]
    body = {"inputs": [{"name": "inputs", "datatype": "FP32", "shape": [len(cases), len(names)], "data": data}]}
    r = requests.post(f"{lwtnn_server.url}/v2/models/deepcsv/infer", json=body, timeout=30)
    assert r.status_code == 200, r.text
    out = r.json()["outputs"][0]
    assert out["name"] == "outputs" and out["shape"] == [len(cases), 4]
    labels = json.loads((DEEPCSV / "model.json").read_text())["outputs"]
    expected = [c["outputs"][l] for c in cases for l in labels]
    assert_close(out["data"], expected, {"abs": 1e-5}, "deepcsv v2")


def test_v2_graph_model_with_sequence_input(lwtnn_server):
    ref = json.loads((FIXTURES / "graph.reference.json").read_text())
    model = json.loads((FIXTURES / "graph.json").read_text())
    jet = [v["name"] for v in model["inputs"][0]["variables"]]
    event = [v["name"] for v in model["inputs"][1]["variables"]]
    tracks = [v["name"] for v in model["input_sequences"][0]["variables"]]
    steps = len(ref["cases"][0]["inputs"][tracks[0]])
    cases = [c for c in ref["cases"] if len(c["inputs"][tracks[0]]) == steps]
    seq = np.array([[c["inputs"][n] for n in tracks] for c in cases]).transpose(0, 2, 1)  # [N, T, 4]
    body = {"inputs": [
        {"name": "jet", "datatype": "FP32", "shape": [len(cases), 3], "data": [c["inputs"][n] for c in cases for n in jet]},
        {"name": "event", "datatype": "FP32", "shape": [len(cases), 2], "data": [c["inputs"][n] for c in cases for n in event]},
        {"name": "tracks", "datatype": "FP32", "shape": list(seq.shape), "data": seq.ravel().tolist()},
    ]}
    r = requests.post(f"{lwtnn_server.url}/v2/models/lwtnn_graph/infer", json=body, timeout=30)
    assert r.status_code == 200, r.text
    outs = {o["name"]: o for o in r.json()["outputs"]}
    assert_close(outs["flavour"]["data"], [c["outputs"]["flavour"][l] for c in cases for l in "bcu"],
                 {"abs": 1e-4, "rel": 1e-4}, "flavour")
    assert_close(outs["regression"]["data"], [c["outputs"]["regression"]["pt_ratio"] for c in cases],
                 {"abs": 1e-4, "rel": 1e-4}, "regression")


def test_model_inspect_lists_variables():
    if not HEPML_BIN.exists():
        pytest.skip(f"no binary at {HEPML_BIN}")
    out = subprocess.run([str(HEPML_BIN), "model", "inspect", str(DEEPCSV / "model.json")],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert "platform  lwtnn" in out and "format    lwtnn sequential" in out
    assert "inputs  FP32 [-1, 66]" in out and "jetNSecondaryVertices" in out
    assert "labels: probb, probbb, probc, probudsg" in out
