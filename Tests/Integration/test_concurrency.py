"""Inference under load while another model is uploaded and deleted over and over."""
import io
import tarfile
import threading
import time

import numpy as np
import requests
import tritonclient.http as httpclient

from conftest import MODELS, write_tfaas_folder

CLIENTS = 32
DURATION = 5.0
CYCLES = 10


def test_infer_while_uploading_and_deleting(server, mlp_ref, dense42_ref, tmp_path):
    spec = mlp_ref["inputs"][0]
    x = np.asarray(spec["data"], dtype=np.float32).reshape(spec["shape"])
    want_labels = mlp_ref["outputs"][0]["data"]
    want_probs = np.asarray(mlp_ref["outputs"][1]["data"], dtype=np.float32).reshape(mlp_ref["outputs"][1]["shape"])
    tol = mlp_ref["tolerance"]

    stop = threading.Event()
    start = threading.Barrier(CLIENTS + 1)
    lock = threading.Lock()
    counts = {"total": 0}
    failures: list[str] = []
    churn_errors: list[str] = []
    churn_done = {"cycles": 0}

    def infer_worker(i: int):
        client = httpclient.InferenceServerClient(server.hostport, network_timeout=30.0)
        inp = httpclient.InferInput("X", list(x.shape), "FP32")
        inp.set_data_from_numpy(x, binary_data=(i % 2 == 0))
        outs = [httpclient.InferRequestedOutput(n, binary_data=(i % 2 == 0)) for n in ("label", "probabilities")]
        start.wait()
        n = 0
        try:
            while not stop.is_set():
                try:
                    r = client.infer("mlp", [inp], outputs=outs, request_id=f"{i}-{n}")
                    assert r.get_response()["id"] == f"{i}-{n}", r.get_response()
                    assert r.as_numpy("label").tolist() == want_labels
                    np.testing.assert_allclose(r.as_numpy("probabilities"), want_probs, rtol=tol["rel"], atol=tol["abs"])
                    n += 1
                except Exception as e:  # noqa: BLE001 - every failure counts
                    with lock:
                        failures.append(f"client {i} request {n}: {type(e).__name__}: {str(e)[:300]}")
                    n += 1
        finally:
            client.close()
            with lock:
                counts["total"] += n

    folder = write_tfaas_folder(tmp_path / "src" / "churn42", MODELS / "tfaas-dense42", name="churn42")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(folder, arcname="churn42")
    bundle = buf.getvalue()
    files = {name: (folder / name).read_bytes() for name in ("params.json", "model.onnx", "labels.txt")}
    request = dict(dense42_ref["tfaas_json_request"], model="churn42")

    def churn():
        s = requests.Session()
        s.headers.update(server.auth())
        for c in range(CYCLES):
            try:
                if c % 2 == 0:
                    r = s.post(server.url + "/upload", timeout=30, files={
                        "name": (None, "churn42"), "params": ("params.json", files["params.json"]),
                        "model": ("model.onnx", files["model.onnx"]), "labels": ("labels.txt", files["labels.txt"])})
                else:
                    r = s.post(server.url + "/upload", data=bundle, timeout=30,
                               headers={"Content-Encoding": "gzip", "Content-Type": "application/octet-stream"})
                if r.status_code != 200:
                    churn_errors.append(f"cycle {c} upload: HTTP {r.status_code} {r.text[:300]}")
                    continue
                r = s.post(server.url + "/json", json=request, timeout=30)
                if r.status_code != 200:
                    churn_errors.append(f"cycle {c} predict: HTTP {r.status_code} {r.text[:300]}")
                r = s.delete(f"{server.url}/delete/churn42", timeout=30)
                if r.status_code != 200:
                    churn_errors.append(f"cycle {c} delete: HTTP {r.status_code} {r.text[:300]}")
            except requests.RequestException as e:
                churn_errors.append(f"cycle {c}: {e!r}")
            churn_done["cycles"] = c + 1
            time.sleep(0.2)

    workers = [threading.Thread(target=infer_worker, args=(i,), daemon=True) for i in range(CLIENTS)]
    for w in workers:
        w.start()
    start.wait()
    t0 = time.monotonic()
    churner = threading.Thread(target=churn, daemon=True)
    churner.start()
    churner.join(timeout=60)
    remaining = DURATION - (time.monotonic() - t0)
    if remaining > 0:
        time.sleep(remaining)
    stop.set()
    for w in workers:
        w.join(timeout=60)
    elapsed = time.monotonic() - t0

    assert not churner.is_alive(), "upload/delete thread hung"
    assert not any(w.is_alive() for w in workers), "an infer thread hung"
    assert churn_done["cycles"] == CYCLES and not churn_errors, churn_errors
    assert not failures, f"{len(failures)} failed of {counts['total']} infer requests, e.g.:\n" + "\n".join(failures[:10])
    assert counts["total"] >= CLIENTS, counts
    print(f"\n{counts['total']} infer requests in {elapsed:.1f} s ({counts['total'] / elapsed:.0f}/s) with {CYCLES} upload/delete cycles")
    names = {m["name"] for m in requests.get(server.url + "/models", timeout=10).json()}
    assert "churn42" not in names
    assert server.alive()


