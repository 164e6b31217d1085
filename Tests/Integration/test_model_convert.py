"""`hepml model convert FILE --to onnx`: tree ensembles written as ONNX-ML run in the onnxruntime wheel and give
the frameworks' own predictions; what ONNX-ML cannot express, and non-tree models, are clear errors."""
import json
import subprocess

import numpy as np
import pytest

from conftest import HEPML_BIN, MODELS, PROJECT_ROOT, assert_close

ort = pytest.importorskip("onnxruntime")
TREES = PROJECT_ROOT / "Tests" / "Fixtures" / "trees"


def convert(*args):
    if not HEPML_BIN.exists():
        pytest.skip(f"no binary at {HEPML_BIN}")
    return subprocess.run([str(HEPML_BIN), "model", "convert", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def run(path, x):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {session.get_inputs()[0].name: x})))


def test_shared_xgboost_bdt_matches_its_reference(tmp_path):
    out = tmp_path / "bdt.onnx"
    r = convert(MODELS / "xgboost-bdt" / "model.json", "--to", "onnx", "-o", out)
    assert r.returncode == 0, r.stderr
    assert f"wrote {out}" in r.stdout
    ref = json.loads((MODELS / "xgboost-bdt" / "reference.json").read_text())
    inp = ref["inputs"][0]
    x = np.asarray(inp["data"], dtype=np.float32).reshape(inp["shape"])
    got = run(out, x)
    expected = {o["name"]: o["data"] for o in ref["outputs"]}
    assert_close(got["probabilities"].ravel().tolist(), expected["probabilities"], ref["tolerance"], "probabilities")
    assert got["label"].tolist() == expected["label"]


@pytest.mark.parametrize("case,model,output", [
    ("xgb_multiclass", "xgb_multiclass.ubj", "probabilities"),
    ("xgb_dart", "xgb_dart.json", "probabilities"),
    ("lgb_binary", "lgb_binary.txt", "probabilities"),
    ("lgb_multiclass", "lgb_multiclass.txt", "probabilities"),
    ("lgb_regression", "lgb_regression.txt", "predictions"),
    ("skl_gbdt_multiclass", "skl_gbdt_multiclass.onnx", "probabilities"),
])
def test_fixture_models_match_their_framework(tmp_path, case, model, output):
    out = tmp_path / "converted.onnx"
    r = convert(TREES / model, "--to", "onnx", "-o", out)
    assert r.returncode == 0, r.stderr
    manifest = {c["case"]: c for c in json.loads((TREES / "manifest.json").read_text())["cases"]}
    c = manifest[case]
    x = np.fromfile(TREES / f"{case}.input.f32", dtype="<f4").reshape(c["rows"], c["features"])
    expected = np.fromfile(TREES / f"{case}.{output}.f64", dtype="<f8")
    got = run(out, x)["variable" if output == "predictions" else "probabilities"].astype(np.float64).ravel()
    assert got.shape == expected.shape
    assert np.max(np.abs(got - expected) / np.maximum(1, np.abs(expected))) < 1e-5


def test_default_output_name_replaces_the_extension(tmp_path):
    src = tmp_path / "bdt.txt"
    src.write_bytes((TREES / "lgb_binary.txt").read_bytes())
    r = convert(src, "--to", "onnx")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "bdt.onnx").stat().st_size > 1000


@pytest.mark.parametrize("model,fragment", [
    (TREES / "lgb_categorical.txt", "categorical splits are not converted"),
    (TREES / "lgb_zero_missing.txt", "'zero is missing'"),
    (TREES / "tmva" / "fastml_grad_first2.weights.xml", "gradient-boost output mapping"),
    (MODELS / "lwtnn-deepcsv-phasei" / "model.json", "conversion of lwtnn models is not supported yet"),
    (MODELS / "sklearn-mlp" / "model.onnx", "other than ai.onnx.ml tree ensembles is not supported yet"),
])
def test_unconvertible_models_are_clear_errors(tmp_path, model, fragment):
    out = tmp_path / "x.onnx"
    r = convert(model, "--to", "onnx", "-o", out)
    assert r.returncode != 0
    assert fragment in r.stderr, r.stderr
    assert not out.exists()


def test_unknown_target_format_is_an_error(tmp_path):
    r = convert(TREES / "lgb_binary.txt", "--to", "tflite", "-o", tmp_path / "x")
    assert r.returncode != 0 and "conversion to 'tflite' is not supported" in r.stderr
