"""TensorFlow SavedModels and frozen graphs with while-loops (Keras dense, CNN, LSTM, GRU and a float64 tf.Module, made
by scripts/make_tf_models.py) served by hepml's native engine: Triton `tensorflow_savedmodel` (`model.savedmodel/`)
and `tensorflow_graphdef` folders, a TFaaS tarball upload of a SavedModel, and a server with only native models
that never maps ONNX Runtime. References are TensorFlow's own outputs (Tests/Fixtures/native/tf/reference.json)."""
import json
import re
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest
import requests

from conftest import PROJECT_ROOT, Server, curl

FIXTURES = PROJECT_ROOT / "Tests" / "Fixtures" / "native" / "tf"
REFERENCE = json.loads((FIXTURES / "reference.json").read_text())
MODELS = sorted(REFERENCE["models"])
TOLERANCE = REFERENCE["tolerance"]


def triton_folder(repo: Path, name: str, model: str, saved: bool):
    folder = repo / name
    (folder / "1").mkdir(parents=True)
    platform = "tensorflow_savedmodel" if saved else "tensorflow_graphdef"
    (folder / "config.pbtxt").write_text(f'name: "{name}"\nplatform: "{platform}"\n')
    if saved:
        shutil.copytree(FIXTURES / f"{model}.savedmodel", folder / "1" / "model.savedmodel")
    else:
        shutil.copy(FIXTURES / f"{model}.pb", folder / "1" / "model.graphdef")


@pytest.fixture(scope="module")
def tf_server(tmp_path_factory):
    """A server whose repository holds only TensorFlow models (native engine)."""
    root = tmp_path_factory.mktemp("hepml-tf")
    repo = root / "repository"
    for m in MODELS:
        triton_folder(repo, f"saved_{m}", m, saved=True)
        triton_folder(repo, f"frozen_{m}", m, saved=False)
    # A bare version folder with a SavedModel (no config.pbtxt).
    (repo / "bare_dense" / "1").mkdir(parents=True)
    shutil.copytree(FIXTURES / "dense.savedmodel", repo / "bare_dense" / "1" / "model.savedmodel")
    srv = Server(repo, root / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


def v2_infer(server, name, inputs: dict):
    body = {"inputs": [{"name": k, "datatype": "FP64" if v["dtype"] == "float64" else "FP32", "shape": v["shape"],
                        "data": v["data"]} for k, v in inputs.items()]}
    r = requests.post(f"{server.url}/v2/models/{name}/infer", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return {o["name"]: o for o in r.json()["outputs"]}


def assert_rel(got, want, what):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, what
    rel = np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-3)) if want.size else 0
    assert rel < TOLERANCE, f"{what}: relative error {rel}"


@pytest.mark.parametrize("model", MODELS)
def test_savedmodel_matches_tensorflow(tf_server, model):
    ref = REFERENCE["models"][model]
    meta = requests.get(f"{tf_server.url}/v2/models/saved_{model}", timeout=10).json()
    assert sorted(i["name"] for i in meta["inputs"]) == sorted(ref["signature_inputs"]), meta
    assert sorted(o["name"] for o in meta["outputs"]) == sorted(ref["signature_outputs"]), meta
    assert all(i["shape"][0] == -1 for i in meta["inputs"]), meta
    for case in ref["cases"]:
        out = v2_infer(tf_server, f"saved_{model}", case["inputs"])
        for name, want in case["outputs"].items():
            assert out[name]["shape"] == want["shape"], out[name]
            assert_rel(out[name]["data"], want["data"], f"saved_{model} {name} batch {want['shape'][0]}")


@pytest.mark.parametrize("model", MODELS)
def test_frozen_graph_matches_tensorflow(tf_server, model):
    ref = REFERENCE["models"][model]
    meta = requests.get(f"{tf_server.url}/v2/models/frozen_{model}", timeout=10).json()
    assert [i["name"] for i in meta["inputs"]] == ref["pb_inputs"], meta
    assert [o["name"] for o in meta["outputs"]] == ref["pb_outputs"], meta
    for case in ref["cases"]:
        inputs = {pb: case["inputs"][sig] for pb, sig in zip(ref["pb_inputs"], ref["signature_inputs"])}
        out = v2_infer(tf_server, f"frozen_{model}", inputs)
        for pb, sig in zip(ref["pb_outputs"], ref["signature_outputs"]):
            assert_rel(out[pb]["data"], case["outputs"][sig]["data"], f"frozen_{model} {pb}")