def test_predict_on_model_being_replaced(server, dense42_ref, tmp_path):
    """Readers of a model that is re-uploaded and deleted under them get either a correct answer or a clean
    404/503 JSON error: never a 500, a wrong answer or a dropped connection."""
    name = "swap42"
    folder = write_tfaas_folder(tmp_path / "src" / name, MODELS / "tfaas-dense42", name=name)
    files = {n: (folder / n).read_bytes() for n in ("params.json", "model.onnx", "labels.txt")}
    request = dict(dense42_ref["tfaas_json_request"], model=name)
    want = dense42_ref["outputs"][0]
    tol = dense42_ref["tolerance"]
    stop = threading.Event()
    lock = threading.Lock()
    bad: list[str] = []
    seen = {"ok": 0, "gone": 0}

    def upload(s):
        return s.post(server.url + "/upload", timeout=30, files={
            "name": (None, name), "params": ("params.json", files["params.json"]),
            "model": ("model.onnx", files["model.onnx"]), "labels": ("labels.txt", files["labels.txt"])})

    def reader():
        s = requests.Session()
        while not stop.is_set():
            try:
                r = s.post(server.url + "/json", json=request, timeout=30)
            except requests.RequestException as e:
                with lock:
                    bad.append(f"{e!r}")
                continue
            with lock:
                if r.status_code == 200:
                    got = {c["label"]: c["probability"] for c in r.json()}
                    if abs(got["background"] - want[0]) > tol["abs"] + tol["rel"] * abs(want[0]) \
                            or abs(got["signal"] - want[1]) > tol["abs"] + tol["rel"] * abs(want[1]):
                        bad.append(f"wrong answer {got}")
                    seen["ok"] += 1
                elif r.status_code in (404, 503) and "error" in r.json():
                    seen["gone"] += 1
                else:
                    bad.append(f"HTTP {r.status_code}: {r.text[:200]}")

    writer_errors: list[str] = []

    def writer():
        s = requests.Session()
        s.headers.update(server.auth())
        for c in range(8):
            r = upload(s)
            if r.status_code != 200:
                writer_errors.append(f"upload {c}: HTTP {r.status_code} {r.text[:200]}")
            r = upload(s)                      # replace in place
            if r.status_code != 200:
                writer_errors.append(f"re-upload {c}: HTTP {r.status_code} {r.text[:200]}")
            time.sleep(0.1)
            r = s.delete(f"{server.url}/delete/{name}", timeout=30)
            if r.status_code != 200:
                writer_errors.append(f"delete {c}: HTTP {r.status_code} {r.text[:200]}")
            time.sleep(0.05)

    readers = [threading.Thread(target=reader, daemon=True) for _ in range(8)]
    for t in readers:
        t.start()
    w = threading.Thread(target=writer, daemon=True)
    w.start()
    w.join(timeout=60)
    stop.set()
    for t in readers:
        t.join(timeout=30)
    assert not w.is_alive()
    assert not writer_errors, writer_errors
    assert not bad, f"{len(bad)} bad replies, e.g. {bad[:5]} (ok {seen['ok']}, gone {seen['gone']})"
    assert seen["ok"] > 0, seen


def test_parallel_uploads_same_name(server, tmp_path):
    """Several clients upload the same model name at once: all succeed (last wins) and the model serves."""
    name = "race42"
    folder = write_tfaas_folder(tmp_path / "src" / name, MODELS / "tfaas-dense42", name=name)
    files = {n: (folder / n).read_bytes() for n in ("params.json", "model.onnx", "labels.txt")}
    results: list = []

    def up():
        r = requests.post(server.url + "/upload", headers=server.auth(), timeout=30, files={
            "name": (None, name), "params": ("params.json", files["params.json"]),
            "model": ("model.onnx", files["model.onnx"]), "labels": ("labels.txt", files["labels.txt"])})
        results.append((r.status_code, r.text[:200]))

    threads = [threading.Thread(target=up) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert all(s == 200 for s, _ in results), results
        r = requests.get(f"{server.url}/v2/models/{name}/ready", timeout=10)
        assert r.status_code == 200
        assert not [p for p in server.repository.iterdir() if p.name.startswith(".")], list(server.repository.iterdir())
    finally:
        r = requests.delete(f"{server.url}/delete/{name}", headers=server.auth(), timeout=10)
    assert r.status_code == 200, r.text
