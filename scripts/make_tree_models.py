#!/usr/bin/env python3
"""Trains small tree ensembles with XGBoost, LightGBM and scikit-learn (exported with skl2onnx) on HEP-like
features with missing values, and writes the model files plus each framework's own predictions on 1,000 rows
to Tests/Fixtures/trees/ for the native tree-ensemble tests (NativeTreesTests).

Run once, in a throwaway venv:
    python3 -m venv /tmp/treevenv
    /tmp/treevenv/bin/pip install xgboost lightgbm scikit-learn skl2onnx onnxmltools onnxruntime
    /tmp/treevenv/bin/python scripts/make_tree_models.py

Layout: <case>.<ext> model files; <case>.input.f32 (rows x features, float32 little-endian, NaN = missing);
<case>.<output>.f64 (the framework's prediction, float64 little-endian); manifest.json describes every case.
Evaluation rows: 800 random events (about 8% missing values), 100 rows with one feature set exactly to a split
threshold the model uses, and 100 rows with out-of-range values and unseen categories.
"""
import json
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "trees")
FEATURES = ["jet_pt", "jet_eta", "jet_phi", "jet_mass", "btag", "n_tracks", "lep_iso", "met"]
N_TRAIN = 4000
N_EVAL = 1000
rng = np.random.default_rng(20261202)


def events(n, categorical=False):
    """HEP-like features: steeply falling pt, central eta, flat phi, masses, a b-tag score, track counts."""
    x = np.empty((n, len(FEATURES)), dtype=np.float64)
    x[:, 0] = 20 + rng.exponential(40, n)
    x[:, 1] = rng.normal(0, 1.4, n)
    x[:, 2] = rng.uniform(-np.pi, np.pi, n)
    x[:, 3] = rng.gamma(3, 5, n)
    x[:, 4] = rng.beta(0.6, 1.5, n)
    x[:, 5] = rng.poisson(12, n)
    x[:, 6] = rng.exponential(0.1, n)
    x[:, 7] = rng.exponential(30, n)
    if categorical:
        x[:, 5] = rng.integers(0, 8, n)  # a categorical feature: detector region 0..7
    signal = (0.03 * x[:, 0] + 2.5 * x[:, 4] - 0.4 * np.abs(x[:, 1]) - 4 * x[:, 6] + 0.01 * x[:, 7]
              + rng.normal(0, 0.8, n))
    if categorical:
        signal += np.where(np.isin(x[:, 5], [1, 4, 6]), 1.2, -0.5)
    x = x.astype(np.float32).astype(np.float64)
    holes = rng.random(x.shape) < 0.08
    holes[:, 0] = False
    x[holes] = np.nan
    return x, signal


def labels(signal, kind):
    if kind == "binary":
        return (signal > np.median(signal)).astype(int)
    if kind == "multiclass":
        return np.digitize(signal, np.quantile(signal, [1 / 3, 2 / 3]))
    return signal


def eval_rows(thresholds, categorical=False):
    """1,000 rows: random events, rows with a feature exactly at a split threshold, out-of-range/unseen values."""
    x, _ = events(N_EVAL, categorical)
    for i in range(800, 900):
        if thresholds:
            f, t = thresholds[rng.integers(len(thresholds))]
            x[i, f] = t
    for i in range(900, 1000):
        f = rng.integers(len(FEATURES))
        x[i, f] = rng.choice([-1e30, 1e30, -5.0, 0.0, 1e-40, 99.0])
        if categorical:
            x[i, 5] = rng.choice([8, 9, 31, 40, -1, 2.5])
    return x.astype(np.float32)


manifest = []


def save(case, fmt, model_files, x, outputs, **extra):
    x.astype("<f4").tofile(os.path.join(OUT, case + ".input.f32"))
    outs = {}
    for name, values in outputs.items():
        v = np.asarray(values, dtype="<f8")
        v.tofile(os.path.join(OUT, f"{case}.{name}.f64"))
        outs[name] = list(v.shape)
    manifest.append({"case": case, "format": fmt, "models": model_files, "rows": int(x.shape[0]),
                     "features": int(x.shape[1]), "outputs": outs, **extra})


