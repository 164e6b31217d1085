#!/usr/bin/env python3
"""Builds small TensorFlow models as TF2 SavedModels and frozen GraphDefs and records TensorFlow's own outputs.

Run once (the outputs are committed in Tests/Fixtures/native/tf/, so CI needs no TensorFlow):
    .deps/test-venv/bin/python scripts/make_tf_models.py Tests/Fixtures/native/tf

Models (weights random, seeded):
  dense  Keras MLP (Dense relu/tanh/softmax)
  cnn    Keras CNN (Conv2D + BatchNormalization + MaxPool, DepthwiseConv2D, AveragePooling, Flatten, Dense)
  lstm   Keras LSTM tagger (LSTM -> Dense sigmoid)
  gru    Keras GRU tagger (GRU -> Dense softmax)
  f64    a plain tf.Module computing in float64 (tf.saved_model.save, a dict output)
Each becomes `NAME.savedmodel/` (saved_model.pb + variables/) and `NAME.pb`, the `serving_default` signature frozen
with convert_variables_to_constants_v2(lower_control_flow=True): the recurrent models' while-loops appear as TF1
Enter/Exit/Merge/Switch/LoopCond/NextIteration with TensorList ops. reference.json holds, per model, the
signature's input/output names, the frozen graph's placeholder/output node names, and inputs with TensorFlow's
outputs for a batch of 4 and a batch of 1.

`lstm.onnx` is the LSTM tagger written as ONNX (Transpose, LSTM with gates reordered i,f,c,o -> i,o,f,c, Squeeze,
Gemm, Sigmoid) from the SavedModel's weights, checked against TensorFlow in ONNX Runtime: the ONNX Runtime peer of
bench/native_bench.py. `--onnx-only` writes just that file from an existing lstm.savedmodel.
"""
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2  # noqa: E402

rng = np.random.default_rng(20261202)


def randomize(model):
    """Random weights (so biases and batch-norm statistics matter); variances stay positive."""
    for w in model.weights:
        v = rng.normal(0.0, 0.4, w.shape)
        if "variance" in w.path:
            v = rng.uniform(0.5, 1.5, w.shape)
        w.assign(v.astype(w.dtype))


def dense():
    x = keras.Input((20,), name="features")
    h = keras.layers.Dense(32, activation="relu")(x)
    h = keras.layers.Dense(16, activation="tanh")(h)
    y = keras.layers.Dense(3, activation="softmax")(h)
    return keras.Model(x, y), (20,)


def cnn():
    x = keras.Input((16, 16, 2), name="image")
    h = keras.layers.Conv2D(6, 3, padding="same")(x)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.Activation("relu")(h)
    h = keras.layers.MaxPooling2D(2)(h)
    h = keras.layers.DepthwiseConv2D(3, padding="same", activation="relu")(h)
    h = keras.layers.Conv2D(8, 3, activation="elu")(h)
    h = keras.layers.AveragePooling2D(2)(h)
    h = keras.layers.Flatten()(h)
    y = keras.layers.Dense(5, activation="softmax")(h)
    return keras.Model(x, y), (16, 16, 2)


def lstm():
    x = keras.Input((12, 5), name="tracks")
    h = keras.layers.LSTM(16)(x)
    y = keras.layers.Dense(1, activation="sigmoid")(h)
    return keras.Model(x, y), (12, 5)


def gru():
    x = keras.Input((10, 6), name="constituents")
    h = keras.layers.GRU(12)(x)
    y = keras.layers.Dense(3, activation="softmax")(h)
    return keras.Model(x, y), (10, 6)


class Float64Net(tf.Module):
    """A two-layer network in float64 with a named dict output."""

    def __init__(self):
        super().__init__()
        self.w1 = tf.Variable(rng.normal(0, 0.5, (8, 12)), dtype=tf.float64, name="w1")
        self.b1 = tf.Variable(rng.normal(0, 0.5, (12,)), dtype=tf.float64, name="b1")
        self.w2 = tf.Variable(rng.normal(0, 0.5, (12, 2)), dtype=tf.float64, name="w2")
        self.b2 = tf.Variable(rng.normal(0, 0.5, (2,)), dtype=tf.float64, name="b2")

    @tf.function(input_signature=[tf.TensorSpec([None, 8], tf.float64, name="x")])
    def __call__(self, x):
        h = tf.tanh(tf.matmul(x, self.w1) + self.b1)
        return {"y": tf.nn.softmax(tf.matmul(h, self.w2) + self.b2)}


def freeze(saved_dir: Path, pb_path: Path):
    """The serving signature as a frozen GraphDef with TF1 lowered control flow; its input/output node names."""
    loaded = tf.saved_model.load(str(saved_dir))
    func = loaded.signatures["serving_default"]
    frozen = convert_variables_to_constants_v2(func, lower_control_flow=True)
    pb_path.write_bytes(frozen.graph.as_graph_def().SerializeToString())
    ins = [t.name.split(":")[0] for t in frozen.inputs if t.dtype != tf.resource]
    outs = [t.name.split(":")[0] for t in frozen.outputs]
    return ins, outs, func


def signature_io(func):
    ins = {k: v for k, v in func.structured_input_signature[1].items()}
    outs = list(func.structured_outputs.keys())
    return ins, outs