def test_bare_version_folder_with_savedmodel(tf_server):
    case = REFERENCE["models"]["dense"]["cases"][0]
    out = v2_infer(tf_server, "bare_dense", case["inputs"])
    assert_rel(out["output_0"]["data"], case["outputs"]["output_0"]["data"], "bare_dense")


def test_savedmodel_tarball_upload(tf_server, tmp_path):
    """A TFaaS tarball whose params.json names a SavedModel folder: /upload, then /json and /v2."""
    name = "lstm_upload"
    folder = tmp_path / name
    shutil.copytree(FIXTURES / "lstm.savedmodel", folder / "saved_model")
    (folder / "params.json").write_text(json.dumps({"name": name, "model": "saved_model", "labels": "labels.txt"}))
    (folder / "labels.txt").write_text("signal\n")
    bundle = tmp_path / "model.tar.gz"
    with tarfile.open(bundle, "w:gz") as tar:
        tar.add(folder, arcname=name)
    r = curl("-X", "POST", "-H", f"Authorization: Bearer {tf_server.token}", "-H", "Content-Type: application/octet-stream",
             "--data-binary", f"@{bundle}", f"{tf_server.url}/upload")
    assert r.status == 200, r
    try:
        case = REFERENCE["models"]["lstm"]["cases"][1]
        out = v2_infer(tf_server, name, case["inputs"])
        assert_rel(out["output_0"]["data"], case["outputs"]["output_0"]["data"], "uploaded SavedModel")
    finally:
        assert curl("-X", "DELETE", "-H", f"Authorization: Bearer {tf_server.token}", f"{tf_server.url}/delete/{name}").status == 200


def test_bad_savedmodel_is_unavailable_not_a_crash(tmp_path):
    """A truncated saved_model.pb and a truncated variables index make their models UNAVAILABLE with a reason;
    the server keeps serving the good model next to them."""
    repo = tmp_path / "repository"
    triton_folder(repo, "good", "dense", saved=True)
    triton_folder(repo, "truncated_pb", "dense", saved=True)
    pb = repo / "truncated_pb" / "1" / "model.savedmodel" / "saved_model.pb"
    pb.write_bytes(pb.read_bytes()[:1000])
    triton_folder(repo, "truncated_index", "gru", saved=True)
    index = repo / "truncated_index" / "1" / "model.savedmodel" / "variables" / "variables.index"
    index.write_bytes(index.read_bytes()[:-30])
    srv = Server(repo, tmp_path / "server.log", wait_path="/v2/health/live")
    try:
        for name in ("truncated_pb", "truncated_index"):
            r = requests.post(f"{srv.url}/v2/repository/index", timeout=10)
            states = {m["name"]: m for m in r.json()}
            assert states[name]["state"] == "UNAVAILABLE", states[name]
            assert states[name]["reason"], states[name]
        case = REFERENCE["models"]["dense"]["cases"][0]
        out = v2_infer(srv, "good", case["inputs"])
        assert_rel(out["output_0"]["data"], case["outputs"]["output_0"]["data"], "good next to bad")
        assert srv.alive()
    finally:
        srv.stop()


def mapped_libraries(pid: int) -> set[str]:
    libs = set()
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        m = re.search(r"(/\S+\.so[\.\d]*)$", line)
        if m:
            libs.add(Path(m.group(1)).name)
    return libs


def test_native_only_server_never_maps_onnxruntime(tf_server, server):
    """`hepml serve` with only native models (after loading and running them) has no libonnxruntime mapped;
    the main test server, which serves ONNX models, has (so the check can fail)."""
    case = REFERENCE["models"]["gru"]["cases"][0]
    v2_infer(tf_server, "saved_gru", case["inputs"])
    native = mapped_libraries(tf_server.proc.pid)
    assert any(l.startswith("libopenblas") for l in native), sorted(native)
    assert not any("onnxruntime" in l for l in native), sorted(native)
    assert any("onnxruntime" in l for l in mapped_libraries(server.proc.pid))
