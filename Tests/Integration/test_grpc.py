"""The real Triton gRPC client (tritonclient.grpc) against `hepml serve --grpc-port`: health, metadata,
configuration, inference on every shared ONNX model and the triton-repository model (answers equal to the
REST ones), streaming, repository load/unload with and without the token, statistics, and dynamic batching."""
import json
import queue
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import numpy as np
import pytest
import requests
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.grpc import service_pb2, service_pb2_grpc
from tritonclient.utils import InferenceServerException, triton_to_np_dtype

from conftest import MODELS, TOKEN, TRITON_REPO, Server, assert_close, load_reference, write_tfaas_folder

PN = "particlenet_AK4"
ONNX_MODELS = ["deepdoublex-bvl", "deepjet-run3", "particlenet-ak4-hlt", "particlenet-ak4-sonic", "sklearn-gbdt",
               "sklearn-mlp", "xgboost-bdt", "tfaas-dense42"]
AUTH = {"authorization": f"Bearer {TOKEN}"}
MLP_BATCHED_CONFIG = """name: "{name}"
platform: "onnxruntime_onnx"
max_batch_size: 64
input [{{ name: "X" data_type: TYPE_FP32 dims: [12] }}]
output [{{ name: "label" data_type: TYPE_INT64 dims: [] }}, {{ name: "probabilities" data_type: TYPE_FP32 dims: [2] }}]
dynamic_batching {{ max_queue_delay_microseconds: {delay} {policy} }}
instance_group [{{ count: 1 kind: KIND_CPU }}]
"""


@pytest.fixture(scope="module")
def grpc_server(tmp_path_factory):
    """Every shared ONNX model (bare version folders), the triton-repository model, and four configured
    copies of sklearn-mlp: `mlp_batched` (dynamic batching, 2 ms delay), `mlp_single` (no batching),
    `mlp_tinyqueue` (a queue of 2 and a 0.5 s delay) and `mlp_slowqueue` (a 3 s delay)."""
    root = tmp_path_factory.mktemp("hepml-grpc")
    repo = root / "repository"
    repo.mkdir()
    shutil.copytree(TRITON_REPO / PN, repo / PN)
    for m in ONNX_MODELS:
        (repo / m / "1").mkdir(parents=True)
        shutil.copy(MODELS / m / "model.onnx", repo / m / "1" / "model.onnx")
    for name, delay, policy in [("mlp_batched", 2000, ""), ("mlp_tinyqueue", 500000, "default_queue_policy { max_queue_size: 2 }"),
                                ("mlp_slowqueue", 3000000, "")]:
        (repo / name / "1").mkdir(parents=True)
        shutil.copy(MODELS / "sklearn-mlp" / "model.onnx", repo / name / "1" / "model.onnx")
        (repo / name / "config.pbtxt").write_text(MLP_BATCHED_CONFIG.format(name=name, delay=delay, policy=policy))
    (repo / "mlp_single" / "1").mkdir(parents=True)
    shutil.copy(MODELS / "sklearn-mlp" / "model.onnx", repo / "mlp_single" / "1" / "model.onnx")
    write_tfaas_folder(repo / "image28", MODELS / "tfaas-image28")
    srv = Server(repo, root / "server.log", grpc=True)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def client(grpc_server):
    c = grpcclient.InferenceServerClient(grpc_server.grpc_hostport)
    yield c
    c.close()


@pytest.fixture(scope="module")
def rest(grpc_server):
    c = httpclient.InferenceServerClient(grpc_server.hostport, network_timeout=60.0)
    yield c
    c.close()


def reference(model: str) -> dict:
    """The KServe-shaped reference (dense42's TFaaS rows become an input named after the model's input)."""
    ref = load_reference(model)
    if model == "tfaas-dense42":
        rows = np.asarray(ref["inputs"], dtype=np.float32)
        outs = np.asarray(ref["outputs"], dtype=np.float32)
        return {"inputs": [{"name": None, "datatype": "FP32", "shape": list(rows.shape), "data": rows.ravel().tolist()}],
                "outputs": [{"name": None, "datatype": "FP32", "shape": list(outs.shape), "data": outs.ravel().tolist()}],
                "tolerance": ref.get("tolerance", {"abs": 1e-5, "rel": 1e-4})}
    return ref


def arrays(ref: dict, names: list[str] | None = None) -> list[tuple[str, str, np.ndarray]]:
    out = []
    for k, spec in enumerate(ref["inputs"]):
        arr = np.asarray(spec["data"], dtype=triton_to_np_dtype(spec["datatype"])).reshape(spec["shape"])
        out.append((spec["name"] or names[k], spec["datatype"], arr))
    return out


