"""`hepml client` against a `hepml serve` started from another working directory (the server must find
ONNX Runtime next to its own binary), covering the tfaas_client.py-style flows."""
import json
import subprocess
import time

import requests

from conftest import HEPML_BIN, MODELS, free_port


def run(*args, cwd):
    return subprocess.run([str(HEPML_BIN), *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_client_flows_with_server_started_elsewhere(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(HEPML_BIN), "serve", "--repository", str(tmp_path / "repo"), "--port", str(port)],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            try:
                if requests.get(url + "/v2/health/live", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        src = MODELS / "tfaas-dense42"
        params = json.loads((src / "params.json").read_text())
        params["model"] = "model.onnx"
        (tmp_path / "params.json").write_text(json.dumps(params))
        (tmp_path / "upload.json").write_text(json.dumps({"name": "dense42", "params": str(tmp_path / "params.json"),
                                                         "model": str(src / "model.onnx"), "labels": str(src / "labels.txt")}))
        ref = json.loads((src / "reference.json").read_text())
        (tmp_path / "input.json").write_text(json.dumps(ref["tfaas_json_request"]))
        r = run("client", "upload", "--upload", "upload.json", "--url", url, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        r = run("client", "models", "--url", url, cwd=tmp_path)
        assert r.returncode == 0 and any(m["name"] == "dense42" and m["state"] == "READY" for m in json.loads(r.stdout))
        r = run("client", "predict", "--predict", "input.json", "--url", url, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        answer = {d["label"]: d["probability"] for d in json.loads(r.stdout)}
        assert abs(answer["signal"] - ref["outputs"][0][1]) < 1e-4 and abs(answer["background"] - ref["outputs"][0][0]) < 1e-4
        r = run("client", "params", "dense42", "--url", url, cwd=tmp_path)
        assert r.returncode == 0 and json.loads(r.stdout)["name"] == "dense42"
        r = run("client", "delete", "dense42", "--url", url, cwd=tmp_path)
        assert r.returncode == 0
        r = run("client", "params", "dense42", "--url", url, cwd=tmp_path)
        assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "404" in r.stderr
    finally:
        server.terminate()
        server.wait(10)
