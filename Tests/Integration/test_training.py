"""`hepml train` end to end: metrics agree with scikit-learn, the exported ONNX model run by Python's
onnxruntime gives the trainer's own test predictions, and the model folder serves."""
import json
import subprocess

import numpy as np
import onnxruntime as ort
from sklearn.metrics import roc_auc_score

from conftest import HEPML_BIN, PROJECT_ROOT


def test_train_evaluate_export(tmp_path):
    out = tmp_path / "run"
    subprocess.run([str(HEPML_BIN), "train", "--params", "examples/training/params.yaml", "--model", "examples/training/model.yaml",
                    "--out", str(out), "--name", "htcut"], check=True, cwd=PROJECT_ROOT)
    report = out / "report"
    metrics = json.loads((report / "metrics.json").read_text())
    scores, labels, weights = (np.load(report / f"test_{n}.npy") for n in ["scores", "labels", "weights"])
    assert len(scores) == metrics["test_rows"] > 10
    assert abs(roc_auc_score(labels, scores, sample_weight=weights) - metrics["test_auc"]) < 1e-9
    assert metrics["test_auc"] > 0.75
    for plot in ["roc.svg", "loss.svg", "scores.svg"]:
        assert (report / plot).read_text().startswith("<svg")
    lines = (report / "training.jsonl").read_text().splitlines()
    assert len(lines) == metrics["epochs"] and "validation_auc" in json.loads(lines[0])

    folder = out / "repository" / "htcut"
    for f in ["config.pbtxt", "1/model.onnx", "labels.txt", "params.json", "specs.json"]:
        assert (folder / f).exists(), f
    raw = np.load(report / "test_features_raw.npy")
    assert np.isnan(raw).any(), "padded slots are NaN in the raw features"
    session = ort.InferenceSession(str(folder / "1" / "model.onnx"), providers=["CPUExecutionProvider"])
    probs = session.run(None, {"features": raw})[0]
    assert probs.shape == (len(scores), 2)
    assert np.max(np.abs(probs[:, 1] - scores)) < 1e-5
    assert np.allclose(probs.sum(axis=1), 1, atol=1e-6)


def test_demo_runs_end_to_end(tmp_path):
    out = tmp_path / "demo"
    r = subprocess.run([str(HEPML_BIN), "demo", "--out", str(out)], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "summary     AUC" in r.stdout and "max |diff|" in r.stdout
    assert (out / "repository" / "demo" / "1" / "model.onnx").exists()
    assert (out / "served" / "demo" / "tags.json").exists()
