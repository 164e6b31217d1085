"""The real Triton HTTP client (tritonclient.http) against `hepml serve`."""
import numpy as np
import pytest
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException, triton_to_np_dtype

from conftest import assert_close

PN = "particlenet_AK4"


@pytest.fixture(scope="module")
def client(server):
    c = httpclient.InferenceServerClient(server.hostport, network_timeout=60.0)
    yield c
    c.close()


def make_inputs(ref: dict, binary: bool):
    inputs = []
    for spec in ref["inputs"]:
        arr = np.asarray(spec["data"], dtype=triton_to_np_dtype(spec["datatype"])).reshape(spec["shape"])
        inp = httpclient.InferInput(spec["name"], list(arr.shape), spec["datatype"])
        inp.set_data_from_numpy(arr, binary_data=binary)
        inputs.append(inp)
    return inputs


def check_outputs(result, ref: dict, model: str):
    for spec in ref["outputs"]:
        got = result.as_numpy(spec["name"])
        assert got is not None, f"{model}: output {spec['name']} missing"
        assert list(got.shape) == spec["shape"], f"{model}: {spec['name']} shape {got.shape}"
        out = result.get_output(spec["name"])
        assert out["datatype"] == spec["datatype"]
        if spec["datatype"].startswith(("INT", "UINT", "BOOL")):
            assert got.ravel().tolist() == spec["data"], f"{model}: {spec['name']}"
        else:
            assert_close(got, spec["data"], ref["tolerance"], f"{model}: {spec['name']}")


def test_server_live_and_ready(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    meta = client.get_server_metadata()
    assert "binary_tensor_data" in meta["extensions"]


def test_model_ready(client):
    assert client.is_model_ready(PN)
    assert client.is_model_ready(PN, "1")
    assert client.is_model_ready("mlp")
    assert not client.is_model_ready("no_such_model")
    assert not client.is_model_ready(PN, "7")


def test_model_metadata(client, particlenet_ref):
    meta = client.get_model_metadata(PN)
    assert meta["name"] == PN
    assert meta["versions"] == ["1"]
    inputs = {i["name"]: i for i in meta["inputs"]}
    assert list(inputs) == [i["name"] for i in particlenet_ref["inputs"]]
    for i in particlenet_ref["inputs"]:
        assert inputs[i["name"]]["datatype"] == "FP32"
        # batch dim (-1, max_batch_size > 0) + config dims
        assert len(inputs[i["name"]]["shape"]) == len(i["shape"])
        assert inputs[i["name"]]["shape"][1] == i["shape"][1]
    assert [(o["name"], o["datatype"], o["shape"]) for o in meta["outputs"]] == [("softmax", "FP32", [-1, 8])]
    assert client.get_model_metadata(PN, "1")["name"] == PN


def test_model_config(client):
    cfg = client.get_model_config(PN)
    assert cfg["name"] == PN
    assert cfg["max_batch_size"] == 500
    assert cfg["platform"] == "onnxruntime_onnx"
    assert [i["name"] for i in cfg["input"]] == ["pf_points", "pf_features", "pf_mask", "sv_points", "sv_features", "sv_mask"]
    assert cfg["output"][0]["dims"] == [8]
    agents = cfg["model_repository_agents"]["agents"]
    checksum = [a for a in agents if a["name"] == "checksum"]
    assert checksum, cfg["model_repository_agents"]
    assert checksum[0]["parameters"] == {"MD5:1/model.onnx": "bfca43d9c9694c2af49f1b596cfe5da0"}


def test_repository_index(client):
    index = client.get_model_repository_index()
    by_name = {m["name"]: m for m in index}
    for m in (PN, "mlp", "image28"):
        assert m in by_name, index
        assert by_name[m]["state"] == "READY"
        assert by_name[m]["version"] == "1"


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
def test_infer_particlenet(client, particlenet_ref, binary):
    inputs = make_inputs(particlenet_ref, binary)
    outputs = [httpclient.InferRequestedOutput("softmax", binary_data=binary)]
    result = client.infer(PN, inputs, outputs=outputs, request_id=f"req-{binary}")
    resp = result.get_response()
    assert resp["id"] == f"req-{binary}"
    assert resp["model_name"] == PN
    assert resp["model_version"] == "1"
    check_outputs(result, particlenet_ref, PN)


def test_infer_particlenet_default_outputs(client, particlenet_ref):
    """No outputs named: the client asks for binary_data_output and gets every output."""
    result = client.infer(PN, make_inputs(particlenet_ref, True), model_version="1")
    check_outputs(result, particlenet_ref, PN)


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "json"])
def test_infer_mlp(client, mlp_ref, binary):
    outputs = [httpclient.InferRequestedOutput(o["name"], binary_data=binary) for o in mlp_ref["outputs"]]
    result = client.infer("mlp", make_inputs(mlp_ref, binary), outputs=outputs, request_id="mlp-1")
    assert result.get_response()["id"] == "mlp-1"
    check_outputs(result, mlp_ref, "mlp")


