"""TensorFlow frozen graphs (`model.pb`) uploaded the TFaaS way run on hepml's native engine: /json, /proto,
/image and /v2 give TensorFlow's reference outputs (reference.json, made by TensorFlow itself)."""
import json
import shutil
import tarfile
from pathlib import Path

from conftest import MODELS, assert_close, assert_json_error, curl
from test_tfaas_curl import Predictions, Row, auth, check_labelled, model_names, predict_json


def pb_folder(dest: Path, model: str, name: str) -> Path:
    """A TFaaS folder with the frozen graph exactly as shipped (params.json says model.pb)."""
    src = MODELS / model
    dest.mkdir(parents=True, exist_ok=True)
    params = json.loads((src / "params.json").read_text())
    params["name"] = name
    assert params["model"] == "model.pb"
    (dest / "params.json").write_text(json.dumps(params))
    for f in ("model.pb", "labels.txt"):
        shutil.copy(src / f, dest / f)
    return dest


def upload_multipart(server, folder: Path, name: str):
    return curl("-X", "POST", *auth(server), "-F", f"name={name}", "-F", f"params=@{folder / 'params.json'}",
                "-F", f"model=@{folder / 'model.pb'}", "-F", f"labels=@{folder / 'labels.txt'}", f"{server.url}/upload")


def test_pb_multipart_upload_json_proto_v2(server, dense42_ref, tmp_path):
    name = "dense42_pb"
    tol = dense42_ref["tolerance"]
    request = dict(dense42_ref["tfaas_json_request"], model=name)
    r = upload_multipart(server, pb_folder(tmp_path / name, "tfaas-dense42", name), name)
    assert r.status == 200, r
    try:
        assert model_names(server)[name]["state"] == "READY"
        for values, want in zip(dense42_ref["inputs"], dense42_ref["outputs"]):
            r = predict_json(server, {"keys": request["keys"], "values": values, "model": name})
            assert r.status == 200, r
            check_labelled(r.json(), want, tol)

        row = Row(key=request["keys"], value=request["values"], model=name)
        (tmp_path / "row.bin").write_bytes(row.SerializeToString())
        r = curl("-X", "POST", "--data-binary", f"@{tmp_path / 'row.bin'}", server.url + "/proto")
        assert r.status == 200, r
        got = {c.label: c.probability for c in Predictions.FromString(r.body).prediction}
        assert_close([got["background"], got["signal"]], dense42_ref["outputs"][0], tol, "/proto on model.pb")

        # KServe v2: metadata from the graph (input x [-1, 42], output Identity), the whole batch in one call.
        r = curl(f"{server.url}/v2/models/{name}")
        assert r.status == 200, r
        meta = r.json()
        assert meta["inputs"][0]["name"] == "x" and meta["inputs"][0]["shape"] == [-1, 42], meta
        assert meta["outputs"][0]["name"] == "Identity", meta
        body = {"inputs": [{"name": "x", "datatype": "FP32", "shape": [len(dense42_ref["inputs"]), 42],
                            "data": [v for row in dense42_ref["inputs"] for v in row]}]}
        r = curl("-X", "POST", "-H", "Content-Type: application/json", "-d", json.dumps(body),
                 f"{server.url}/v2/models/{name}/infer")
        assert r.status == 200, r
        out = r.json()["outputs"][0]
        assert out["name"] == "Identity" and out["shape"] == [5, 2], out
        assert_close(out["data"], [v for row in dense42_ref["outputs"] for v in row], tol, "/v2 infer on model.pb")
    finally:
        assert curl("-X", "DELETE", *auth(server), f"{server.url}/delete/{name}").status == 200
    assert name not in model_names(server)


def test_pb_tarball_upload(server, dense42_ref, tmp_path):
    name = "dense42_pbtar"
    folder = pb_folder(tmp_path / "src" / name, "tfaas-dense42", name)
    bundle = tmp_path / "model.tar.gz"
    with tarfile.open(bundle, "w:gz") as tar:
        tar.add(folder, arcname=name)
    r = curl("-X", "POST", *auth(server), "-H", "Content-Encoding: gzip", "-H", "Content-Type: application/octet-stream",
             "--data-binary", f"@{bundle}", f"{server.url}/upload")
    assert r.status == 200, r
    try:
        r = predict_json(server, dict(dense42_ref["tfaas_json_request"], model=name))
        assert r.status == 200, r
        check_labelled(r.json(), dense42_ref["outputs"][0], dense42_ref["tolerance"])
        assert curl(f"{server.url}/v2/models/{name}/ready").status == 200
    finally:
        assert curl("-X", "DELETE", *auth(server), f"{server.url}/delete/{name}").status == 200


def test_pb_image_upload(server, image28_ref, tmp_path):
    name = "image28_pb"
    r = upload_multipart(server, pb_folder(tmp_path / name, "tfaas-image28", name), name)
    assert r.status == 200, r
    try:
        png = MODELS / "tfaas-image28" / image28_ref["image"]
        expected = image28_ref["outputs"][0]
        top5 = sorted(((f"class{i}", p) for i, p in enumerate(expected)), key=lambda t: -t[1])[:5]
        r = curl("-X", "POST", "-F", f"image=@{png}", "-F", f"model={name}", server.url + "/image")
        assert r.status == 200, r
        labels = r.json()["labels"]
        assert [c["label"] for c in labels] == [l for l, _ in top5], labels
        assert_close([c["probability"] for c in labels], [p for _, p in top5], image28_ref["tolerance"], "/image on model.pb")
    finally:
        assert curl("-X", "DELETE", *auth(server), f"{server.url}/delete/{name}").status == 200


def test_pb_with_unknown_op_is_refused(server, tmp_path):
    """A GraphDef the engine cannot run is refused at upload with the op named, and nothing is installed."""
    name = "broken_pb"
    folder = pb_folder(tmp_path / name, "tfaas-dense42", name)
    data = (folder / "model.pb").read_bytes()
    assert data.count(b"Softmax") >= 1
    (folder / "model.pb").write_bytes(data.replace(b"\x12\x07Softmax", b"\x12\x07Softmix"))
    r = upload_multipart(server, folder, name)
    err = assert_json_error(r, statuses=(400, 422, 501, 503))
    assert "Softmix" in err, err
    assert name not in model_names(server)
