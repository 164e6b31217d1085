"""HTTP client of `hepml serve` (TFaaS and KServe v2 routes), like `hepml client`: upload, models, delete,
predict (TFaaS /json), image, infer (KServe v2)."""
import io
import json
import tarfile
from pathlib import Path

import numpy as np


def _session():
    import requests
    return requests.Session()


class Client:
    def __init__(self, url, token=None, timeout=60):
        self.url = url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout = timeout
        self.http = _session()

    def _check(self, r):
        if r.status_code >= 400:
            raise RuntimeError(f"{r.request.method} {r.url}: HTTP {r.status_code}: {r.text.strip()[:500]}")
        return r

    def upload(self, folder, name=None):
        """Uploads a model folder (a gzipped tarball with the folder as `name/`); returns {"name", "versions"}."""
        folder = Path(folder)
        name = name or folder.name
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for p in sorted(folder.rglob("*")):
                if p.is_file():
                    tar.add(p, arcname=f"{name}/{p.relative_to(folder)}")
        headers = dict(self.headers, **{"Content-Type": "application/octet-stream", "Content-Encoding": "gzip"})
        r = self.http.post(f"{self.url}/upload", data=buf.getvalue(), headers=headers, timeout=self.timeout)
        return self._check(r).json()

    def models(self):
        return self._check(self.http.get(f"{self.url}/models", headers=self.headers, timeout=self.timeout)).json()

    def delete(self, name):
        r = self.http.delete(f"{self.url}/delete", params={"model": name}, headers=self.headers, timeout=self.timeout)
        return self._check(r).text

    def predict(self, name, keys, values):
        """TFaaS /json: `values` rows of named inputs `keys`."""
        body = {"keys": list(keys), "values": np.asarray(values).tolist(), "model": name}
        return self._check(self.http.post(f"{self.url}/json", json=body, headers=self.headers, timeout=self.timeout)).json()

    def image(self, name, path):
        with open(path, "rb") as f:
            r = self.http.post(f"{self.url}/image", headers=self.headers, timeout=self.timeout,
                               files={"image": (Path(path).name, f.read()), "model": (None, name)})
        return self._check(r).json()

    def infer(self, name, inputs, version=None):
        """KServe v2 infer: `inputs` maps names to numpy arrays; returns {output name: numpy array}."""
        path = f"/v2/models/{name}" + (f"/versions/{version}" if version else "") + "/infer"
        body = {"inputs": [{"name": k, "shape": list(np.shape(v)), "datatype": _datatype(np.asarray(v)),
                            "data": np.asarray(v).ravel().tolist()} for k, v in inputs.items()]}
        reply = self._check(self.http.post(self.url + path, json=body, headers=self.headers, timeout=self.timeout)).json()
        return {o["name"]: np.asarray(o["data"], dtype=np.float64).reshape(o["shape"]) for o in reply["outputs"]}


def _datatype(a):
    return {"float32": "FP32", "float64": "FP64", "int32": "INT32", "int64": "INT64", "bool": "BOOL",
            "uint8": "UINT8"}.get(str(a.dtype), "FP32")


def upload(url, folder, name=None, token=None):
    return Client(url, token).upload(folder, name)


def models(url, token=None):
    return Client(url, token).models()


def delete(url, name, token=None):
    return Client(url, token).delete(name)


def predict(url, name, keys, values, token=None):
    return Client(url, token).predict(name, keys, values)


def infer(url, name, inputs, token=None):
    return Client(url, token).infer(name, inputs)


def image(url, name, path, token=None):
    return Client(url, token).image(name, path)
