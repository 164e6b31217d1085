#!/usr/bin/env python3
"""Builds small Keras models, saves them as Keras 3 `.keras` and legacy `.h5`, writes their ONNX exports and
records the outputs of Keras and of ONNX Runtime.

Run once (the outputs are committed in Tests/Fixtures/native/keras/, so CI needs no TensorFlow):
    .deps/test-venv/bin/python scripts/make_keras_models.py Tests/Fixtures/native/keras

Models (weights random, seeded):
  dense       Sequential MLP: Dense relu, Dropout, Dense tanh, Dense softmax
  cnn         Sequential CNN: Conv2D relu, BatchNormalization, MaxPooling2D, Conv2D, AveragePooling2D, Flatten,
              Dense, Activation softmax
  conv1d      Sequential: Conv1D relu, MaxPooling1D, Conv1D, GlobalAveragePooling1D, Dense sigmoid
  lstm        Sequential: LSTM (sequences), TimeDistributed(Dense relu), LSTM, Dense softmax
  gru         Sequential: GRU (sequences, reset_after), GRU, Dense sigmoid
  functional  two inputs, Dense branches joined by Concatenate, Add and Multiply, Reshape, BatchNormalization, two
              outputs
  masked      variable-length sequences: Masking, LSTM (sequences), GRU, Dense (Keras only: ONNX has no mask)
Bad files for load errors: `unknown_layer.keras` (a LayerNormalization, outside the supported set),
`truncated.h5` (dense.h5 cut in half), `traversal.keras` (dense.keras plus an entry named `../evil.json`),
`heap_loop.h5` (lstm.h5 with a global-heap object size that does not add up). `--bad-only` remakes just these.

The ONNX exports are written here with the onnx helper API, layer by layer (tf2onnx does not install next to
TensorFlow 2.21): Gemm, Conv, pooling, BatchNormalization, LSTM (gates i,o,f,c) and GRU (linear_before_reset=1).
reference.json holds, per model, the input and output names, inputs (batch 3) and Keras's outputs, plus ONNX
Runtime's outputs on the ONNX export, which must agree with Keras (checked here).
"""
import json
import os
import sys
import zipfile
from pathlib import Path

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from keras import layers  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

rng = np.random.default_rng(20261202)
keras.utils.set_random_seed(20261202)


def randomize(model):
    """Random weights (so biases and batch-norm statistics matter); variances stay positive."""
    for w in model.weights:
        v = rng.normal(0.0, 0.4, w.shape)
        if "variance" in w.path:
            v = rng.uniform(0.5, 1.5, w.shape)
        w.assign(v.astype("float32"))
    return model


def dense():
    return keras.Sequential([keras.Input((10,), name="features"), layers.Dense(16, activation="relu", name="hidden1"),
                             layers.Dropout(0.3), layers.Dense(8, activation="tanh", name="hidden2"),
                             layers.Dense(3, activation="softmax", name="probabilities")], name="dense")


def cnn():
    return keras.Sequential([keras.Input((10, 10, 2), name="image"), layers.Conv2D(4, 3, padding="same", activation="relu"),
                             layers.BatchNormalization(), layers.MaxPooling2D(2), layers.Conv2D(6, 3),
                             layers.AveragePooling2D(2), layers.Flatten(), layers.Dense(5),
                             layers.Activation("softmax", name="classes")], name="cnn")


def conv1d():
    return keras.Sequential([keras.Input((16, 3), name="track"), layers.Conv1D(5, 3, activation="relu"),
                             layers.MaxPooling1D(2), layers.Conv1D(4, 2, padding="same"), layers.GlobalAveragePooling1D(),
                             layers.Dense(1, activation="sigmoid", name="score")], name="conv1d")


def lstm():
    return keras.Sequential([keras.Input((6, 4), name="sequence"), layers.LSTM(8, return_sequences=True),
                             layers.TimeDistributed(layers.Dense(3, activation="relu")), layers.LSTM(5),
                             layers.Dense(2, activation="softmax", name="tag")], name="lstm")


