#!/usr/bin/env python3
"""Tree-ensemble inference benchmark (issue 16): rows/s at batch 1, 64 and 100,000 on one thread for
hepml's native evaluator (`hepml bench-trees`, release build), the framework's own predict (XGBoost
`inplace_predict`, LightGBM `predict`), ONNX Runtime on the ONNX-ML conversion (onnxmltools) and tl2cgen's
compiled C code (treelite), when those install.

Models: a 500-tree depth-6 XGBoost binary classifier on 30 features and a 1,000-tree LightGBM binary classifier
(31 leaves), trained on synthetic HEP-like data with missing values.

Every call takes the next `batch` rows of a 100,000-row pool (up to 1,000 different batches), as a server sees
different events in each request; the extra line "1 (same row)" repeats one row, which lets branch predictors learn
its paths. Python peers pay their call overhead (a few µs), hepml's in-process timing does not.

Set-up (throwaway venv): python3 -m venv /tmp/treevenv &&
    /tmp/treevenv/bin/pip install xgboost lightgbm onnxmltools onnxruntime treelite tl2cgen
Run: swift build -c release --scratch-path .build-release --product hepml &&
     HEPML_BIN=.build-release/release/hepml /tmp/treevenv/bin/python bench/tree_bench.py [--train-only]
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data", "trees")
HEPML = os.environ.get("HEPML_BIN") or next(
    (p for p in (os.path.join(ROOT, d, "release", "hepml") for d in (".build-release", ".build")) if os.path.exists(p)),
    os.path.join(ROOT, ".build-release", "release", "hepml"))
BATCHES = [1, 64, 100_000]
FEATURES = 30


def data(n, rng):
    x = rng.normal(size=(n, FEATURES)).astype(np.float32)
    x[:, :5] = np.abs(x[:, :5]) * 40 + 20
    y = (x[:, 5] + 0.5 * x[:, 6] * x[:, 7] - 0.02 * x[:, 0] + rng.normal(0, 1, n) > 0).astype(int)
    x[rng.random(x.shape) < 0.03] = np.nan
    return x, y


def batches(x, batch, same):
    """The inputs calls cycle through: successive slices of the pool, or the first rows only."""
    count = 1 if same else max(1, min(1000, len(x) // batch))
    return [np.ascontiguousarray(x[k * batch:(k + 1) * batch]) for k in range(count)]


def timed(fn, inputs):
    """Seconds per call of fn(input), cycling through inputs: about a second of work, best of three rounds."""
    n = len(inputs)
    fn(inputs[0])
    start = time.perf_counter()
    fn(inputs[0])
    once = max(time.perf_counter() - start, 1e-7)
    calls = max(3, int(1.0 / once))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for i in range(calls):
            fn(inputs[i % n])
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def hepml(model, batch, x_file, same):
    flags = [] if same else ["--successive-rows"]
    once = subprocess.run([HEPML, "bench-trees", model, "--batch", str(batch), "--iterations", "3", "--input", x_file,
                           *flags], check=True, capture_output=True, text=True)
    us = json.loads(once.stdout)["us_per_call"]
    calls = max(3, int(1e6 / max(us, 0.05)))
    best = float("inf")
    for _ in range(3):
        r = subprocess.run([HEPML, "bench-trees", model, "--batch", str(batch), "--iterations", str(calls),
                            "--input", x_file, *flags], check=True, capture_output=True, text=True)
        best = min(best, json.loads(r.stdout)["us_per_call"] / 1e6)
    return best


def compiled(model_file, kind, lib):
    """tl2cgen's compiled predictor for the model, or None when treelite/tl2cgen or a compiler is missing."""
    try:
        import tl2cgen
        import treelite
    except ImportError:
        return None
    if not os.path.exists(lib):
        loader = treelite.frontend.load_xgboost_model if kind == "xgb" else treelite.frontend.load_lightgbm_model
        tl2cgen.export_lib(loader(model_file), toolchain="gcc", libpath=lib, params={"parallel_comp": 8}, nthread=2)
    predictor = tl2cgen.Predictor(lib, nthread=1)
    return lambda b: predictor.predict(tl2cgen.DMatrix(b))


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
    for kind, name, model_file, own in [
        ("xgb", "XGBoost 500 trees, depth 6", xgb_file, lambda b: booster.inplace_predict(b)),
        ("lgb", "LightGBM 1,000 trees, 31 leaves", lgb_file, lambda b: light.predict(b, num_threads=1)),
    ]:
        sess = sessions[kind]
        tl = compiled(model_file, kind, os.path.join(DATA, f"{kind}_tl2cgen.so"))
        for b, same in [(1, False), (64, False), (100_000, False), (1, True)]:
            inputs = batches(x, b, same)
            t_native = hepml(model_file, b, x_file, same)
            t_own = timed(own, inputs)
            t_ort = timed(lambda v: sess.run(None, {"input": v}), inputs)
            t_tl = timed(tl, inputs) if tl else None
            label = f"{b:,}" + (" (same row)" if same else "")
            rows.append((name, label, b / t_native, b / t_own, b / t_ort, b / t_tl if t_tl else None, t_native * 1e6))
            print(f"{name} batch {label}: hepml {b / t_native:,.0f} rows/s, framework {b / t_own:,.0f}, "
                  f"ORT {b / t_ort:,.0f}, tl2cgen {b / t_tl if t_tl else 0:,.0f}", file=sys.stderr)

    print("| Model | Batch | hepml native (rows/s) | framework predict | ONNX Runtime | tl2cgen | hepml / framework "
          "| hepml / ORT | hepml / tl2cgen | hepml µs/call |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, label, n, o, r, t, us in rows:
        tl_cells = f"{t:,.0f} | {n / t:.2f}x" if t else "– | –"
        tl_rate, tl_ratio = tl_cells.split(" | ")
        print(f"| {name} | {label} | {n:,.0f} | {o:,.0f} | {r:,.0f} | {tl_rate} | {n / o:.2f}x | {n / r:.2f}x | {tl_ratio} "
              f"| {us:,.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