def test_infer_mlp_one_output(client, mlp_ref):
    outputs = [httpclient.InferRequestedOutput("probabilities")]
    result = client.infer("mlp", make_inputs(mlp_ref, True), outputs=outputs)
    assert [o["name"] for o in result.get_response()["outputs"]] == ["probabilities"]
    assert result.as_numpy("label") is None
    spec = mlp_ref["outputs"][1]
    assert_close(result.as_numpy("probabilities"), spec["data"], mlp_ref["tolerance"], "mlp probabilities")


def test_infer_unknown_model(client, mlp_ref):
    with pytest.raises(InferenceServerException) as e:
        client.infer("no_such_model", make_inputs(mlp_ref, True))
    assert e.value.status() == "404"
    assert "no_such_model" in e.value.message() or "not found" in e.value.message().lower()


def test_metadata_unknown_model(client):
    with pytest.raises(InferenceServerException) as e:
        client.get_model_metadata("no_such_model")
    assert e.value.status() == "404"


def test_infer_particlenet_single_jet(client, particlenet_ref):
    """Batch of one (the first jet of the reference batch) gives the first reference row."""
    ref = {"inputs": [], "outputs": [], "tolerance": particlenet_ref["tolerance"]}
    for spec in particlenet_ref["inputs"]:
        arr = np.asarray(spec["data"], dtype=np.float32).reshape(spec["shape"])[:1]
        ref["inputs"].append(dict(spec, shape=list(arr.shape), data=arr.ravel().tolist()))
    out = particlenet_ref["outputs"][0]
    ref["outputs"].append(dict(out, shape=[1, 8], data=out["data"][:8]))
    check_outputs(client.infer(PN, make_inputs(ref, True)), ref, PN)


def test_infer_particlenet_batch_over_max(client, particlenet_ref):
    """max_batch_size is 500: a batch of 501 is refused with a 400."""
    inputs = []
    for spec in particlenet_ref["inputs"]:
        arr = np.asarray(spec["data"], dtype=np.float32).reshape(spec["shape"])[:1]
        arr = np.repeat(arr, 501, axis=0)
        inp = httpclient.InferInput(spec["name"], list(arr.shape), "FP32")
        inp.set_data_from_numpy(arr)
        inputs.append(inp)
    with pytest.raises(InferenceServerException) as e:
        client.infer(PN, inputs)
    assert e.value.status() == "400", e.value


@pytest.mark.parametrize("algorithm", ["gzip", "deflate"])
def test_infer_compressed(client, mlp_ref, algorithm):
    """tritonclient's request/response compression (SONIC's `compression` option)."""
    result = client.infer("mlp", make_inputs(mlp_ref, True), request_compression_algorithm=algorithm,
                          response_compression_algorithm=algorithm)
    check_outputs(result, mlp_ref, "mlp")


def test_infer_response_compression_only(client, mlp_ref):
    result = client.infer("mlp", make_inputs(mlp_ref, True), response_compression_algorithm="gzip")
    check_outputs(result, mlp_ref, "mlp")


def test_unload_and_load(server, client, particlenet_ref):
    """Repository extension through tritonclient, with the bearer token."""
    auth = {"Authorization": f"Bearer {server.token}"}
    with pytest.raises(InferenceServerException):
        client.unload_model(PN)                      # no token
    assert client.is_model_ready(PN)
    client.unload_model(PN, headers=auth)
    try:
        assert not client.is_model_ready(PN)
        index = {m["name"]: m for m in client.get_model_repository_index()}
        assert index[PN]["state"] != "READY"
        with pytest.raises(InferenceServerException):
            client.infer(PN, make_inputs(particlenet_ref, True))
    finally:
        client.load_model(PN, headers=auth)
    assert client.is_model_ready(PN)
    check_outputs(client.infer(PN, make_inputs(particlenet_ref, True)), particlenet_ref, PN)
    # the config is still the echoed config.pbtxt
    assert client.get_model_config(PN)["max_batch_size"] == 500
