"""`hepml model convert FILE --to onnx` for graph models: TensorFlow frozen graphs and SavedModels (the TFaaS
models and the fixtures of scripts/make_tf_models.py) written as ONNX through hepml's ONNX writer; ONNX Runtime
on the written file gives TensorFlow's outputs, and the same answers as hepml's native engine on the source."""
import json
import subprocess

import numpy as np
import pytest
import requests

from conftest import HEPML_BIN, MODELS, PROJECT_ROOT, Server

ort = pytest.importorskip("onnxruntime")
TF = PROJECT_ROOT / "Tests" / "Fixtures" / "native" / "tf"
REFERENCE = json.loads((TF / "reference.json").read_text())


def convert(src, out):
    if not HEPML_BIN.exists():
        pytest.skip(f"no binary at {HEPML_BIN}")
    r = subprocess.run([str(HEPML_BIN), "model", "convert", str(src), "--to", "onnx", "-o", str(out)],
                       capture_output=True, text=True, timeout=120)
    return r


def session(path):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def rel(got, want):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64).reshape(np.shape(got))
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-3)))


@pytest.mark.parametrize("model,form", [("dense", "pb"), ("dense", "savedmodel"), ("cnn", "pb"), ("cnn", "savedmodel"),
                                        ("f64", "pb"), ("f64", "savedmodel")])
def test_converted_tf_model_matches_tensorflow_in_onnxruntime(tmp_path, model, form):
    out = tmp_path / f"{model}.onnx"
    r = convert(TF / f"{model}.{form}", out)
    assert r.returncode == 0, r.stderr
    ref = REFERENCE["models"][model]
    s = session(out)
    names = ref["pb_inputs"] if form == "pb" else sorted(ref["signature_inputs"])
    assert [i.name for i in s.get_inputs()] == names
    for case in ref["cases"]:
        feeds = {}
        for name, sig in zip(names, ref["signature_inputs"] if form == "pb" else names):
            x = case["inputs"][sig]
            feeds[name] = np.asarray(x["data"], dtype=np.float32).reshape(x["shape"])
        got = s.run(None, feeds)[0]
        want = case["outputs"][ref["signature_outputs"][0]]["data"]
        assert rel(got, want) < REFERENCE["tolerance"], (model, form)


@pytest.mark.parametrize("folder", ["tfaas-dense42", "tfaas-image28"])
def test_converted_tfaas_graph_agrees_with_native_engine_and_reference(tmp_path, folder):
    """ORT on the converted file, the reference outputs (TensorFlow), and the native engine serving the .pb agree."""
    out = tmp_path / "model.onnx"
    r = convert(MODELS / folder / "model.pb", out)
    assert r.returncode == 0, r.stderr
    ref = json.loads((MODELS / folder / "reference.json").read_text())
    s = session(out)
    inp = s.get_inputs()[0]
    shape = [d if isinstance(d, int) else 1 for d in inp.shape]
    rows = np.random.default_rng(17).uniform(0, 255 if folder.endswith("image28") else 1, (3, *shape[1:])).astype(np.float32)
    got = s.run(None, {inp.name: rows})[0]
    repo = tmp_path / "repository"
    (repo / "m" / "1").mkdir(parents=True)
    (repo / "m" / "1" / "model.graphdef").write_bytes((MODELS / folder / "model.pb").read_bytes())
    (repo / "m" / "config.pbtxt").write_text('name: "m"\nplatform: "tensorflow_graphdef"\n')
    srv = Server(repo, tmp_path / "server.log")
    try:
        body = {"inputs": [{"name": inp.name, "datatype": "FP32", "shape": list(rows.shape), "data": rows.ravel().tolist()}]}
        native = requests.post(f"{srv.url}/v2/models/m/infer", json=body, timeout=30).json()["outputs"][0]["data"]
    finally:
        srv.stop()
    assert rel(got, native) < 1e-5
    if "inputs" in ref and isinstance(ref["inputs"], list) and ref["inputs"] and isinstance(ref["inputs"][0], list):
        x = np.asarray(ref["inputs"], dtype=np.float32)
        assert rel(s.run(None, {inp.name: x})[0], ref["outputs"]) < 1e-5


def test_loop_model_conversion_is_a_clear_error(tmp_path):
    r = convert(TF / "lstm.pb", tmp_path / "lstm.onnx")
    assert r.returncode != 0
    assert "cannot convert to ONNX" in r.stderr and "node '" in r.stderr, r.stderr
    assert not (tmp_path / "lstm.onnx").exists()