def gru():
    return keras.Sequential([keras.Input((6, 4), name="sequence"), layers.GRU(8, return_sequences=True), layers.GRU(4),
                             layers.Dense(1, activation="sigmoid", name="tag")], name="gru")


def functional():
    a = keras.Input((6,), name="jets")
    b = keras.Input((4,), name="leptons")
    ha = layers.Dense(8, activation="relu", name="jet_dense")(a)
    hb = layers.Dense(8, activation="elu", name="lepton_dense")(b)
    s = layers.Add(name="sum")([ha, hb])
    m = layers.Multiply(name="product")([ha, hb])
    c = layers.Concatenate(name="joined")([s, m, b])
    r = layers.Reshape((4, 5), name="grid")(c)
    f = layers.Flatten()(layers.BatchNormalization(name="norm")(r))
    out1 = layers.Dense(3, activation="softmax", name="classes")(f)
    out2 = layers.Dense(1, name="regression")(c)
    return keras.Model([a, b], [out1, out2], name="functional")


def masked():
    return keras.Sequential([keras.Input((None, 3), name="hits"), layers.Masking(0.0), layers.LSTM(6, return_sequences=True),
                             layers.GRU(4), layers.Dense(2, activation="softmax", name="tag")], name="masked")


def unknown_layer():
    return keras.Sequential([keras.Input((5,), name="x"), layers.LayerNormalization(), layers.Dense(2)], name="unknown")


# ---- ONNX export (layer by layer) -------------------------------------------------------------------------------

