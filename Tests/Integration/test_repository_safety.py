"""Issue 10 items 3-5: files named by model configurations stay inside the model folder, repository changes
do not stall other requests, and client mistakes caught by ONNX Runtime are 400s with clean messages."""
import io
import json
import os
import shutil
import tarfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import requests

from conftest import MODELS, Server, assert_json_error, load_reference

MLP_ONNX = MODELS / "sklearn-mlp" / "model.onnx"
PN_HLT = MODELS / "particlenet-ak4-hlt"


def tar_gz(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        for path, data in entries:
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def upload(server, body: bytes, timeout=120):
    return requests.post(server.url + "/upload", data=body, timeout=timeout,
                         headers={**server.auth(), "Content-Type": "application/octet-stream"})


def mlp_infer_body():
    ref = load_reference("sklearn-mlp")
    return {"inputs": ref["inputs"]}


# --- item 3: confinement -------------------------------------------------------------------------------

def traversal_config(target: Path) -> bytes:
    rel = "../" * 12 + str(target).lstrip("/")
    return (f'name: "evil"\nplatform: "onnxruntime_onnx"\ndefault_model_filename: "{rel}"\n').encode()


@pytest.mark.parametrize("target_exists", [True, False])
def test_traversal_default_model_filename_refused(server, tmp_path, target_exists):
    """`default_model_filename: "../../../../tmp/x/evil.onnx"` in an uploaded tarball: refused with 400, with
    the same message whether the target exists or not, and the message names no server path."""
    target = tmp_path / "x" / "evil.onnx"
    target.parent.mkdir()
    if target_exists:
        shutil.copy(MLP_ONNX, target)
    body = tar_gz([("evil/config.pbtxt", traversal_config(target)), ("evil/1/placeholder.txt", b"x")])
    r = upload(server, body)
    message = assert_json_error(r, statuses=[400])
    assert "default_model_filename" in message
    assert str(tmp_path) not in message and "evil.onnx" not in message
    assert "does not exist" not in message and "No such file" not in message
    assert requests.get(server.url + "/v2/models/evil", timeout=10).status_code == 404


def test_traversal_message_identical_for_existing_and_missing_target(server, tmp_path):
    messages = []
    for exists in (True, False):
        target = tmp_path / f"t{exists}" / "evil.onnx"
        target.parent.mkdir()
        if exists:
            shutil.copy(MLP_ONNX, target)
        r = upload(server, tar_gz([("evil/config.pbtxt", traversal_config(target)), ("evil/1/a.txt", b"x")]))
        messages.append(assert_json_error(r, statuses=[400]))
    assert messages[0] == messages[1]


def test_tfaas_params_model_outside_folder_refused(server, tmp_path):
    params = {"name": "evilparams", "model": "../../../../../../../../" + str(tmp_path / "evil.onnx").lstrip("/")}
    shutil.copy(MLP_ONNX, tmp_path / "evil.onnx")
    r = upload(server, tar_gz([("evilparams/params.json", json.dumps(params).encode())]))
    message = assert_json_error(r, statuses=[400])
    assert str(tmp_path) not in message


@pytest.fixture(scope="module")
def symlink_server(tmp_path_factory):
    """A repository on disk whose folders hold symbolic links out of the model folder."""
    root = tmp_path_factory.mktemp("symlinks")
    outside = root / "outside"
    outside.mkdir()
    shutil.copy(MLP_ONNX, outside / "model.onnx")
    (outside / "labels.txt").write_text("secret-label-a\nsecret-label-b\n")
    repo = root / "repository"
    (repo / "linked" / "1").mkdir(parents=True)
    os.symlink(outside / "model.onnx", repo / "linked" / "1" / "model.onnx")
    (repo / "linkedversion").mkdir(parents=True)
    os.symlink(outside, repo / "linkedversion" / "1")
    (repo / "dangling" / "1").mkdir(parents=True)
    os.symlink(root / "missing" / "model.onnx", repo / "dangling" / "1" / "model.onnx")
    (repo / "labelled" / "1").mkdir(parents=True)
    shutil.copy(MLP_ONNX, repo / "labelled" / "1" / "model.onnx")
    os.symlink(outside / "labels.txt", repo / "labelled" / "labels.txt")
    (repo / "labelled" / "config.pbtxt").write_text(
        'platform: "onnxruntime_onnx"\nmax_batch_size: 0\n'
        'input [{ name: "X" data_type: TYPE_FP32 dims: [-1, 12] }]\n'
        'output [{ name: "probabilities" data_type: TYPE_FP32 dims: [-1, 2] label_filename: "labels.txt" }]\n')
    (repo / "ok" / "1").mkdir(parents=True)
    shutil.copy(MLP_ONNX, repo / "ok" / "1" / "model.onnx")
    srv = Server(repo, root / "server.log", wait_path="/v2/models/ok/ready")
    yield srv, root
    srv.stop()


@pytest.mark.parametrize("model", ["linked", "linkedversion", "dangling", "labelled"])
def test_symlinks_out_of_model_folder_not_served(symlink_server, model):
    srv, root = symlink_server
    r = requests.get(f"{srv.url}/v2/models/{model}", timeout=10)
    assert r.status_code in (404, 503), r.text
    index = requests.post(srv.url + "/v2/repository/index", timeout=10).json()
    entry = next(e for e in index if e["name"] == model)
    assert entry["state"] == "UNAVAILABLE"
    assert str(root) not in entry["reason"]
    assert "is not a file inside the model folder" in entry["reason"], entry


# --- item 5: status codes --------------------------------------------------------------------------------

def test_upload_file_and_folder_with_same_path_is_400(server):
    mlp = MLP_ONNX.read_bytes()
    r = upload(server, tar_gz([("clash/1/model.onnx", mlp), ("clash/1/model.onnx/x", b"x")]))
    message = assert_json_error(r, statuses=[400])
    assert "both a file and a folder" in message


@pytest.fixture(scope="module")
def particlenet_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("pnhlt")
    repo = root / "repository"
    (repo / "pn_hlt" / "1").mkdir(parents=True)
    shutil.copy(PN_HLT / "model.onnx", repo / "pn_hlt" / "1" / "model.onnx")
    srv = Server(repo, root / "server.log")
    yield srv
    srv.stop()


def particlenet_request(n_pf: int, n_sv: int, n_pf_features: int | None = None):
    ref = json.loads((PN_HLT / "reference.json").read_text())
    inputs = []
    for i in ref["inputs"]:
        channels = i["shape"][1]
        n = n_pf if i["name"].startswith("pf") else n_sv
        if i["name"] == "pf_features" and n_pf_features is not None:
            n = n_pf_features
        inputs.append({"name": i["name"], "datatype": "FP32", "shape": [1, channels, n],
                       "data": np.random.default_rng(1).normal(size=channels * n).round(3).tolist()})
    return {"inputs": inputs}


def test_particlenet_three_particles_is_400(particlenet_server):
    """TopK with k larger than the particle count: ONNX Runtime refuses the input → 400, no source paths."""
    r = requests.post(particlenet_server.url + "/v2/models/pn_hlt/infer", json=particlenet_request(3, 3), timeout=60)
    message = assert_json_error(r, statuses=[400])
    assert "TopK" in message and "k argument" in message, message
    assert "onnxruntime_src" not in message and ".cc:" not in message and ".h:" not in message


def test_particlenet_inconsistent_lengths_is_400(particlenet_server):
    r = requests.post(particlenet_server.url + "/v2/models/pn_hlt/infer", json=particlenet_request(40, 5, 45), timeout=60)
    message = assert_json_error(r, statuses=[400])
    assert "onnxruntime_src" not in message and "onnxruntime::" not in message and ".h:" not in message, message
    assert "broadcast" in message, message


def test_particlenet_valid_request_still_200(particlenet_server):
    ref = json.loads((PN_HLT / "reference.json").read_text())
    r = requests.post(particlenet_server.url + "/v2/models/pn_hlt/infer", json={"inputs": ref["inputs"]}, timeout=60)
    assert r.status_code == 200, r.text
    got = np.asarray(r.json()["outputs"][0]["data"], dtype=np.float64)
    want = np.asarray(ref["outputs"][0]["data"], dtype=np.float64)
    np.testing.assert_allclose(got, want, rtol=ref["tolerance"]["rel"], atol=ref["tolerance"]["abs"])


# --- item 4: repository lock ----------------------------------------------------------------------------

def test_30k_file_upload_and_load_do_not_stall_health_or_inference(server):
    """A 30,000-file tarball upload and a `load` of particlenet_AK4 at the same time: /v2/health/live keeps answering within
    100 ms and inference on another model keeps succeeding."""
    entries = [("bulk30k/1/model.onnx", MLP_ONNX.read_bytes())]
    entries += [(f"bulk30k/extra/f{i:05d}.txt", b"%d" % i) for i in range(30000)]
    body = tar_gz(entries)
    results: dict = {}

    def do_upload():
        results["upload"] = upload(server, body, timeout=600)

    def do_load():
        time.sleep(0.2)
        results["load"] = requests.post(server.url + "/v2/repository/models/particlenet_AK4/load", headers=server.auth(), timeout=600)

    threads = [threading.Thread(target=do_upload), threading.Thread(target=do_load)]
    for t in threads:
        t.start()
    health, infers = [], []
    session = requests.Session()
    while any(t.is_alive() for t in threads):
        t0 = time.monotonic()
        assert session.get(server.url + "/v2/health/live", timeout=30).status_code == 200
        health.append(time.monotonic() - t0)
        t0 = time.monotonic()
        r = session.post(server.url + "/v2/models/mlp/infer", json=mlp_infer_body(), timeout=30)
        infers.append((r.status_code, time.monotonic() - t0))
        time.sleep(0.02)
    for t in threads:
        t.join()
    print(f"health: {len(health)} probes, max {max(health) * 1000:.1f} ms; inference: {len(infers)} requests")
    try:
        assert results["upload"].status_code == 200, results["upload"].text
        assert results["load"].status_code == 200, results["load"].text
        assert len(health) >= 5, "the upload finished before the probes could run"
        # The machine is shared (2 cores): a probe may be descheduled for a moment, so the rule is that at
        # most 1 % of the probes take more than 100 ms and none takes a second (the stall was 13 s).
        slow = [t for t in health if t > 0.100]
        assert len(slow) <= len(health) // 100, f"{len(slow)} of {len(health)} health probes over 100 ms: {sorted(health)[-10:]}"
        assert max(health) < 1.0, f"health stalled {max(health):.2f} s"
        assert all(code == 200 for code, _ in infers), infers
    finally:
        requests.delete(server.url + "/delete/bulk30k", headers=server.auth(), timeout=120)
