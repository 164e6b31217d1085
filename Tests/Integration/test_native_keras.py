"""Keras models (`.keras` archives and legacy `.h5`) in a model folder serve on hepml's native engine: /json and
/v2 give Keras's own outputs (Tests/Fixtures/native/keras/reference.json, made by scripts/make_keras_models.py),
and `hepml model inspect` describes them. A Keras file with an unsupported layer is refused at upload."""
import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import HEPML_BIN, PROJECT_ROOT, assert_json_error, curl
from test_tfaas_curl import auth, model_names, predict_json

FIXTURES = PROJECT_ROOT / "Tests" / "Fixtures" / "native" / "keras"
REFERENCE = json.loads((FIXTURES / "reference.json").read_text())
TOL = 1e-5


def close(got, want, what):
    assert len(got) == len(want), (what, len(got), len(want))
    for g, w in zip(got, want):
        assert abs(g - w) <= TOL * max(1.0, abs(w)), (what, g, w)


def upload_tarball(server, tmp_path: Path, name: str, files: dict):
    """A model folder `name/` holding `files` (archive name -> bytes), uploaded as a gzipped tarball."""
    folder = tmp_path / "src" / name
    folder.mkdir(parents=True)
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    bundle = tmp_path / f"{name}.tar.gz"
    with tarfile.open(bundle, "w:gz") as tar:
        tar.add(folder, arcname=name)
    return curl("-X", "POST", *auth(server), "-H", "Content-Encoding: gzip", "-H", "Content-Type: application/octet-stream",
                "--data-binary", f"@{bundle}", f"{server.url}/upload")


def v2_infer(server, name: str, model: str, key: str = "outputs"):
    ref = REFERENCE[model]
    body = {"inputs": [{"name": t["name"], "datatype": "FP32", "shape": t["shape"], "data": t["data"]} for t in ref["inputs"]]}
    r = curl("-X", "POST", "-H", "Content-Type: application/json", "-d", json.dumps(body), f"{server.url}/v2/models/{name}/infer")
    assert r.status == 200, r
    outs = {o["name"]: o for o in r.json()["outputs"]}
    for want in ref[key]:
        got = outs[want["name"]]
        assert got["shape"] == want["shape"], got
        close(got["data"], want["data"], f"{name} {want['name']}")


ALL = ["dense", "cnn", "conv1d", "lstm", "gru", "functional", "masked"]


@pytest.mark.parametrize("model,ext", [(m, e) for m in ALL for e in ("keras", "h5")])
def test_keras_tfaas_folder_json_and_v2(server, tmp_path, model, ext):
    name = f"keras_{model}_{ext}"
    files = {"params.json": json.dumps({"name": name, "model": f"model.{ext}", "labels": "labels.txt"}).encode(),
             f"model.{ext}": (FIXTURES / f"{model}.{ext}").read_bytes()}
    labels = [f"class{i}" for i in range(REFERENCE[model]["outputs"][0]["shape"][-1])]
    files["labels.txt"] = ("\n".join(labels) + "\n").encode()
    r = upload_tarball(server, tmp_path, name, files)
    assert r.status == 200, r
    try:
        assert model_names(server)[name]["state"] == "READY"
        meta = curl(f"{server.url}/v2/models/{name}").json()
        assert [i["name"] for i in meta["inputs"]] == [t["name"] for t in REFERENCE[model]["inputs"]], meta
        v2_infer(server, name, model)
        if model == "dense":
            # TFaaS /json: one row of features, labelled probabilities sorted by decreasing probability.
            features = REFERENCE[model]["inputs"][0]
            width = features["shape"][1]
            row, want = features["data"][:width], REFERENCE[model]["outputs"][0]["data"][:len(labels)]
            r = predict_json(server, {"keys": [f"f{i}" for i in range(width)], "values": row, "model": name})
            assert r.status == 200, r
            got = {c["label"]: c["probability"] for c in r.json()}
            close([got[l] for l in labels], want, "/json")
    finally:
        assert curl("-X", "DELETE", *auth(server), f"{server.url}/delete/{name}").status == 200