class Exporter:
    def __init__(self):
        self.nodes, self.inits, self.k = [], [], 0

    def name(self, base):
        self.k += 1
        return f"{base}_{self.k}"

    def const(self, base, array):
        n = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def node(self, op, ins, n_out=1, **attrs):
        outs = [self.name(op) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op, ins, outs, name=outs[0], **attrs))
        return outs if n_out > 1 else outs[0]

    def activation(self, x, act):
        act = act if isinstance(act, str) else act.__name__
        return {"linear": lambda: x, "relu": lambda: self.node("Relu", [x]), "tanh": lambda: self.node("Tanh", [x]),
                "sigmoid": lambda: self.node("Sigmoid", [x]), "softmax": lambda: self.node("Softmax", [x], axis=-1),
                "elu": lambda: self.node("Elu", [x])}[act]()

    def nchw(self, x, rank):
        return self.node("Transpose", [x], perm=[0, rank - 1] + list(range(1, rank - 1)))

    def nhwc(self, x, rank):
        return self.node("Transpose", [x], perm=[0] + list(range(2, rank)) + [1])

    def layer(self, l, x):
        """ONNX nodes for Keras layer `l` on the value(s) x; returns the output value."""
        kind = type(l).__name__
        w = [v.numpy() for v in l.weights]
        if kind in ("Dropout", "InputLayer"):
            return x
        if kind == "Dense":
            y = self.node("MatMul", [x, self.const("kernel", w[0])])
            y = self.node("Add", [y, self.const("bias", w[1])])
            return self.activation(y, l.activation)
        if kind == "Activation":
            return self.activation(x, l.activation)
        if kind in ("Conv2D", "Conv1D"):
            rank = 4 if kind == "Conv2D" else 3
            kernel = np.transpose(w[0], (3, 2, 0, 1) if rank == 4 else (2, 1, 0))
            pads = "SAME_UPPER" if l.padding == "same" else "VALID"
            y = self.node("Conv", [self.nchw(x, rank), self.const("kernel", kernel), self.const("bias", w[1])],
                          auto_pad=pads, strides=list(l.strides))
            return self.activation(self.nhwc(y, rank), l.activation)
        if kind in ("MaxPooling2D", "AveragePooling2D", "MaxPooling1D"):
            rank = 4 if kind.endswith("2D") else 3
            op = "MaxPool" if kind.startswith("Max") else "AveragePool"
            y = self.node(op, [self.nchw(x, rank)], kernel_shape=list(l.pool_size), strides=list(l.strides))
            return self.nhwc(y, rank)
        if kind == "GlobalAveragePooling1D":
            return self.node("ReduceMean", [x], axes=[1], keepdims=0)
        if kind == "BatchNormalization":
            gamma, beta, mean, var = w
            scale = gamma / np.sqrt(var + l.epsilon)
            y = self.node("Mul", [x, self.const("scale", scale.astype("float32"))])
            return self.node("Add", [y, self.const("shift", (beta - mean * scale).astype("float32"))])
        if kind == "Flatten":
            return self.node("Flatten", [x], axis=1)
        if kind == "Reshape":
            return self.node("Reshape", [x, self.const("shape", np.array([-1, *l.target_shape]))])
        if kind == "Add":
            return self.node("Add", x)
        if kind == "Multiply":
            return self.node("Mul", x)
        if kind == "Concatenate":
            return self.node("Concat", x, axis=l.axis)
        if kind == "TimeDistributed":
            return self.layer(l.layer, x)
        if kind == "LSTM":
            units = l.units
            kernel, recurrent, bias = w
            order = lambda m: np.concatenate([m[..., :units], m[..., 3 * units:], m[..., units:2 * units],
                                              m[..., 2 * units:3 * units]], axis=-1)  # Keras i,f,c,o -> ONNX i,o,f,c
            W = order(kernel).T[None]
            R = order(recurrent).T[None]
            B = np.concatenate([order(bias), np.zeros(4 * units, "float32")])[None]
            return self.recurrent("LSTM", x, units, W, R, B, l.return_sequences)
        if kind == "GRU":
            units = l.units
            kernel, recurrent, bias = w  # Keras z,r,h = ONNX z,r,h; bias [input, recurrent]
            W, R, B = kernel.T[None], recurrent.T[None], bias.reshape(-1)[None]
            return self.recurrent("GRU", x, units, W, R, B, l.return_sequences, linear_before_reset=1)
        raise ValueError(f"no ONNX export for {kind}")

    def recurrent(self, op, x, units, W, R, B, sequences, **attrs):
        xt = self.node("Transpose", [x], perm=[1, 0, 2])
        outs = self.node(op, [xt, self.const("W", W.astype("float32")), self.const("R", R.astype("float32")),
                              self.const("B", B.astype("float32"))], n_out=2, hidden_size=units, **attrs)
        if sequences:
            y = self.node("Squeeze", [outs[0], self.const("axes", np.array([1]))])
            return self.node("Transpose", [y], perm=[1, 0, 2])
        return self.node("Squeeze", [outs[1], self.const("axes", np.array([0]))])

    def export(self, model, path):
        values = {}
        inputs = []
        for t in model.inputs:
            values[id(t)] = t.name
            shape = ["batch"] + [d for d in t.shape[1:]]
            inputs.append(helper.make_tensor_value_info(t.name, TensorProto.FLOAT, shape))
        if isinstance(model, keras.Sequential):
            x = model.inputs[0].name
            for l in model.layers:
                x = self.layer(l, x)
            finals = [x]
        else:
            for node_layer in model.layers:
                if type(node_layer).__name__ == "InputLayer":
                    continue
                for n in node_layer._inbound_nodes:
                    ins = [values[id(t)] for t in n.input_tensors]
                    y = self.layer(node_layer, ins if len(ins) > 1 else ins[0])
                    for t in n.output_tensors:
                        values[id(t)] = y
            finals = [values[id(t)] for t in model.outputs]
        outputs = []
        for name, value, t in zip(output_names(model), finals, model.outputs):
            self.nodes.append(helper.make_node("Identity", [value], [name], name=f"{name}_output"))
            outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch"] + list(t.shape[1:])))
        graph = helper.make_graph(self.nodes, model.name, inputs, outputs, self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="hepml make_keras_models")
        m.ir_version = 8
        onnx.checker.check_model(m)
        onnx.save(m, path)