def grpc_inputs(items):
    inputs = []
    for name, dt, arr in items:
        i = grpcclient.InferInput(name, list(arr.shape), dt)
        i.set_data_from_numpy(arr)
        inputs.append(i)
    return inputs


def rest_inputs(items):
    inputs = []
    for name, dt, arr in items:
        i = httpclient.InferInput(name, list(arr.shape), dt)
        i.set_data_from_numpy(arr, binary_data=True)
        inputs.append(i)
    return inputs


def test_live_ready_and_server_metadata(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    meta = client.get_server_metadata()
    assert meta.name == "hepml"
    assert "model_repository" in meta.extensions and "statistics" in meta.extensions


def test_model_ready(client):
    assert client.is_model_ready(PN)
    assert client.is_model_ready(PN, "1")
    assert client.is_model_ready("sklearn-mlp")
    assert not client.is_model_ready("no_such_model")
    assert not client.is_model_ready(PN, "7")


def test_model_metadata_equals_rest(client, rest):
    for model in [PN, "sklearn-mlp", "deepjet-run3", "image28"]:
        g = client.get_model_metadata(model, as_json=True)
        r = rest.get_model_metadata(model)
        assert g["name"] == r["name"] == model
        assert g["versions"] == r["versions"]
        assert g["platform"] == r["platform"]
        for kind in ("inputs", "outputs"):
            assert [(t["name"], t["datatype"], [int(d) for d in t["shape"]]) for t in g[kind]] == \
                   [(t["name"], t["datatype"], t["shape"]) for t in r[kind]], f"{model} {kind}"


def test_model_config(client, rest):
    cfg = client.get_model_config(PN, as_json=True)["config"]
    assert cfg["name"] == PN
    assert int(cfg["max_batch_size"]) == 500
    assert cfg["platform"] == "onnxruntime_onnx"
    assert [i["name"] for i in cfg["input"]] == ["pf_points", "pf_features", "pf_mask", "sv_points", "sv_features", "sv_mask"]
    checksum = [a for a in cfg["model_repository_agents"]["agents"] if a["name"] == "checksum"]
    assert checksum[0]["parameters"] == {"MD5:1/model.onnx": "bfca43d9c9694c2af49f1b596cfe5da0"}
    assert rest.get_model_config(PN)["max_batch_size"] == 500
    batched = client.get_model_config("mlp_batched").config
    assert batched.dynamic_batching.max_queue_delay_microseconds == 2000
    assert batched.instance_group[0].count == 1


def test_repository_index(client):
    index = {m.name: m for m in client.get_model_repository_index().models}
    for m in [PN, "image28", *ONNX_MODELS]:
        assert index[m].state == "READY", index[m]
        assert index[m].version == "1"


@pytest.mark.parametrize("model", ONNX_MODELS + [PN])
def test_infer_equals_reference_and_rest(client, rest, model):
    ref = reference("particlenet-ak4-sonic" if model == PN else model)
    meta = client.get_model_metadata(model, as_json=True)
    items = arrays(ref, [i["name"] for i in meta["inputs"]])
    result = client.infer(model, grpc_inputs(items), request_id=f"id-{model}")
    response = result.get_response()
    assert response.id == f"id-{model}"
    assert response.model_name == model and response.model_version == "1"
    rest_result = rest.infer(model, rest_inputs(items))
    out_names = [o["name"] for o in meta["outputs"]]
    for k, spec in enumerate(ref["outputs"]):
        name = spec["name"] or out_names[k]
        got = result.as_numpy(name)
        assert got is not None, f"{model}: output {name} missing"
        assert list(got.shape) == spec["shape"]
        if spec["datatype"].startswith(("INT", "UINT", "BOOL")):
            assert got.ravel().tolist() == spec["data"], f"{model}: {name}"
        else:
            assert_close(got, spec["data"], ref["tolerance"], f"{model}: {name}")
        np.testing.assert_array_equal(got, rest_result.as_numpy(name), err_msg=f"{model}: gRPC and REST answers differ")


def test_infer_typed_contents(grpc_server):
    """Inputs in typed `contents` (fp32_contents) instead of raw bytes; outputs still come back raw."""
    ref = load_reference("sklearn-mlp")
    spec = ref["inputs"][0]
    with grpc.insecure_channel(grpc_server.grpc_hostport) as channel:
        stub = service_pb2_grpc.GRPCInferenceServiceStub(channel)
        req = service_pb2.ModelInferRequest(model_name="sklearn-mlp", id="typed")
        tensor = req.inputs.add(name=spec["name"], datatype="FP32", shape=spec["shape"])
        tensor.contents.fp32_contents.extend(spec["data"])
        resp = stub.ModelInfer(req)
    assert resp.id == "typed"
    by_name = {o.name: (o, raw) for o, raw in zip(resp.outputs, resp.raw_output_contents)}
    label, raw = by_name["label"]
    assert label.datatype == "INT64" and list(label.shape) == ref["outputs"][0]["shape"]
    assert np.frombuffer(raw, dtype=np.int64).tolist() == ref["outputs"][0]["data"]
    probs, raw = by_name["probabilities"]
    assert_close(np.frombuffer(raw, dtype=np.float32), ref["outputs"][1]["data"], ref["tolerance"], "probabilities")


def test_infer_requested_output_and_compression(client):
    ref = load_reference("sklearn-mlp")
    outputs = [grpcclient.InferRequestedOutput("probabilities")]
    result = client.infer("sklearn-mlp", grpc_inputs(arrays(ref)), outputs=outputs, compression_algorithm="gzip")
    assert [o.name for o in result.get_response().outputs] == ["probabilities"]
    assert_close(result.as_numpy("probabilities"), ref["outputs"][1]["data"], ref["tolerance"], "probabilities")


def test_errors_carry_grpc_status(client):
    ref = load_reference("sklearn-mlp")
    with pytest.raises(InferenceServerException) as e:
        client.infer("no_such_model", grpc_inputs(arrays(ref)))
    assert e.value.status() == "StatusCode.NOT_FOUND"
    assert "no_such_model" in e.value.message()
    bad = np.zeros((2, 11), dtype=np.float32)
    with pytest.raises(InferenceServerException) as e:
        client.infer("sklearn-mlp", grpc_inputs([("X", "FP32", bad)]))
    assert e.value.status() == "StatusCode.INVALID_ARGUMENT"
    assert "shape" in e.value.message()
    with pytest.raises(InferenceServerException) as e:
        client.get_model_metadata("no_such_model")
    assert e.value.status() == "StatusCode.NOT_FOUND"
    with pytest.raises(InferenceServerException) as e:
        client.get_system_shared_memory_status()
    assert e.value.status() == "StatusCode.UNIMPLEMENTED"


def test_stream_infer_answers_in_order(client):
    """async_stream_infer: 24 requests on one stream (some bad), the answers come back in request order and
    a failed request does not end the stream."""
    ref = load_reference("sklearn-mlp")
    x = arrays(ref)[0][2]
    answers: queue.Queue = queue.Queue()
    client.start_stream(callback=lambda result, error: answers.put((result, error)))
    try:
        for k in range(24):
            rows = x[k % 6:k % 6 + 1] if k % 8 != 5 else np.zeros((1, 11), dtype=np.float32)
            client.async_stream_infer("sklearn-mlp", grpc_inputs([("X", "FP32", rows)]), request_id=f"s{k}")
        got = [answers.get(timeout=60) for _ in range(24)]
    finally:
        client.stop_stream()
    for k, (result, error) in enumerate(got):
        if k % 8 == 5:
            assert result is None and error is not None and "shape" in error.message(), (k, error)
            continue
        assert error is None, (k, error)
        assert result.get_response().id == f"s{k}"
        assert_close(result.as_numpy("probabilities"), ref["outputs"][1]["data"][2 * (k % 6):2 * (k % 6) + 2],
                     ref["tolerance"], f"stream answer {k}")


def test_unload_and_load_need_the_token(client):
    with pytest.raises(InferenceServerException) as e:
        client.unload_model("sklearn-gbdt")
    assert e.value.status() == "StatusCode.UNAUTHENTICATED"
    with pytest.raises(InferenceServerException) as e:
        client.unload_model("sklearn-gbdt", headers={"authorization": "Bearer wrong"})
    assert e.value.status() == "StatusCode.UNAUTHENTICATED"
    assert client.is_model_ready("sklearn-gbdt")
    client.unload_model("sklearn-gbdt", headers=AUTH)
    try:
        assert not client.is_model_ready("sklearn-gbdt")
        index = {m.name: m for m in client.get_model_repository_index().models}
        assert index["sklearn-gbdt"].state != "READY"
        with pytest.raises(InferenceServerException) as e:
            client.load_model("sklearn-gbdt")
        assert e.value.status() == "StatusCode.UNAUTHENTICATED"
    finally:
        client.load_model("sklearn-gbdt", headers=AUTH)
    assert client.is_model_ready("sklearn-gbdt")
    ref = load_reference("sklearn-gbdt")
    result = client.infer("sklearn-gbdt", grpc_inputs(arrays(ref)))
    assert result.as_numpy("label").tolist() == ref["outputs"][0]["data"]


def stat(stats: dict, *path: str) -> int:
    """A counter of a ModelStatistics JSON (proto JSON leaves out zeros)."""
    for key in path[:-1]:
        stats = stats.get(key, {})
    return int(stats.get(path[-1], 0))


def test_statistics_count_requests(client, rest):
    ref = load_reference("xgboost-bdt")
    before = client.get_inference_statistics("xgboost-bdt", as_json=True)["model_stats"][0]
    for _ in range(3):
        client.infer("xgboost-bdt", grpc_inputs(arrays(ref)))
    after = client.get_inference_statistics("xgboost-bdt", as_json=True)["model_stats"][0]
    assert after["name"] == "xgboost-bdt" and after["version"] == "1"
    assert stat(after, "inference_count") - stat(before, "inference_count") == 3
    assert stat(after, "execution_count") - stat(before, "execution_count") == 3
    assert stat(after, "inference_stats", "success", "count") - stat(before, "inference_stats", "success", "count") == 3
    assert stat(after, "inference_stats", "compute_infer", "count") - stat(before, "inference_stats", "compute_infer", "count") == 3
    rest_stats = rest.get_inference_statistics("xgboost-bdt")["model_stats"][0]
    assert rest_stats["inference_stats"]["success"]["count"] == int(after["inference_stats"]["success"]["count"])


def run_events(client, model: str, events: np.ndarray, bad_at: int | None = None):
    """Sends each row of `events` as its own request from its own thread (all at once); returns
    (results, errors) by index."""
    barrier = threading.Barrier(len(events))

    def one(k):
        rows = events[k:k + 1] if k != bad_at else np.zeros((1, 11), dtype=np.float32)
        barrier.wait()
        try:
            r = client.infer(model, grpc_inputs([("X", "FP32", rows)]), request_id=str(k))
            return r.as_numpy("label"), r.as_numpy("probabilities"), None
        except InferenceServerException as e:
            return None, None, e

    with ThreadPoolExecutor(len(events)) as pool:
        return list(pool.map(one, range(len(events))))


def batching_events(n: int) -> np.ndarray:
    x = np.asarray(load_reference("sklearn-mlp")["inputs"][0]["data"], dtype=np.float32).reshape(-1, 12)
    rng = np.random.default_rng(7)
    return (np.repeat(x, n // len(x) + 1, axis=0)[:n] + rng.normal(0, 0.3, (n, 12))).astype(np.float32)


def test_dynamic_batching_gives_unbatched_answers(client):
    """64 concurrent one-event requests on a dynamic_batching model: each answer equals the unbatched model's
    answer for that event, and the statistics show merged runs (execution_count < inference_count)."""
    events = batching_events(64)
    single = [client.infer("mlp_single", grpc_inputs([("X", "FP32", events[k:k + 1])])) for k in range(64)]
    before = client.get_inference_statistics("mlp_batched", as_json=True)["model_stats"][0]
    results = run_events(client, "mlp_batched", events)
    after = client.get_inference_statistics("mlp_batched", as_json=True)["model_stats"][0]
    for k, (label, probs, error) in enumerate(results):
        assert error is None, (k, error)
        assert label.tolist() == single[k].as_numpy("label").tolist(), k
        np.testing.assert_allclose(probs, single[k].as_numpy("probabilities"), rtol=1e-6, atol=1e-7, err_msg=str(k))
    inferences = stat(after, "inference_count") - stat(before, "inference_count")
    executions = stat(after, "execution_count") - stat(before, "execution_count")
    assert inferences == 64
    assert executions < inferences, f"{executions} runs for {inferences} requests: nothing was merged"
    assert any(int(b["batch_size"]) > 1 for b in after["batch_stats"]), after["batch_stats"]
    assert stat(after, "inference_stats", "queue", "count") - stat(before, "inference_stats", "queue", "count") == 64


def test_bad_request_in_a_busy_batch_fails_alone(client):
    events = batching_events(48)
    results = run_events(client, "mlp_batched", events, bad_at=17)
    single = client.infer("mlp_single", grpc_inputs([("X", "FP32", events)]))
    for k, (label, probs, error) in enumerate(results):
        if k == 17:
            assert error is not None and error.status() == "StatusCode.INVALID_ARGUMENT", error
            continue
        assert error is None, (k, error)
        assert label.tolist() == single.as_numpy("label")[k:k + 1].tolist()
        np.testing.assert_allclose(probs, single.as_numpy("probabilities")[k:k + 1], rtol=1e-5, atol=1e-6)


def test_rest_and_grpc_share_the_batcher(grpc_server, client):
    """REST (KServe JSON, one connection per thread) and gRPC requests of the same model wait in one queue
    and are merged together."""
    events = batching_events(32)
    before = client.get_inference_statistics("mlp_batched", as_json=True)["model_stats"][0]
    barrier = threading.Barrier(32)

    def one(k):
        rows = events[k:k + 1]
        barrier.wait()
        if k % 2:
            body = {"inputs": [{"name": "X", "datatype": "FP32", "shape": [1, 12], "data": rows.ravel().tolist()}],
                    "outputs": [{"name": "probabilities"}]}
            r = requests.post(f"{grpc_server.url}/v2/models/mlp_batched/infer", json=body, timeout=60)
            assert r.status_code == 200, r.text
            return np.asarray(r.json()["outputs"][0]["data"], dtype=np.float32).reshape(1, 2)
        return client.infer("mlp_batched", grpc_inputs([("X", "FP32", rows)])).as_numpy("probabilities")

    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(one, range(32)))
    single = client.infer("mlp_single", grpc_inputs([("X", "FP32", events)])).as_numpy("probabilities")
    for k in range(32):
        np.testing.assert_allclose(answers[k], single[k:k + 1], rtol=1e-5, atol=1e-6)
    after = client.get_inference_statistics("mlp_batched", as_json=True)["model_stats"][0]
    assert stat(after, "inference_count") - stat(before, "inference_count") == 32
    assert stat(after, "execution_count") - stat(before, "execution_count") < 32


def test_full_queue_is_unavailable(grpc_server, client):
    """mlp_tinyqueue holds at most 2 waiting requests (default_queue_policy.max_queue_size) while it waits
    0.5 s for a batch: of 8 concurrent requests some are refused, with UNAVAILABLE over gRPC and 503 with
    Retry-After over REST, and the accepted ones are answered correctly."""
    events = batching_events(8)
    single = client.infer("mlp_single", grpc_inputs([("X", "FP32", events)])).as_numpy("probabilities")
    results = run_events(client, "mlp_tinyqueue", events)
    refused = [e for _, _, e in results if e is not None]
    assert refused, "no request was refused"
    assert all(e.status() == "StatusCode.UNAVAILABLE" for e in refused), [str(e) for e in refused]
    assert len(refused) < len(results)
    for k, (_, probs, error) in enumerate(results):
        if error is None:
            np.testing.assert_allclose(probs, single[k:k + 1], rtol=1e-5, atol=1e-6)

    barrier = threading.Barrier(8)

    def rest_one(k):
        body = {"inputs": [{"name": "X", "datatype": "FP32", "shape": [1, 12], "data": events[k].tolist()}]}
        barrier.wait()
        return requests.post(f"{grpc_server.url}/v2/models/mlp_tinyqueue/infer", json=body, timeout=60)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(rest_one, range(8)))
    statuses = [r.status_code for r in answers]
    assert 503 in statuses and 200 in statuses and set(statuses) <= {200, 503}, statuses
    assert all(r.headers.get("Retry-After") for r in answers if r.status_code == 503)


def test_cancelled_request_leaves_the_queue(client):
    """A request whose client gives up (deadline) while it waits for a batch is dropped from the queue: it never
    runs (the 3 s queue delay passes without a run), counts neither as a success nor as a model failure, and
    the queue still serves the next request."""
    events = batching_events(2)
    before = client.get_inference_statistics("mlp_slowqueue", as_json=True)["model_stats"][0]
    with pytest.raises(InferenceServerException) as e:
        client.infer("mlp_slowqueue", grpc_inputs([("X", "FP32", events[:1])]), client_timeout=0.3)
    assert e.value.status() == "StatusCode.DEADLINE_EXCEEDED", e.value
    time.sleep(3.5)
    after = client.get_inference_statistics("mlp_slowqueue", as_json=True)["model_stats"][0]
    assert stat(after, "execution_count") == stat(before, "execution_count"), after
    for kind in ("success", "fail"):
        assert stat(after, "inference_stats", kind, "count") == stat(before, "inference_stats", kind, "count"), after
    single = client.infer("mlp_single", grpc_inputs([("X", "FP32", events[1:])])).as_numpy("probabilities")
    r = client.infer("mlp_slowqueue", grpc_inputs([("X", "FP32", events[1:])]))
    np.testing.assert_allclose(r.as_numpy("probabilities"), single, rtol=1e-5, atol=1e-6)
    done = client.get_inference_statistics("mlp_slowqueue", as_json=True)["model_stats"][0]
    assert stat(done, "execution_count") - stat(before, "execution_count") == 1