def xgboost_models():
    import xgboost as xgb

    def thresholds_of(booster):
        out = []
        for tree in json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"] \
                if "gbtree" not in json.loads(booster.save_raw("json"))["learner"]["gradient_booster"] else \
                json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["gbtree"]["model"]["trees"]:
            for l, f, c, st in zip(tree["left_children"], tree["split_indices"], tree["split_conditions"],
                                   tree.get("split_type", [0] * len(tree["left_children"]))):
                if l != -1 and st == 0:
                    out.append((f, c))
        return out

    specs = [
        ("xgb_binary", "binary", {"objective": "binary:logistic", "max_depth": 4, "eta": 0.3}, 20, False, ["json", "ubj"]),
        ("xgb_multiclass", "multiclass", {"objective": "multi:softprob", "num_class": 3, "max_depth": 3}, 8, False,
         ["json", "ubj"]),
        ("xgb_softmax", "multiclass", {"objective": "multi:softmax", "num_class": 3, "max_depth": 3}, 6, False,
         ["json"]),
        ("xgb_regression", "regression", {"objective": "reg:squarederror", "max_depth": 4}, 15, False, ["json", "ubj"]),
        ("xgb_rank", "regression", {"objective": "rank:pairwise", "max_depth": 3}, 10, False, ["json"]),
        ("xgb_dart", "binary", {"objective": "binary:logistic", "booster": "dart", "rate_drop": 0.3, "skip_drop": 0.0,
                                "max_depth": 3}, 12, False, ["json", "ubj"]),
        ("xgb_categorical", "binary", {"objective": "binary:logistic", "max_depth": 4, "max_cat_to_onehot": 1,
                                       "tree_method": "hist"}, 15, True, ["json", "ubj"]),
    ]
    for case, kind, params, rounds, categorical, exts in specs:
        x, s = events(N_TRAIN, categorical)
        y = labels(s, kind)
        types = ["q"] * len(FEATURES)
        if categorical:
            types[5] = "c"
        if kind == "regression" and params["objective"].startswith("rank"):
            y = np.digitize(s, np.quantile(s, [0.5, 0.8]))
            dtrain = xgb.DMatrix(x, label=y, feature_names=FEATURES, feature_types=types, enable_categorical=categorical)
            dtrain.set_group([100] * (N_TRAIN // 100))
        else:
            dtrain = xgb.DMatrix(x, label=y, feature_names=FEATURES, feature_types=types, enable_categorical=categorical)
        params = {**params, "seed": 7, "nthread": 1}
        booster = xgb.train(params, dtrain, rounds)
        xe = eval_rows(thresholds_of(booster), categorical)
        deval = xgb.DMatrix(xe, feature_names=FEATURES, feature_types=types, enable_categorical=categorical)
        pred = booster.predict(deval)
        margin = booster.predict(deval, output_margin=True)
        names = [f"{case}.{ext}" for ext in exts]
        for name in names:
            booster.save_model(os.path.join(OUT, name))
        outputs = {"margin": margin.reshape(len(xe), -1)}
        if params["objective"] == "multi:softmax":
            outputs["label"] = pred
        elif kind == "binary":
            outputs["probabilities"] = np.stack([1 - pred.astype(np.float64), pred], axis=1)
        elif kind == "multiclass":
            outputs["probabilities"] = pred
        else:
            outputs["predictions"] = pred
        save(case, "xgboost", names, xe, outputs, tolerance=1e-5)


def lightgbm_models():
    import lightgbm as lgb

    specs = [
        ("lgb_binary", "binary", {"objective": "binary"}, 20, False),
        ("lgb_zero_missing", "binary", {"objective": "binary", "zero_as_missing": True}, 15, False),
        ("lgb_no_missing", "binary", {"objective": "binary", "use_missing": False}, 15, False),
        ("lgb_multiclass", "multiclass", {"objective": "multiclass", "num_class": 3}, 8, False),
        ("lgb_regression", "regression", {"objective": "regression"}, 15, False),
        ("lgb_categorical", "binary", {"objective": "binary", "max_cat_to_onehot": 2, "cat_smooth": 1,
                                       "min_data_per_group": 5}, 15, True),
    ]
    for case, kind, params, rounds, categorical in specs:
        x, s = events(N_TRAIN, categorical)
        if kind == "binary" and not categorical:
            x[rng.random(len(x)) < 0.1, 4] = 0.0  # exact zeros for the zero-as-missing rule
        y = labels(s, kind)
        params = {**params, "num_leaves": 15, "learning_rate": 0.2, "verbose": -1, "num_threads": 1, "seed": 3,
                  "deterministic": True, "min_data_in_leaf": 10}
        ds = lgb.Dataset(x, label=y, feature_name=FEATURES, categorical_feature=[5] if categorical else "auto",
                         free_raw_data=False)
        booster = lgb.train(params, ds, rounds)
        dump = booster.dump_model()
        thr = []

        def walk(n):
            if "split_feature" in n:
                if n["decision_type"] == "<=":
                    thr.append((n["split_feature"], n["threshold"]))
                walk(n["left_child"])
                walk(n["right_child"])
        for t in dump["tree_info"]:
            walk(t["tree_structure"])
        xe = eval_rows(thr, categorical).astype(np.float64)
        if case == "lgb_zero_missing":
            xe[850:870, 4] = 0.0
        name = f"{case}.txt"
        booster.save_model(os.path.join(OUT, name))
        pred = booster.predict(xe)
        raw = booster.predict(xe, raw_score=True)
        outputs = {"margin": np.asarray(raw).reshape(len(xe), -1)}
        if kind == "binary":
            outputs["probabilities"] = np.stack([1 - pred, pred], axis=1)
        elif kind == "multiclass":
            outputs["probabilities"] = pred
        else:
            outputs["predictions"] = pred
        save(case, "lightgbm", [name], xe.astype(np.float32), outputs, tolerance=1e-6)


def sklearn_models():
    import onnxruntime as ort
    from skl2onnx import to_onnx
    from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

    for case, kind in [("skl_gbdt_binary", "binary"), ("skl_gbdt_multiclass", "multiclass"),
                       ("skl_gbdt_regression", "regression")]:
        x, s = events(N_TRAIN)
        x = np.nan_to_num(x, nan=-1.0)
        y = labels(s, kind)
        if kind == "regression":
            model = GradientBoostingRegressor(n_estimators=15, max_depth=3, random_state=1).fit(x, y)
        else:
            model = GradientBoostingClassifier(n_estimators=10, max_depth=3, random_state=1).fit(x, y)
        thr = [(int(f), float(t)) for est in model.estimators_.ravel()
               for f, t in zip(est.tree_.feature, est.tree_.threshold) if f >= 0]
        xe = eval_rows(thr)
        options = {} if kind == "regression" else {id(model): {"zipmap": False}}
        onx = to_onnx(model, xe[:1], options=options, target_opset={"": 17, "ai.onnx.ml": 3})
        name = f"{case}.onnx"
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(onx.SerializeToString())
        sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
        res = sess.run(None, {sess.get_inputs()[0].name: xe})
        outputs = {o.name: np.asarray(r).reshape(len(xe), -1) for o, r in zip(sess.get_outputs(), res)}
        finite = ~np.isnan(xe).any(axis=1)
        sk = model.predict_proba(xe[finite]) if kind != "regression" else model.predict(xe[finite])
        key = "probabilities" if kind != "regression" else "variable"
        gap = np.max(np.abs(np.asarray(sk).reshape(finite.sum(), -1) - outputs[key][finite]))
        print(f"{case}: scikit-learn vs ONNX Runtime max |diff| on rows without NaN = {gap:.2e}")
        save(case, "onnx", [name], xe, outputs, tolerance=1e-5)


def main():
    os.makedirs(OUT, exist_ok=True)
    xgboost_models()
    lightgbm_models()
    sklearn_models()
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"cases": manifest, "feature_names": FEATURES}, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(manifest)} cases, {total / 1e6:.2f} MB to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