# ---- driver ----------------------------------------------------------------------------------------------------

def output_names(model):
    """Output names as the file gives them: the layers that produce the outputs."""
    return [t._keras_history.operation.name for t in model.outputs]


def sample(model):
    arrays = {}
    for t in model.inputs:
        shape = [3] + [d if d is not None else 5 for d in t.shape[1:]]
        arrays[t.name] = rng.normal(0.0, 1.0, shape).astype("float32")
    if model.name == "masked":
        x = arrays["hits"]
        x[0, 3:] = 0.0  # padded tail
        x[1, 1] = 0.0   # a masked step in the middle
        x[2, :] = np.where(np.arange(5)[:, None] == 0, x[2, :], x[2, :])
    return arrays


def main(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    reference = {}
    for build in (dense, cnn, conv1d, lstm, gru, functional, masked):
        model = randomize(build())
        name = model.name
        model.save(out / f"{name}.keras")
        model.save(out / f"{name}.h5")
        arrays = sample(model)
        feed = [arrays[t.name] for t in model.inputs]
        keras_out = model.predict(feed if len(feed) > 1 else feed[0], verbose=0)
        if not isinstance(keras_out, list):
            keras_out = [keras_out]
        entry = {
            "inputs": [{"name": k, "shape": list(v.shape), "data": v.ravel().tolist()} for k, v in arrays.items()],
            "outputs": [{"name": n, "shape": list(np.shape(o)), "data": np.ravel(o).tolist()}
                        for n, o in zip(output_names(model), keras_out)],
        }
        # Both saved files reload in Keras with the same outputs.
        for ext in ("keras", "h5"):
            again = keras.models.load_model(out / f"{name}.{ext}", compile=False)
            got = again.predict(feed if len(feed) > 1 else feed[0], verbose=0)
            got = got if isinstance(got, list) else [got]
            for a, b in zip(got, keras_out):
                assert np.allclose(a, b, rtol=1e-6, atol=1e-7), (name, ext)
        if name != "masked":
            Exporter().export(model, str(out / f"{name}.onnx"))
            session = ort.InferenceSession(str(out / f"{name}.onnx"))
            ort_out = session.run(None, arrays)
            entry["onnx_outputs"] = [{"name": n, "shape": list(o.shape), "data": o.ravel().tolist()}
                                     for n, o in zip(output_names(model), ort_out)]
            for a, b in zip(ort_out, keras_out):
                assert np.allclose(a, b, rtol=1e-5, atol=1e-6), (name, np.abs(a - b).max())
        reference[name] = entry
        print(name, "ok", [o["shape"] for o in entry["outputs"]])
    (out / "reference.json").write_text(json.dumps(reference) + "\n")
    bad_files(out)


def bad_files(out: Path):
    randomize(unknown_layer()).save(out / "unknown_layer.keras")
    raw = (out / "dense.h5").read_bytes()
    (out / "truncated.h5").write_bytes(raw[: len(raw) // 2])
    with zipfile.ZipFile(out / "dense.keras") as src, zipfile.ZipFile(out / "traversal.keras", "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("../evil.json", "{}")
    # lstm.h5 with one global-heap object size grown by 138 bytes (its successors no longer line up): libhdf5
    # 1.10 loops forever on it, hepml must refuse it before.
    data = bytearray((out / "lstm.h5").read_bytes())
    start = data.index(b"GCOL")
    p = start + 16
    for _ in range(16):
        p += 16 + (int.from_bytes(data[p + 8:p + 16], "little") + 7) // 8 * 8
    data[p + 8] += 138
    (out / "heap_loop.h5").write_bytes(bytes(data))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    target = Path(args[0] if args else "Tests/Fixtures/native/keras")
    bad_files(target) if "--bad-only" in sys.argv else main(target)