def test_keras_triton_folder_with_platform(server, tmp_path):
    """Triton layout: config.pbtxt with platform "keras" and default_model_filename model.h5."""
    name = "keras_gru_triton"
    config = f'name: "{name}"\nplatform: "keras"\ndefault_model_filename: "model.h5"\n'
    r = upload_tarball(server, tmp_path, name, {"config.pbtxt": config.encode(), "1/model.h5": (FIXTURES / "gru.h5").read_bytes()})
    assert r.status == 200, r
    try:
        v2_infer(server, name, "gru")
    finally:
        assert curl("-X", "DELETE", *auth(server), f"{server.url}/delete/{name}").status == 200


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_keras_bare_version_folder(server, tmp_path, ext):
    """No config.pbtxt: the version folder's model.keras or model.h5 is found and its platform picked from the file."""
    name = f"keras_cnn_bare_{ext}"
    r = upload_tarball(server, tmp_path, name, {f"1/model.{ext}": (FIXTURES / f"cnn.{ext}").read_bytes()})
    assert r.status == 200, r
    try:
        assert curl(f"{server.url}/v2/models/{name}").json()["platform"] == "keras"
        v2_infer(server, name, "cnn")
    finally:
        assert curl("-X", "DELETE", *auth(server), f"{server.url}/delete/{name}").status == 200


@pytest.mark.parametrize("model", [m for m in ALL if m != "masked"])
def test_onnx_export_pinned_to_native_engine(server, tmp_path, model):
    """The ONNX export of each Keras model (LSTM and GRU nodes included), pinned to the native engine in
    config.pbtxt, gives ONNX Runtime's outputs."""
    name = f"keras_{model}_onnx_native"
    config = (f'name: "{name}"\nplatform: "onnxruntime_onnx"\n'
              'parameters { key: "backend" value: { string_value: "hepml_native" } }\n')
    r = upload_tarball(server, tmp_path, name, {"config.pbtxt": config.encode(), "1/model.onnx": (FIXTURES / f"{model}.onnx").read_bytes()})
    assert r.status == 200, r
    try:
        v2_infer(server, name, model, key="onnx_outputs")
    finally:
        assert curl("-X", "DELETE", *auth(server), f"{server.url}/delete/{name}").status == 200


def test_keras_unknown_layer_is_refused(server, tmp_path):
    name = "keras_unknown"
    files = {"params.json": json.dumps({"name": name, "model": "model.keras"}).encode(),
             "model.keras": (FIXTURES / "unknown_layer.keras").read_bytes()}
    r = upload_tarball(server, tmp_path, name, files)
    err = assert_json_error(r, statuses=(400, 422, 501, 503))
    assert "LayerNormalization" in err, err
    assert name not in model_names(server)


def test_model_inspect_keras():
    out = subprocess.run([str(HEPML_BIN), "model", "inspect", str(FIXTURES / "lstm.keras")], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "platform  keras" in text, text
    assert "LSTM×2" in text and "TimeDistributed×1" in text, text
    assert "sequence  FP32 [-1, 6, 4]" in text, text
    assert "tag  FP32 [-1, 2]" in text, text
    assert "keras class: Sequential" in text, text


@pytest.mark.parametrize("file,message", [("truncated.h5", "truncated or damaged"), ("traversal.keras", "../evil.json"),
                                          ("heap_loop.h5", "global heap"), ("unknown_layer.keras", "LayerNormalization")])
def test_model_inspect_bad_keras_files(file, message):
    """Damaged files are load errors naming the problem, never a crash or a hang (heap_loop.h5 hangs libhdf5)."""
    out = subprocess.run([str(HEPML_BIN), "model", "inspect", str(FIXTURES / file)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1, (out.returncode, out.stderr)
    assert message in out.stderr, out.stderr


def test_keras_file_that_crashes_libhdf5_is_refused_and_server_lives(server, tmp_path):
    """heap_ref_crash.h5 (a mutated lstm.h5: an attribute points at a missing global-heap object) segfaults
    libhdf5 itself. The server tries Keras files in a child process first, so the upload is refused with a load
    error and the server keeps serving."""
    name = "keras_heap_crash"
    files = {"params.json": json.dumps({"name": name, "model": "model.h5"}).encode(),
             "model.h5": (FIXTURES / "heap_ref_crash.h5").read_bytes()}
    r = upload_tarball(server, tmp_path, name, files)
    err = assert_json_error(r, statuses=(400, 422, 501, 503))
    assert "crashed" in err, err
    assert name not in model_names(server)
    assert curl(f"{server.url}/v2/health/live").status == 200
