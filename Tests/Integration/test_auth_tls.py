"""TLS (`--tls-cert/--tls-key`) with curl and tritonclient over https, and scoped access: a tokens file of
hashed tokens (`--tokens`) and JWT bearer tokens checked against a JWKS (`--jwks`, `--jwt-issuer`,
`--jwt-audience`), enforced on every endpoint."""
import datetime
import hashlib
import io
import ipaddress
import json
import shutil
import tarfile
import time
from pathlib import Path

import jwt
import numpy as np
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import MODELS, TOKEN, Server, assert_close, curl, load_reference, write_tfaas_folder

ISSUER = "https://auth.example.cern.ch/"
AUDIENCE = "hepml-test"


def small_repository(root: Path) -> Path:
    repo = root / "repository"
    (repo / "mlp" / "1").mkdir(parents=True)
    shutil.copy(MODELS / "sklearn-mlp" / "model.onnx", repo / "mlp" / "1" / "model.onnx")
    write_tfaas_folder(repo / "dense42", MODELS / "tfaas-dense42")
    return repo


# --- TLS -------------------------------------------------------------------------------------------------

def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hepml test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TLSServer(Server):
    """`hepml serve` with TLS: readiness is checked over https with the test CA."""

    def __init__(self, *args, cafile: Path, **kw):
        self.cafile = cafile
        super().__init__(*args, **kw)

    def _wait_ready(self):
        self.url = self.url.replace("http://", "https://")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hepml serve exited:\n{self.log_tail()}")
            try:
                if requests.get(self.url + self.wait_path, timeout=2, verify=str(self.cafile)).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"TLS server not ready:\n{self.log_tail()}")

    def alive(self) -> bool:
        try:
            return requests.get(self.url + "/v2/health/live", timeout=5, verify=str(self.cafile)).status_code == 200
        except requests.RequestException:
            return False


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("tls")
    cert, key = self_signed(root)
    srv = TLSServer(small_repository(root), root / "server.log", cafile=cert,
                    extra_args=["--tls-cert", str(cert), "--tls-key", str(key)])
    yield srv
    srv.stop()


def test_tls_curl_with_cacert(tls_server):
    r = curl("--cacert", str(tls_server.cafile), tls_server.url + "/v2/health/live")
    assert r.status == 200
    ref = load_reference("sklearn-mlp")
    r = curl("--cacert", str(tls_server.cafile), "-X", "POST", "-H", "Content-Type: application/json",
             "-d", json.dumps({"inputs": ref["inputs"]}), tls_server.url + "/v2/models/mlp/infer")
    assert r.status == 200, r
    out = {o["name"]: o for o in r.json()["outputs"]}
    want = {o["name"]: o for o in ref["outputs"]}
    assert_close(out["probabilities"]["data"], want["probabilities"]["data"], ref["tolerance"], "probabilities over https")


def test_tls_refuses_unverified_and_plain_http(tls_server):
    p = __import__("subprocess").run(["curl", "-sS", tls_server.url + "/v2/health/live"], capture_output=True, timeout=30)
    assert p.returncode != 0, "curl accepted the self-signed certificate without --cacert"
    with pytest.raises(requests.RequestException):
        requests.get(tls_server.url.replace("https://", "http://") + "/v2/health/live", timeout=5)


def test_tls_tritonclient(tls_server):
    import tritonclient.http as httpclient
    client = httpclient.InferenceServerClient(url=tls_server.hostport, ssl=True,
                                              ssl_options={"ca_certs": str(tls_server.cafile)})
    assert client.is_server_live()
    ref = load_reference("sklearn-mlp")
    i = ref["inputs"][0]
    inp = httpclient.InferInput(i["name"], i["shape"], i["datatype"])
    inp.set_data_from_numpy(np.asarray(i["data"], dtype=np.float32).reshape(i["shape"]), binary_data=True)
    result = client.infer("mlp", [inp], outputs=[httpclient.InferRequestedOutput("probabilities", binary_data=True)])
    want = next(o for o in ref["outputs"] if o["name"] == "probabilities")
    assert_close(result.as_numpy("probabilities"), want["data"], ref["tolerance"], "tritonclient over https")
    client.close()


# --- scoped tokens and JWT -------------------------------------------------------------------------------

TOKENS = {
    "reader": {"scopes": ["read"]},
    "inferer": {"scopes": ["infer"]},
    "writer": {"scopes": ["write"]},
    "mlp-only": {"scopes": ["infer", "read"], "models": ["mlp"]},
}


@pytest.fixture(scope="module")
def jwt_keys(tmp_path_factory):
    root = tmp_path_factory.mktemp("jwks")
    key = ec.generate_private_key(ec.SECP256R1())
    other = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "k1", "alg": "ES256", "use": "sig"})
    path = root / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    return {"path": path, "key": key, "other": other}


