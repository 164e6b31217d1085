#!/usr/bin/env python3
"""Build the models for the serving benchmark (bench/serve_bench.py).

Writes, under bench/results/serving/ (or --out):
  mlserver/mlp/model.joblib + model-settings.json   scikit-learn MLPClassifier((32,16)) for MLServer
  repo/mlp/1/model.onnx                             the same fitted model, exported with skl2onnx
  repo/dense42/1/model.onnx                         copy of shared/testdata/models/tfaas-dense42
  models.json                                       input/output names, shapes, and the check results

Run with the serving venv: .deps/serve-bench-venv/bin/python bench/make_serving_models.py
"""
import argparse
import json
import shutil
import warnings
from pathlib import Path

import joblib
import numpy as np
import onnxruntime as ort
import sklearn
import skl2onnx
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

ROOT = Path(__file__).resolve().parent.parent
DENSE42 = Path("/work/shared/testdata/models/tfaas-dense42/model.onnx")
SEED = 20261123
N_FEATURES = 12


def synthetic(n, rng):
    """12 features; the label is a noisy non-linear function of a few of them."""
    x = rng.normal(size=(n, N_FEATURES)).astype(np.float32)
    score = x[:, 0] * x[:, 1] + np.sin(2 * x[:, 2]) + 0.5 * x[:, 3] - 0.3 * x[:, 4] ** 2
    score += 0.3 * rng.normal(size=n)
    return x, (score > np.median(score)).astype(np.int64)


def io_of(sess):
    def spec(a):
        return {"name": a.name, "shape": [d if isinstance(d, int) else str(d) for d in a.shape], "type": a.type}
    return {"inputs": [spec(a) for a in sess.get_inputs()], "outputs": [spec(a) for a in sess.get_outputs()]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "serving"))
    ap.add_argument("--dense42", default=str(DENSE42))
    args = ap.parse_args()
    out = Path(args.out)

    rng = np.random.default_rng(SEED)
    x, y = synthetic(20000, rng)
    x_test, y_test = synthetic(2000, rng)
    clf = MLPClassifier(hidden_layer_sizes=(32, 16), max_iter=200, random_state=SEED)
    with warnings.catch_warnings():  # 200 epochs is enough for a benchmark model
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x, y)
    acc = float(clf.score(x_test, y_test))

    # MLServer model folder
    ml_dir = out / "mlserver" / "mlp"
    ml_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(clf, ml_dir / "model.joblib")
    (ml_dir / "model-settings.json").write_text(json.dumps(
        {"name": "mlp", "implementation": "mlserver_sklearn.SKLearnModel",
         "parameters": {"uri": "./model.joblib"}}, indent=2) + "\n")

    # the same fitted model as ONNX, without ZipMap (plain label + probabilities tensors)
    onx = convert_sklearn(clf, initial_types=[("input", FloatTensorType([None, N_FEATURES]))],
                          options={id(clf): {"zipmap": False}}, target_opset=17)
    mlp_onnx = out / "repo" / "mlp" / "1" / "model.onnx"
    mlp_onnx.parent.mkdir(parents=True, exist_ok=True)
    mlp_onnx.write_bytes(onx.SerializeToString())

    # check the ONNX model answers like scikit-learn
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(mlp_onnx), so, providers=["CPUExecutionProvider"])
    label, proba = sess.run(None, {"input": x_test})
    max_diff = float(np.max(np.abs(proba - clf.predict_proba(x_test))))
    labels_equal = bool(np.array_equal(label, clf.predict(x_test)))
    if not labels_equal or max_diff > 1e-4:
        raise SystemExit(f"ONNX export disagrees with scikit-learn: labels_equal={labels_equal} max |dp|={max_diff}")
    mlp_io = io_of(sess)

    # dense42
    d42 = out / "repo" / "dense42" / "1" / "model.onnx"
    d42.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.dense42, d42)
    dsess = ort.InferenceSession(str(d42), so, providers=["CPUExecutionProvider"])
    d42_io = io_of(dsess)
    one = np.linspace(-1, 1, 42, dtype=np.float32).reshape(1, 42)
    d42_out = [o.tolist() for o in dsess.run(None, {dsess.get_inputs()[0].name: one})]

    info = {
        "seed": SEED,
        "versions": {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__,
                     "onnxruntime": ort.__version__, "numpy": np.__version__},
        "mlp": {"sklearn": "MLPClassifier(hidden_layer_sizes=(32, 16))", "n_features": N_FEATURES,
                "train_rows": len(x), "test_accuracy": round(acc, 4), "n_iter": int(clf.n_iter_),
                "onnx_vs_sklearn_max_abs_proba_diff": max_diff, "onnx_vs_sklearn_labels_equal": labels_equal,
                "onnx": mlp_io},
        "dense42": {"source": str(args.dense42), "onnx": d42_io, "output_for_linspace_-1_1": d42_out},
    }
    (out / "models.json").write_text(json.dumps(info, indent=2) + "\n")
    print(json.dumps({"mlp": info["mlp"], "dense42": info["dense42"]["onnx"]}, indent=None))


if __name__ == "__main__":
    main()
