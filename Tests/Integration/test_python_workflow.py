"""`python -m hepml.workflow`: a user's PyTorch model trained on the bundled sample through hepml's streams
reaches the AUC of the native trainer on the same params (± 0.03); its ONNX model folder served by `hepml serve`
answers with the trained model's outputs (1e-5); Keras 3 (torch backend) trains through hepml.keras.Dataset."""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import HEPML_BIN, PROJECT_ROOT, TOKEN, Server

pytest.importorskip("torch")
hepml = pytest.importorskip("hepml")
import hepml.client  # noqa: E402

PARAMS = PROJECT_ROOT / "examples" / "training" / "params.yaml"
NATIVE_MODEL = PROJECT_ROOT / "examples" / "training" / "model.yaml"


def workflow(tmp_path, *args, env=None):
    r = subprocess.run([sys.executable, "-m", "hepml.workflow", "--params", str(PARAMS), "--quiet", *map(str, args)],
                       capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.fixture(scope="module")
def native_auc(tmp_path_factory):
    out = tmp_path_factory.mktemp("native")
    subprocess.run([str(HEPML_BIN), "train", "--params", str(PARAMS), "--model", str(NATIVE_MODEL), "--out", str(out)],
                   check=True, cwd=PROJECT_ROOT, capture_output=True, timeout=600)
    return json.loads((out / "report" / "metrics.json").read_text())["test_auc"]


def test_torch_workflow_matches_native_and_serves(tmp_path, native_auc):
    out = tmp_path / "wf"
    r = workflow(tmp_path, "--model", PROJECT_ROOT / "examples" / "python" / "ex_pytorch.py", "--epochs", 60,
                 "--batch-size", 32, "--patience", 15, "--out", out, "--name", "pyhtcut")
    assert "test:" in r.stdout and "AUC" in r.stdout
    result = json.loads((out / "result.json").read_text())
    assert result["test_events"] > 20
    assert abs(result["auc"] - native_auc) <= 0.03, f"workflow AUC {result['auc']:.3f}, native {native_auc:.3f}"

    repo = tmp_path / "repo"
    repo.mkdir()
    srv = Server(repo, tmp_path / "serve.log")
    try:
        answer = hepml.client.upload(srv.url, out / "pyhtcut", token=TOKEN)
        assert answer["name"] == "pyhtcut"
        assert "pyhtcut" in json.dumps(hepml.client.models(srv.url, token=TOKEN))
        x = np.load(out / "test_X.npy")
        expected = np.load(out / "test_probabilities.npy")
        params = json.loads((out / "pyhtcut" / "params.json").read_text())
        got = hepml.client.infer(srv.url, "pyhtcut", {params["input_node"]: x}, token=TOKEN)[params["output_node"]]
        assert got.shape[0] == len(expected)
        assert np.max(np.abs(got.reshape(-1) - expected)) < 1e-5
    finally:
        srv.stop()


def test_keras_trains_through_pydataset(tmp_path, native_auc):
    if importlib.util.find_spec("keras") is None:
        pytest.skip("keras is not installed")
    env = dict(os.environ, KERAS_BACKEND="torch")
    out = tmp_path / "wfk"
    workflow(tmp_path, "--framework", "keras", "--model", PROJECT_ROOT / "examples" / "python" / "ex_keras.py",
             "--epochs", 30, "--batch-size", 32, "--out", out, env=env)
    result = json.loads((out / "result.json").read_text())
    assert result["auc"] > native_auc - 0.1, f"keras AUC {result['auc']:.3f}, native {native_auc:.3f}"
    assert result["loss"] < 0.69


def test_user_file_without_model_is_an_error(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\n")
    r = subprocess.run([sys.executable, "-m", "hepml.workflow", "--params", str(PARAMS), "--model", str(bad)],
                       capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert r.returncode != 0 and "must define model(idim)" in r.stderr


def test_demo_runs_from_any_directory(tmp_path):
    """`hepml demo` finds the bundled sample from outside the repository (issue 15, item 3)."""
    r = subprocess.run([str(HEPML_BIN), "demo", "--out", str(tmp_path / "demo"), "--epochs", "3"], capture_output=True,
                       text=True, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "nanoAOD_2015_CMS_Open_Data_ttbar.root" in r.stdout and "summary     AUC" in r.stdout