def make_jwt(keys, scope="hepml.infer", aud=AUDIENCE, iss=ISSUER, exp_in=600, signer=None):
    now = int(time.time())
    claims = {"iss": iss, "aud": aud, "sub": "alice", "iat": now, "nbf": now - 10, "exp": now + exp_in, "scope": scope}
    return jwt.encode(claims, signer or keys["key"], algorithm="ES256", headers={"kid": "k1"})


@pytest.fixture(scope="module")
def scoped_server(tmp_path_factory, jwt_keys):
    root = tmp_path_factory.mktemp("scoped")
    lines = ["# hepml tokens"]
    for token, spec in TOKENS.items():
        lines.append(json.dumps({"name": token, "sha256": hashlib.sha256(token.encode()).hexdigest(), **spec}))
    (root / "tokens.jsonl").write_text("\n".join(lines) + "\n")
    srv = Server(small_repository(root), root / "server.log", wait_path="/v2/health/ready",
                 extra_args=["--tokens", str(root / "tokens.jsonl"), "--jwks", str(jwt_keys["path"]),
                             "--jwt-issuer", ISSUER, "--jwt-audience", AUDIENCE])
    yield srv
    srv.stop()


def mlp_infer():
    return {"inputs": load_reference("sklearn-mlp")["inputs"]}


def dense42_json():
    return load_reference("tfaas-dense42")["tfaas_json_request"]


def upload_body(name: str) -> bytes:
    buf = io.BytesIO()
    data = (MODELS / "sklearn-mlp" / "model.onnx").read_bytes()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo(f"{name}/1/model.onnx")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# (method, path, scope, request kwargs factory, status expected with the right scope; None: any but 401/403)
ENDPOINTS = [
    ("GET", "/v2", "read", None, 200),
    ("GET", "/v2/models/mlp", "read", None, 200),
    ("GET", "/v2/models/mlp/versions/1", "read", None, 200),
    ("GET", "/v2/models/mlp/ready", "read", None, 200),
    ("GET", "/v2/models/mlp/config", "read", None, 200),
    ("POST", "/v2/repository/index", "read", None, 200),
    ("GET", "/models", "read", None, 200),
    ("GET", "/status", "read", None, 200),
    ("GET", "/params/dense42", "read", None, 200),
    ("GET", "/metrics", "read", None, 200),
    ("POST", "/v2/models/mlp/infer", "infer", lambda: {"json": mlp_infer()}, 200),
    ("POST", "/v2/models/mlp/versions/1/infer", "infer", lambda: {"json": mlp_infer()}, 200),
    ("POST", "/json", "infer", lambda: {"json": dense42_json()}, 200),
    ("POST", "/predict/json", "infer", lambda: {"json": dense42_json()}, 200),
    ("POST", "/proto", "infer", lambda: {"data": b"\x0a\x01x"}, None),
    ("POST", "/image", "infer", lambda: {"data": b"x"}, None),
    ("POST", "/v2/repository/models/dense42/load", "write", None, 200),
    ("POST", "/tag", "write", lambda: {"json": {"model": "mlp", "tag": "prod", "version": 1}}, 200),
    ("POST", "/params", "write", lambda: {"json": {"name": "dense42"}}, 200),
    ("POST", "/upload", "write", lambda: {"data": upload_body("uploaded")}, 200),
    ("DELETE", "/delete/uploaded", "write", None, 200),
    ("DELETE", "/delete?model=nosuchmodel", "write", None, 404),
    ("POST", "/v2/repository/models/mlp/unload", "write", None, 200),
    ("POST", "/v2/repository/models/mlp/load", "write", None, 200),
]

OTHER = {"read": "inferer", "infer": "reader", "write": "inferer"}
RIGHT = {"read": "reader", "infer": "inferer", "write": "writer"}


def call(srv, method, path, token=None, kwargs=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, srv.url + path, headers=headers, timeout=60, **(kwargs or {}))


def test_health_needs_no_token(scoped_server):
    assert call(scoped_server, "GET", "/v2/health/live").status_code == 200
    assert call(scoped_server, "GET", "/v2/health/ready").status_code == 200


@pytest.mark.parametrize("method,path,scope,make,expected", ENDPOINTS, ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS])
def test_endpoint_scopes(scoped_server, method, path, scope, make, expected):
    """No token → 401, an unknown token → 401, a token without the scope → 403, the right scope → the
    endpoint's own answer; the admin `--token` works everywhere."""
    kw = make() if make else None
    r = call(scoped_server, method, path, None, kw)
    assert r.status_code == 401, f"no token: {r.status_code} {r.text[:200]}"
    assert "error" in r.json()
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer"), r.headers
    assert call(scoped_server, method, path, "not-a-token", make() if make else None).status_code == 401
    r = call(scoped_server, method, path, OTHER[scope], make() if make else None)
    assert r.status_code == 403, f"{OTHER[scope]} on {scope}: {r.status_code} {r.text[:200]}"
    r = call(scoped_server, method, path, RIGHT[scope], make() if make else None)
    if expected is None:
        assert r.status_code not in (401, 403), f"{RIGHT[scope]}: {r.status_code} {r.text[:300]}"
    else:
        assert r.status_code == expected, f"{RIGHT[scope]}: {r.status_code} {r.text[:300]}"


