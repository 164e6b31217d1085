"""TFaaS flows with the real curl binary, the way TFaaS's documented clients use the API."""
import json
import tarfile
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from conftest import MODELS, assert_close, assert_json_error, curl, write_tfaas_folder


# --- tfaaspb messages, built at run time from the schema (no generated code) ---------------------------------

def _tfaas_messages():
    fdp = descriptor_pb2.FileDescriptorProto(name="hepml_it_tfaas.proto", package="tfaaspb", syntax="proto3")
    F = descriptor_pb2.FieldDescriptorProto
    row = fdp.message_type.add(name="Row")
    row.field.add(name="key", number=1, type=F.TYPE_STRING, label=F.LABEL_REPEATED)
    row.field.add(name="value", number=2, type=F.TYPE_FLOAT, label=F.LABEL_REPEATED)
    row.field.add(name="model", number=3, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    cls = fdp.message_type.add(name="Class")
    cls.field.add(name="label", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    cls.field.add(name="probability", number=2, type=F.TYPE_FLOAT, label=F.LABEL_OPTIONAL)
    preds = fdp.message_type.add(name="Predictions")
    preds.field.add(name="prediction", number=1, type=F.TYPE_MESSAGE, type_name=".tfaaspb.Class",
                    label=F.LABEL_REPEATED)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return (message_factory.GetMessageClass(pool.FindMessageTypeByName("tfaaspb.Row")),
            message_factory.GetMessageClass(pool.FindMessageTypeByName("tfaaspb.Predictions")))


Row, Predictions = _tfaas_messages()


# --- helpers ----------------------------------------------------------------------------------------------------

def auth(server):
    return ["-H", f"Authorization: Bearer {server.token}"]


def upload_form(server, folder: Path, name: str):
    return curl("-X", "POST", *auth(server), "-F", f"name={name}", "-F", f"params=@{folder / 'params.json'}",
                "-F", f"model=@{folder / 'model.onnx'}", "-F", f"labels=@{folder / 'labels.txt'}",
                f"{server.url}/upload")


def make_bundle(path: Path, source: Path, name: str) -> Path:
    """model.tar.gz holding one top folder `name/` (like `tar cfz name.tar.gz name`)."""
    folder = write_tfaas_folder(path.parent / "bundle-src" / name, source, name=name)
    with tarfile.open(path, "w:gz") as tar:
        tar.add(folder, arcname=name)
    return path


def model_names(server):
    r = curl(f"{server.url}/models")
    assert r.status == 200, r
    listing = r.json()
    assert isinstance(listing, list)
    return {m["name"]: m for m in listing}


def predict_json(server, request: dict, path="/json"):
    return curl("-X", "POST", "-H", "Content-Type: application/json", "-d", json.dumps(request), server.url + path)


def check_labelled(result, expected_row, tolerance, labels=("background", "signal")):
    """`[{"label","probability"}]` sorted by decreasing probability, matching the reference row."""
    assert isinstance(result, list) and len(result) == len(labels), result
    probs = [c["probability"] for c in result]
    assert probs == sorted(probs, reverse=True), f"not sorted by decreasing probability: {result}"
    got = {c["label"]: c["probability"] for c in result}
    assert set(got) == set(labels), result
    assert_close([got[l] for l in labels], expected_row, tolerance, "labelled prediction")


# --- flows ------------------------------------------------------------------------------------------------------

def test_multipart_upload_predict_delete(server, dense42_dir, dense42_ref, tmp_path):
    name = "dense42"
    tol = dense42_ref["tolerance"]
    expected = dense42_ref["outputs"][0]
    request = dense42_ref["tfaas_json_request"]
    assert request["model"] == name

    r = upload_form(server, dense42_dir, name)
    assert r.status == 200, r

    models = model_names(server)
    assert name in models, models
    assert models[name]["state"] == "READY"
    assert models[name]["labels"]

    r = predict_json(server, request)
    assert r.status == 200, r
    assert "content-type: application/json" in r.headers.lower(), r.headers
    check_labelled(r.json(), expected, tol)

    r = predict_json(server, request, path="/predict/json")
    assert r.status == 200, r
    check_labelled(r.json(), expected, tol)

    # the other reference rows too
    for values, want in list(zip(dense42_ref["inputs"], dense42_ref["outputs"]))[1:]:
        r = predict_json(server, {"keys": request["keys"], "values": values, "model": name})
        assert r.status == 200, r
        check_labelled(r.json(), want, tol)

    # /proto: a tfaaspb.Row posted as curl --data-binary sends it (default form content type, like libcurl)
    row = Row(key=request["keys"], value=request["values"], model=name)
    (tmp_path / "row.bin").write_bytes(row.SerializeToString())
    for path in ("/proto", "/predict/proto"):
        r = curl("-X", "POST", "--data-binary", f"@{tmp_path / 'row.bin'}", server.url + path)
        assert r.status == 200, r
        preds = Predictions.FromString(r.body)
        assert len(preds.prediction) == 2, preds
        labels = [c.label for c in preds.prediction]
        probs = [c.probability for c in preds.prediction]
        if all(labels):
            assert sorted(labels) == ["background", "signal"], labels
            got = dict(zip(labels, probs))
            probs = [got["background"], got["signal"]]
        assert_close(probs, expected, tol, "/proto prediction")

    r = curl(f"{server.url}/params/{name}")
    assert r.status == 200, r
    params = r.json()
    assert params["name"] == name
    assert params["model"] == "model.onnx"
    assert params.get("labels") == "labels.txt"

    # default model: POST /params then /json without "model"
    r = curl("-X", "POST", *auth(server), "-H", "Content-Type: application/json", "-d", json.dumps({"name": name}),
             f"{server.url}/params")
    assert r.status == 200, r
    r = predict_json(server, {"keys": request["keys"], "values": request["values"]})
    assert r.status == 200, r
    check_labelled(r.json(), expected, tol)

    r = curl("-X", "DELETE", *auth(server), f"{server.url}/delete/{name}")
    assert r.status == 200, r
    assert name not in model_names(server)
    r = predict_json(server, request)
    assert_json_error(r, statuses=(404,))
    assert_json_error(curl(f"{server.url}/params/{name}"), statuses=(404,))
    r = curl(f"{server.url}/v2/models/{name}")
    assert_json_error(r, statuses=(404,))


def test_tarball_upload_predict_delete(server, dense42_ref, tmp_path):
    name = "dense42_tar"
    bundle = make_bundle(tmp_path / "model.tar.gz", MODELS / "tfaas-dense42", name)
    r = curl("-X", "POST", *auth(server), "-H", "Content-Encoding: gzip", "-H", "Content-Type: application/octet-stream",
             "--data-binary", f"@{bundle}", f"{server.url}/upload")
    assert r.status == 200, r
    assert name in model_names(server)

    request = dict(dense42_ref["tfaas_json_request"], model=name)
    r = predict_json(server, request)
    assert r.status == 200, r
    check_labelled(r.json(), dense42_ref["outputs"][0], dense42_ref["tolerance"])

    # it is also a KServe model now
    r = curl(f"{server.url}/v2/models/{name}/ready")
    assert r.status == 200, r

    r = curl("-X", "DELETE", *auth(server), f"{server.url}/delete?model={name}")
    assert r.status == 200, r
    assert name not in model_names(server)
    assert_json_error(predict_json(server, request), statuses=(404,))


def test_plain_tar_upload(server, dense42_ref, tmp_path):
    """An uncompressed tar (no Content-Encoding) is accepted too."""
    name = "dense42_plain"
    folder = write_tfaas_folder(tmp_path / "src" / name, MODELS / "tfaas-dense42", name=name)
    path = tmp_path / "model.tar"
    with tarfile.open(path, "w") as tar:
        tar.add(folder, arcname=name)
    r = curl("-X", "POST", *auth(server), "-H", "Content-Type: application/octet-stream",
             "--data-binary", f"@{path}", f"{server.url}/upload")
    assert r.status == 200, r
    r = predict_json(server, dict(dense42_ref["tfaas_json_request"], model=name))
    assert r.status == 200, r
    check_labelled(r.json(), dense42_ref["outputs"][0], dense42_ref["tolerance"])
    # the multipart form of DELETE /delete (what tfaas_client.py sends)
    r = curl("-X", "DELETE", *auth(server), "-F", f"model={name}", f"{server.url}/delete")
    assert r.status == 200, r
    assert name not in model_names(server)


def test_image(server, image28_ref):
    png = MODELS / "tfaas-image28" / image28_ref["image"]
    expected = image28_ref["outputs"][0]
    top5 = sorted(((f"class{i}", p) for i, p in enumerate(expected)), key=lambda t: -t[1])[:5]
    for path in ("/image", "/predict/image"):
        r = curl("-X", "POST", "-F", f"image=@{png}", "-F", "model=image28", server.url + path)
        assert r.status == 200, r
        result = r.json()
        assert result["filename"] == "digit.png"
        labels = result["labels"]
        assert len(labels) == 5, labels
        probs = [c["probability"] for c in labels]
        assert probs == sorted(probs, reverse=True), labels
        assert [c["label"] for c in labels] == [l for l, _ in top5], labels
        assert_close(probs, [p for _, p in top5], image28_ref["tolerance"], "/image top-5")


def test_status_and_metrics(server):
    r = curl(f"{server.url}/status")
    assert r.status == 200, r
    status = r.json()
    assert isinstance(status, dict)
    r = curl(f"{server.url}/metrics")
    assert r.status == 200, r
    assert "text/plain" in r.headers.lower()
    assert "# TYPE" in r.text


@pytest.fixture(scope="module")
def pb_server(tmp_path_factory):
    """A server whose repository holds dense42 in its original TFaaS layout (frozen GraphDef model.pb)."""
    import shutil
    from conftest import Server
    root = tmp_path_factory.mktemp("pb")
    folder = root / "repository" / "dense42pb"
    folder.mkdir(parents=True)
    for f in ("params.json", "model.pb", "labels.txt"):
        shutil.copy(MODELS / "tfaas-dense42" / f, folder / f)
    (root / "repository" / "mlp" / "1").mkdir(parents=True)
    shutil.copy(MODELS / "sklearn-mlp" / "model.onnx", root / "repository" / "mlp" / "1" / "model.onnx")
    srv = Server(root / "repository", root / "server.log", wait_path="/v2/health/live")
    yield srv
    srv.stop()


def test_graphdef_model_served_natively(pb_server, dense42_ref):
    """A frozen GraphDef in a TFaaS folder of the repository runs on hepml's native engine."""
    srv = pb_server
    models = model_names(srv)
    assert models["mlp"]["state"] == "READY"
    assert models["dense42pb"]["state"] == "READY", models["dense42pb"]
    assert curl(f"{srv.url}/v2/models/dense42pb/ready").status == 200
    r = predict_json(srv, dict(dense42_ref["tfaas_json_request"], model="dense42pb"))
    assert r.status == 200, r
    check_labelled(r.json(), dense42_ref["outputs"][0], dense42_ref["tolerance"])


def test_graphdef_model_listing_keeps_params(pb_server):
    """/models describes a TFaaS model from its params.json (model.pb, labels, nodes)."""
    entry = model_names(pb_server)["dense42pb"]
    assert entry["model"] == "model.pb", entry
    assert entry["labels"] == "labels.txt", entry
    assert entry["input_node"] == "x" and entry["output_node"] == "Identity", entry


def test_graphdef_params(pb_server):
    """GET /params/NAME returns the params.json on disk."""
    r = curl(f"{pb_server.url}/params/dense42pb")
    assert r.status == 200, r
    assert r.json()["model"] == "model.pb"


def test_base64_model_upload(server, dense42_dir, dense42_ref, tmp_path):
    """tfaas_client.py style: the model part base64-encoded, announced with `Content-Encoding: base64`."""
    import base64
    name = "dense42_b64"
    params = json.loads((dense42_dir / "params.json").read_text())
    params["name"] = name
    (tmp_path / "params.json").write_text(json.dumps(params))
    (tmp_path / "model.onnx").write_bytes(base64.encodebytes((dense42_dir / "model.onnx").read_bytes()))
    r = curl("-X", "POST", *auth(server), "-H", "Content-Encoding: base64", "-F", f"name={name}",
             "-F", f"params=@{tmp_path / 'params.json'}", "-F", f"model=@{tmp_path / 'model.onnx'}",
             "-F", f"labels=@{dense42_dir / 'labels.txt'}", f"{server.url}/upload")
    assert r.status == 200, r
    try:
        r = predict_json(server, dict(dense42_ref["tfaas_json_request"], model=name))
        assert r.status == 200, r
        check_labelled(r.json(), dense42_ref["outputs"][0], dense42_ref["tolerance"])
    finally:
        assert curl("-X", "DELETE", *auth(server), f"{server.url}/delete/{name}").status == 200