def record(func, in_names, out_names, pb_ins, pb_outs, arrays):
    cases = []
    for batch in arrays:
        got = func(**{n: tf.constant(a) for n, a in zip(in_names, batch)})
        cases.append({
            "inputs": {n: {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.ravel().tolist()} for n, a in zip(in_names, batch)},
            "outputs": {n: {"shape": list(got[n].shape), "dtype": got[n].dtype.name, "data": got[n].numpy().ravel().tolist()}
                        for n in out_names},
        })
    # The frozen graph's outputs come in the order of the signature's sorted output keys.
    return {"signature_inputs": in_names, "signature_outputs": out_names, "pb_inputs": pb_ins, "pb_outputs": pb_outs,
            "cases": cases}


def lstm_onnx(out: Path, reference: dict):
    """The LSTM tagger as ONNX from the SavedModel's variables; asserts ONNX Runtime gives TensorFlow's outputs."""
    import onnx
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    weights = {v.name.split(":")[0]: v.numpy() for v in tf.saved_model.load(str(out / "lstm.savedmodel")).variables}
    kernel, recurrent, bias = (weights[f"lstm/lstm_cell/{k}"] for k in ("kernel", "recurrent_kernel", "bias"))
    units = recurrent.shape[0]

    def gates(m):  # Keras i,f,c,o along the last axis -> ONNX i,o,f,c
        i, f, c, o = np.split(m, 4, axis=-1)
        return np.concatenate([i, o, f, c], axis=-1)

    inits = [numpy_helper.from_array(gates(kernel).T[None].astype(np.float32), "W"),
             numpy_helper.from_array(gates(recurrent).T[None].astype(np.float32), "R"),
             numpy_helper.from_array(np.concatenate([gates(bias), np.zeros(4 * units)])[None].astype(np.float32), "B"),
             numpy_helper.from_array(np.array([0], dtype=np.int64), "axis0"),
             numpy_helper.from_array(weights["dense_4/kernel"].astype(np.float32), "dense_w"),
             numpy_helper.from_array(weights["dense_4/bias"].astype(np.float32), "dense_b")]
    nodes = [helper.make_node("Transpose", ["tracks"], ["time_major"], perm=[1, 0, 2]),
             helper.make_node("LSTM", ["time_major", "W", "R", "B"], ["", "h_last"], hidden_size=units),
             helper.make_node("Squeeze", ["h_last", "axis0"], ["h"]),
             helper.make_node("Gemm", ["h", "dense_w", "dense_b"], ["logit"]),
             helper.make_node("Sigmoid", ["logit"], ["output_0"])]
    graph = helper.make_graph(nodes, "lstm_tagger", [helper.make_tensor_value_info("tracks", TensorProto.FLOAT, ["batch", 12, 5])],
                              [helper.make_tensor_value_info("output_0", TensorProto.FLOAT, ["batch", 1])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_tf_models.py")
    onnx.checker.check_model(model)
    (out / "lstm.onnx").write_bytes(model.SerializeToString())
    session = onnxruntime.InferenceSession(str(out / "lstm.onnx"), providers=["CPUExecutionProvider"])
    for case in reference["models"]["lstm"]["cases"]:
        x = case["inputs"]["tracks"]
        got = session.run(None, {"tracks": np.asarray(x["data"], dtype=np.float32).reshape(x["shape"])})[0]
        want = np.asarray(case["outputs"]["output_0"]["data"]).reshape(got.shape)
        assert np.allclose(got, want, rtol=1e-5, atol=1e-6), (got, want)


def main(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    reference = {"tolerance": 1e-5, "tensorflow": tf.__version__, "keras": keras.__version__, "models": {}}
    builders = {"dense": dense, "cnn": cnn, "lstm": lstm, "gru": gru}
    for name, build in builders.items():
        model, shape = build()
        randomize(model)
        saved = out / f"{name}.savedmodel"
        shutil.rmtree(saved, ignore_errors=True)
        model.export(str(saved), format="tf_saved_model", verbose=False)
        pb_ins, pb_outs, func = freeze(saved, out / f"{name}.pb")
        in_names, out_names = signature_io(func)
        arrays = [[rng.normal(0, 1, (b, *shape)).astype(np.float32)] for b in (4, 1)]
        reference["models"][name] = record(func, list(in_names), out_names, pb_ins, pb_outs, arrays)
        # Cross-check: the Keras model itself gives the same answer.
        direct = np.asarray(model(arrays[0][0], training=False))
        got = np.asarray(reference["models"][name]["cases"][0]["outputs"][out_names[0]]["data"]).reshape(direct.shape)
        assert np.allclose(direct, got, rtol=1e-5, atol=1e-6), name

    net = Float64Net()
    saved = out / "f64.savedmodel"
    shutil.rmtree(saved, ignore_errors=True)
    tf.saved_model.save(net, str(saved), signatures={"serving_default": net.__call__})
    pb_ins, pb_outs, func = freeze(saved, out / "f64.pb")
    in_names, out_names = signature_io(func)
    arrays = [[rng.normal(0, 1, (b, 8))] for b in (4, 1)]
    reference["models"]["f64"] = record(func, list(in_names), out_names, pb_ins, pb_outs, arrays)

    (out / "reference.json").write_text(json.dumps(reference, indent=1) + "\n")
    lstm_onnx(out, reference)
    for p in sorted(out.rglob("*")):
        if p.is_file():
            print(f"{p.stat().st_size:>9}  {p.relative_to(out)}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    target = Path(args[0] if args else "Tests/Fixtures/native/tf")
    if "--onnx-only" in sys.argv:
        lstm_onnx(target, json.loads((target / "reference.json").read_text()))
    else:
        main(target)