def test_admin_token_everywhere(scoped_server):
    assert call(scoped_server, "GET", "/v2/models/mlp", TOKEN).status_code == 200
    assert call(scoped_server, "POST", "/v2/models/mlp/infer", TOKEN, {"json": mlp_infer()}).status_code == 200
    assert call(scoped_server, "POST", "/tag", TOKEN, {"json": {"model": "mlp", "tag": "adm", "version": 1}}).status_code == 200


def test_model_limited_token(scoped_server):
    assert call(scoped_server, "POST", "/v2/models/mlp/infer", "mlp-only", {"json": mlp_infer()}).status_code == 200
    assert call(scoped_server, "GET", "/v2/models/dense42", "mlp-only").status_code == 403
    r = call(scoped_server, "POST", "/json", "mlp-only", {"json": dense42_json()})
    assert r.status_code == 403, r.text
    assert call(scoped_server, "POST", "/v2/repository/models/mlp/load", "mlp-only").status_code == 403


def test_model_limited_token_lists_only_its_models(scoped_server):
    """Model lists (TFaaS /models, KServe repository index, /status, the web page) name only the models a
    model-limited token covers; the admin token sees them all."""
    everything = {m["name"] for m in call(scoped_server, "GET", "/models", TOKEN).json()}
    assert {"mlp", "dense42"} <= everything
    assert {m["name"] for m in call(scoped_server, "GET", "/models", "mlp-only").json()} == {"mlp"}
    r = call(scoped_server, "POST", "/v2/repository/index", "mlp-only", {"json": {}})
    assert {m["name"] for m in r.json()} == {"mlp"}, r.text
    page = call(scoped_server, "GET", "/", "mlp-only")
    assert page.status_code == 200 and "dense42" not in page.text and "mlp" in page.text
    call(scoped_server, "POST", "/json", TOKEN, {"json": dense42_json()})
    metrics = call(scoped_server, "GET", "/ui/metrics.json", "mlp-only")
    assert metrics.status_code == 200 and "dense42" not in metrics.text, metrics.text[:300]


def test_infer_result_with_scoped_token_matches_reference(scoped_server):
    ref = load_reference("tfaas-dense42")
    r = call(scoped_server, "POST", "/json", "inferer", {"json": dense42_json()})
    assert r.status_code == 200, r.text
    got = [e["probability"] if isinstance(e, dict) else e for e in r.json()]
    assert_close(sorted(got, reverse=True), sorted(ref["outputs"][0], reverse=True), ref["tolerance"], "/json with token")


def test_jwt_valid_token(scoped_server, jwt_keys):
    token = make_jwt(jwt_keys, scope="openid hepml.infer hepml.read")
    assert call(scoped_server, "POST", "/v2/models/mlp/infer", token, {"json": mlp_infer()}).status_code == 200
    assert call(scoped_server, "GET", "/v2/models/mlp", token).status_code == 200
    r = call(scoped_server, "POST", "/v2/repository/models/mlp/load", token)
    assert r.status_code == 403, r.text


def test_jwt_write_scope(scoped_server, jwt_keys):
    token = make_jwt(jwt_keys, scope="hepml.write")
    assert call(scoped_server, "POST", "/v2/repository/models/mlp/load", token).status_code == 200
    assert call(scoped_server, "POST", "/v2/models/mlp/infer", token, {"json": mlp_infer()}).status_code == 403


def test_jwt_model_limited_scope(scoped_server, jwt_keys):
    token = make_jwt(jwt_keys, scope="hepml.infer:/mlp")
    assert call(scoped_server, "POST", "/v2/models/mlp/infer", token, {"json": mlp_infer()}).status_code == 200
    assert call(scoped_server, "POST", "/json", token, {"json": dense42_json()}).status_code == 403


@pytest.mark.parametrize("case", ["expired", "wrong_audience", "wrong_issuer", "other_key", "no_scope", "garbage"])
def test_jwt_rejected(scoped_server, jwt_keys, case):
    token = {
        "expired": lambda: make_jwt(jwt_keys, exp_in=-60),
        "wrong_audience": lambda: make_jwt(jwt_keys, aud="someone-else"),
        "wrong_issuer": lambda: make_jwt(jwt_keys, iss="https://evil.example/"),
        "other_key": lambda: make_jwt(jwt_keys, signer=jwt_keys["other"]),
        "no_scope": lambda: make_jwt(jwt_keys, scope="openid profile"),
        "garbage": lambda: "eyJhbGciOiJFUzI1NiJ9.e30.AAAA",
    }[case]()
    r = call(scoped_server, "POST", "/v2/models/mlp/infer", token, {"json": mlp_infer()})
    expected = 403 if case == "no_scope" else 401
    assert r.status_code == expected, f"{case}: {r.status_code} {r.text[:200]}"
    assert r.json()["error"]
