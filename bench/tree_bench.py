#!/usr/bin/env python3
"""Tree-ensemble inference benchmark (issue 16): rows/s at batch 1, 64 and 100,000 on one thread for
hepml's native evaluator (`hepml bench-trees`, release build), the framework's own predict (XGBoost
`inplace_predict`, LightGBM `predict`) and ONNX Runtime on the ONNX-ML conversion (onnxmltools).

Models: a 500-tree depth-6 XGBoost binary classifier on 30 features and a 1,000-tree LightGBM binary classifier
(31 leaves), trained on synthetic HEP-like data with missing values.

Set-up (throwaway venv): python3 -m venv /tmp/treevenv &&
    /tmp/treevenv/bin/pip install xgboost lightgbm onnxmltools onnxruntime
Run: swift build -c release --product hepml && /tmp/treevenv/bin/python bench/tree_bench.py [--train-only]
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data", "trees")
HEPML = os.environ.get("HEPML_BIN", os.path.join(ROOT, ".build", "release", "hepml"))
BATCHES = [1, 64, 100_000]
FEATURES = 30


def data(n, rng):
    x = rng.normal(size=(n, FEATURES)).astype(np.float32)
    x[:, :5] = np.abs(x[:, :5]) * 40 + 20
    y = (x[:, 5] + 0.5 * x[:, 6] * x[:, 7] - 0.02 * x[:, 0] + rng.normal(0, 1, n) > 0).astype(int)
    x[rng.random(x.shape) < 0.03] = np.nan
    return x, y


def timed(fn, batch):
    """Seconds per call: enough calls for about a second of work, best of three rounds."""
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    calls = max(3, int(1.0 / once))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def hepml(model, batch, x_file):
    once = subprocess.run([HEPML, "bench-trees", model, "--batch", str(batch), "--iterations", "3", "--input", x_file],
                          check=True, capture_output=True, text=True)
    us = json.loads(once.stdout)["us_per_call"]
    calls = max(3, int(1e6 / max(us, 0.05)))
    best = float("inf")
    for _ in range(3):
        r = subprocess.run([HEPML, "bench-trees", model, "--batch", str(batch), "--iterations", str(calls),
                            "--input", x_file], check=True, capture_output=True, text=True)
        best = min(best, json.loads(r.stdout)["us_per_call"] / 1e6)
    return best


def main():
    import lightgbm as lgb
    import onnxmltools
    import onnxruntime as ort
    import xgboost as xgb
    from onnxmltools.convert.common.data_types import FloatTensorType

    os.makedirs(DATA, exist_ok=True)
    rng = np.random.default_rng(500)
    x_train, y_train = data(20_000, rng)
    x, _ = data(100_000, rng)
    x_file = os.path.join(DATA, "x.f32")
    x.astype("<f4").tofile(x_file)

    xgb_file = os.path.join(DATA, "xgb500.json")
    lgb_file = os.path.join(DATA, "lgb1000.txt")
    if os.path.exists(xgb_file) and os.path.exists(lgb_file):  # models of an earlier run
        booster = xgb.Booster(model_file=xgb_file)
        light = lgb.Booster(model_file=lgb_file)
    else:
        booster = xgb.train({"objective": "binary:logistic", "max_depth": 6, "eta": 0.05, "nthread": 1,
                             "tree_method": "hist"}, xgb.DMatrix(x_train, label=y_train), 500)
        booster.save_model(xgb_file)
        light = lgb.train({"objective": "binary", "num_leaves": 31, "learning_rate": 0.05, "verbose": -1,
                           "num_threads": 1}, lgb.Dataset(x_train, label=y_train), 1000)
        light.save_model(lgb_file)
    booster.set_param({"nthread": 1})

    onnx_xgb = onnxmltools.convert_xgboost(booster, initial_types=[("input", FloatTensorType([None, FEATURES]))],
                                           target_opset=15)
    onnx_lgb = onnxmltools.convert_lightgbm(light, initial_types=[("input", FloatTensorType([None, FEATURES]))],
                                            target_opset=15, zipmap=False)
    if "--train-only" in sys.argv:
        return 0
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sessions = {"xgb": ort.InferenceSession(onnx_xgb.SerializeToString(), so, providers=["CPUExecutionProvider"]),
                "lgb": ort.InferenceSession(onnx_lgb.SerializeToString(), so, providers=["CPUExecutionProvider"])}

    rows = []
    for name, model_file, own in [
        ("XGBoost 500 trees, depth 6", xgb_file, lambda b: booster.inplace_predict(x[:b])),
        ("LightGBM 1,000 trees, 31 leaves", lgb_file, lambda b: light.predict(x[:b], num_threads=1)),
    ]:
        sess = sessions["xgb" if "XGBoost" in name else "lgb"]
        for b in BATCHES:
            t_native = hepml(model_file, b, x_file)
            t_own = timed(lambda: own(b), b)
            t_ort = timed(lambda: sess.run(None, {"input": x[:b]}), b)
            rows.append((name, b, b / t_native, b / t_own, b / t_ort, t_native * 1e6))
            print(f"{name} batch {b}: hepml {b / t_native:,.0f} rows/s, framework {b / t_own:,.0f}, "
                  f"ORT {b / t_ort:,.0f}", file=sys.stderr)

    print("| Model | Batch | hepml native (rows/s) | framework predict | ONNX Runtime | hepml / framework | hepml / ORT | hepml µs/call |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, b, n, o, r, us in rows:
        print(f"| {name} | {b:,} | {n:,.0f} | {o:,.0f} | {r:,.0f} | {n / o:.2f}x | {n / r:.2f}x | {us:,.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
