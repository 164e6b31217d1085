#!/usr/bin/env python3
"""Builds small Keras models, writes them as lwtnn JSON and records Keras's own outputs as references.

Run once (the outputs are committed in Tests/Fixtures/lwtnn/), in a throwaway venv:
    python3 -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install tensorflow-cpu
    /tmp/kvenv/bin/python scripts/make_lwtnn_models.py Tests/Fixtures/lwtnn

The Keras -> lwtnn weight mapping follows lwtnn's documented format: a dense matrix is a flat row-major
(n_out x n_in) list, so Keras's (n_in x n_out) kernel is written transposed; LSTM gates are the components
i, f, c, o and GRU gates z, r, h, each with `weights` (W), `U` (recurrent) and `bias`; a batch normalisation
becomes a `normalization` layer computing W * (x + b). Inputs are raw values: the network applies
(x + offset) * scale itself, so Keras is fed the preprocessed values.
"""
import json
import os
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras  # noqa: E402

keras.config.set_floatx("float64")
rng = np.random.default_rng(20261202)
N_CASES = 50

ACTIVATIONS = {"relu": "rectified", "linear": "linear", "sigmoid": "sigmoid", "tanh": "tanh",
               "softmax": "softmax", "elu": "elu", "hard_sigmoid": "hard_sigmoid"}


def run(model, inputs):
    """Keras's own answer, from an eager call (`predict` retraces per sequence length and gave wrong answers
    for the multi-input graph model with keras 3.15 / TF 2.21)."""
    out = model(inputs, training=False)
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else np.asarray(out)


def randomize(model):
    model.set_weights([rng.normal(0.0, 0.5, w.shape) for w in model.get_weights()])


def act(layer):
    return ACTIVATIONS[layer.activation.__name__]


def flat(matrix):
    """A Keras (n_in x n_out) kernel as lwtnn's row-major (n_out x n_in) list."""
    return [float(v) for v in np.asarray(matrix).T.reshape(-1)]


def dense_json(layer):
    kernel, bias = layer.get_weights()
    return {"architecture": "dense", "activation": act(layer), "weights": flat(kernel),
            "bias": [float(b) for b in bias]}


def batchnorm_json(layer):
    gamma, beta, mean, var = layer.get_weights()
    w = gamma / np.sqrt(var + layer.epsilon)
    return {"architecture": "normalization", "weights": [float(v) for v in w],
            "bias": [float(v) for v in (beta / w - mean)]}


def gates_json(kernel, recurrent, bias, names, units):
    comps = {}
    for g, name in enumerate(names):
        cols = slice(g * units, (g + 1) * units)
        comps[name] = {"weights": flat(kernel[:, cols]), "U": flat(recurrent[:, cols]),
                       "bias": [float(b) for b in bias[cols]]}
    return comps


def lstm_json(layer):
    kernel, recurrent, bias = layer.get_weights()
    return {"architecture": "lstm", "activation": act(layer),
            "inner_activation": ACTIVATIONS[layer.recurrent_activation.__name__],
            "components": gates_json(kernel, recurrent, bias, ["i", "f", "c", "o"], layer.units)}


def gru_json(layer):
    assert not layer.reset_after, "lwtnn's GRU is the reset_after=False form"
    kernel, recurrent, bias = layer.get_weights()
    return {"architecture": "gru", "activation": act(layer),
            "inner_activation": ACTIVATIONS[layer.recurrent_activation.__name__],
            "components": gates_json(kernel, recurrent, bias, ["z", "r", "h"], layer.units)}


def variables(names, with_defaults=()):
    out = []
    for name in names:
        v = {"name": name, "offset": float(rng.normal(0, 2)), "scale": float(rng.uniform(0.2, 2.0))}
        if name in with_defaults:
            v["default"] = float(rng.normal())
        out.append(v)
    return out


def preprocess(raw, vs):
    return (raw + np.array([v["offset"] for v in vs])) * np.array([v["scale"] for v in vs])


def write(out_dir, name, model_json, reference):
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(model_json, f)
    with open(os.path.join(out_dir, name + ".reference.json"), "w") as f:
        json.dump(reference, f)


def dense_model(out_dir):
    names = ["jet_pt", "jet_eta", "jet_phi", "n_tracks", "sv_mass", "sv_dr", "ip2d_sig", "ip3d_sig"]
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Dense(12, activation="elu"),
                              keras.layers.Dense(10, activation="tanh"), keras.layers.Dense(3, activation="softmax")])
    randomize(model)
    bn = model.layers[1]
    g, b, m, v = bn.get_weights()
    bn.set_weights([g, b, m, np.abs(v) + 0.5])
    vs = variables(names)
    defaults = {"n_tracks": 2.0, "sv_mass": -1.0}
    lw = {"inputs": vs, "layers": [dense_json(model.layers[0]), batchnorm_json(model.layers[1])]
          + [dense_json(l) for l in model.layers[2:]],
          "outputs": ["b", "c", "light"], "defaults": defaults,
          "miscellaneous": {"producer": "scripts/make_lwtnn_models.py"}}
    raw = rng.normal(0, 3, (N_CASES, len(names)))
    y = run(model, preprocess(raw, vs))
    cases = [{"inputs": dict(zip(names, map(float, raw[i]))),
              "outputs": {"outputs": dict(zip(lw["outputs"], map(float, y[i])))}} for i in range(N_CASES)]
    write(out_dir, "dense", lw, {"format": "lwtnn-sequential", "producer": "keras " + keras.__version__, "cases": cases})


def recurrent_model(out_dir, kind):
    names = ["trk_pt", "trk_eta", "trk_d0", "trk_z0"]
    rnn = keras.layers.LSTM(7) if kind == "lstm" else keras.layers.GRU(6, reset_after=False)
    head = keras.layers.Dense(1, activation="sigmoid") if kind == "lstm" else keras.layers.Dense(2, activation="softmax")
    model = keras.Sequential([keras.Input((None, 4)), rnn, head])
    randomize(model)
    vs = variables(names)
    labels = ["signal"] if kind == "lstm" else ["sig", "bkg"]
    lw = {"inputs": vs, "layers": [lstm_json(rnn) if kind == "lstm" else gru_json(rnn), dense_json(head)],
          "outputs": labels}
    cases = []
    for i in range(N_CASES):
        t = int(rng.integers(1, 9))
        raw = rng.normal(0, 2, (t, 4))
        y = run(model, preprocess(raw, vs)[None])[0]
        cases.append({"inputs": {n: [float(x) for x in raw[:, j]] for j, n in enumerate(names)},
                      "outputs": {"outputs": dict(zip(labels, map(float, y)))}})
    write(out_dir, kind, lw, {"format": "lwtnn-sequential", "producer": "keras " + keras.__version__, "cases": cases})


def graph_model(out_dir):
    jet_names, event_names, track_names = ["pt", "eta", "mass"], ["n_pv", "rho"], ["d0", "z0", "dr", "ptfrac"]
    jet = keras.Input((3,), name="jet")
    event = keras.Input((2,), name="event")
    tracks = keras.Input((None, 4), name="tracks")
    td_layer = keras.layers.Dense(5, activation="relu")
    td = keras.layers.TimeDistributed(td_layer)(tracks)
    lstm = keras.layers.LSTM(6)
    seq = lstm(td)
    summed = keras.layers.Lambda(lambda x: keras.ops.sum(x, axis=1), output_shape=(5,))(td)
    merged = keras.layers.Concatenate()([jet, event, seq, summed])
    hidden_layer = keras.layers.Dense(10, activation="relu")
    hidden = hidden_layer(merged)
    flavour_layer = keras.layers.Dense(3, activation="softmax")
    regression_layer = keras.layers.Dense(1, activation="linear")
    model = keras.Model([jet, event, tracks], [flavour_layer(hidden), regression_layer(hidden)])
    randomize(model)
    jv, ev, tv = variables(jet_names, {"mass"}), variables(event_names, {"rho"}), variables(track_names)
    lw = {
        "inputs": [{"name": "jet", "variables": jv}, {"name": "event", "variables": ev}],
        "input_sequences": [{"name": "tracks", "variables": tv}],
        "nodes": [
            {"type": "input", "sources": [0], "size": 3},
            {"type": "input", "sources": [1], "size": 2},
            {"type": "input_sequence", "sources": [0], "size": 4},
            {"type": "time_distributed", "sources": [2], "layer_index": 0},
            {"type": "sequence", "sources": [3], "layer_index": 1},
            {"type": "sum", "sources": [3]},
            {"type": "concatenate", "sources": [0, 1, 4, 5]},
            {"type": "feed_forward", "sources": [6], "layer_index": 2},
            {"type": "feed_forward", "sources": [7], "layer_index": 3},
            {"type": "feed_forward", "sources": [7], "layer_index": 4},
        ],
        "layers": [dense_json(td_layer), lstm_json(lstm), dense_json(hidden_layer), dense_json(flavour_layer),
                   dense_json(regression_layer)],
        "outputs": {"flavour": {"labels": ["b", "c", "u"], "node_index": 8},
                    "regression": {"labels": ["pt_ratio"], "node_index": 9}},
    }
    cases = []
    for i in range(N_CASES):
        t = int(rng.integers(1, 7))
        rj, re_, rt = rng.normal(0, 2, 3), rng.normal(0, 2, 2), rng.normal(0, 2, (t, 4))
        fl, reg = run(model, [preprocess(rj, jv)[None], preprocess(re_, ev)[None], preprocess(rt, tv)[None]])
        inputs = dict(zip(jet_names, map(float, rj)))
        inputs.update(zip(event_names, map(float, re_)))
        inputs.update({n: [float(x) for x in rt[:, j]] for j, n in enumerate(track_names)})
        cases.append({"inputs": inputs, "outputs": {"flavour": dict(zip(["b", "c", "u"], map(float, fl[0]))),
                                                    "regression": {"pt_ratio": float(reg[0][0])}}})
    write(out_dir, "graph", lw, {"format": "lwtnn-graph", "producer": "keras " + keras.__version__, "cases": cases})


def layers_model(out_dir):
    """Layers Keras 3 no longer has (maxout, highway, embedding inside a sequence) and the parametrised
    activations, in one graph model. The reference is a plain numpy evaluation of lwtnn's documented
    semantics (maxout: max over sublayers of W x + b; highway: c*t + (1-c)*x with c = sigmoid(W_c x + b_c);
    normalization: W * (x + b); embedding: the integer variable at `index` replaced by column `category` of
    the n_out x categories table), independent of the Swift code."""
    def dense(n_out, n_in, activation):
        return {"architecture": "dense", "activation": activation,
                "weights": list(rng.normal(0, 0.7, n_out * n_in)), "bias": list(rng.normal(0, 0.3, n_out))}

    maxout = {"architecture": "maxout",
              "sublayers": [{"weights": list(rng.normal(0, 0.7, 20)), "bias": list(rng.normal(0, 0.3, 5))} for _ in range(3)]}
    highway = {"architecture": "highway", "activation": "tanh",
               "components": {"t": {"weights": list(rng.normal(0, 0.7, 25)), "bias": list(rng.normal(0, 0.3, 5))},
                              "carry": {"weights": list(rng.normal(0, 0.7, 25)), "bias": list(rng.normal(0, 0.3, 5))}}}
    norm = {"architecture": "normalization", "weights": list(rng.uniform(0.5, 2, 5)), "bias": list(rng.normal(0, 1, 5))}
    leaky = dense(5, 4, {"function": "leakyrelu", "alpha": 0.1})
    swish = dense(2, 5, {"function": "swish", "alpha": 1.3})
    table = rng.normal(0, 1, (2, 4))  # n_out x categories
    embedding = {"architecture": "embedding",
                 "sublayers": [{"index": 0, "n_out": 2, "weights": [float(v) for v in table.reshape(-1)]}]}
    td = dense(3, 4, "abs")
    head = dense(2, 3, "hard_sigmoid")
    ident = [{"name": n, "offset": 0.0, "scale": 1.0} for n in ["cat", "u", "v"]]
    lw = {
        "inputs": [{"name": "x", "variables": variables(["x0", "x1", "x2", "x3"])},
                   {"name": "y", "variables": variables(["y0", "y1", "y2", "y3"])}],
        "input_sequences": [{"name": "s", "variables": ident}],
        "nodes": [
            {"type": "input", "sources": [0], "size": 4},
            {"type": "input", "sources": [1], "size": 4},
            {"type": "feed_forward", "sources": [0], "layer_index": 0},
            {"type": "feed_forward", "sources": [2], "layer_index": 1},
            {"type": "feed_forward", "sources": [3], "layer_index": 2},
            {"type": "feed_forward", "sources": [1], "layer_index": 3},
            {"type": "add", "sources": [4, 5]},
            {"type": "feed_forward", "sources": [6], "layer_index": 4},
            {"type": "input_sequence", "sources": [0], "size": 3},
            {"type": "sequence", "sources": [8], "layer_index": 5},
            {"type": "time_distributed", "sources": [9], "layer_index": 6},
            {"type": "sum", "sources": [10]},
            {"type": "feed_forward", "sources": [11], "layer_index": 7},
        ],
        "layers": [maxout, highway, norm, leaky, swish, embedding, td, head],
        "outputs": {"out": {"labels": ["a", "b"], "node_index": 7}, "pooled": {"labels": ["p", "q"], "node_index": 12}},
    }

    def mat(layer, n_in):
        return np.array(layer["weights"]).reshape(-1, n_in)

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    cases = []
    for _ in range(N_CASES):
        rx, ry = rng.normal(0, 2, 4), rng.normal(0, 2, 4)
        t = int(rng.integers(1, 6))
        seq = np.column_stack([rng.integers(0, 4, t).astype(float), rng.normal(0, 1, (t, 2))])
        x = preprocess(rx, lw["inputs"][0]["variables"])
        y = preprocess(ry, lw["inputs"][1]["variables"])
        m = np.max([mat(sub, 4) @ x + sub["bias"] for sub in maxout["sublayers"]], axis=0)
        c = sigmoid(mat(highway["components"]["carry"], 5) @ m + highway["components"]["carry"]["bias"])
        tt = np.tanh(mat(highway["components"]["t"], 5) @ m + highway["components"]["t"]["bias"])
        h = c * tt + (1 - c) * m
        a = np.array(norm["weights"]) * (h + norm["bias"])
        z = mat(leaky, 4) @ y + leaky["bias"]
        b = np.where(z > 0, z, 0.1 * z)
        o = mat(swish, 5) @ (a + b) + swish["bias"]
        out = o * sigmoid(1.3 * o)
        emb = np.array([np.concatenate([table[:, int(r[0])], r[1:]]) for r in seq])
        pooled_in = np.abs(emb @ mat(td, 4).T + td["bias"]).sum(axis=0)
        pooled = np.clip(0.2 * (mat(head, 3) @ pooled_in + head["bias"]) + 0.5, 0, 1)
        inputs = {f"x{i}": float(v) for i, v in enumerate(rx)}
        inputs.update({f"y{i}": float(v) for i, v in enumerate(ry)})
        inputs.update({n: [float(v) for v in seq[:, j]] for j, n in enumerate(["cat", "u", "v"])})
        cases.append({"inputs": inputs, "outputs": {"out": dict(zip("ab", map(float, out))),
                                                    "pooled": dict(zip("pq", map(float, pooled)))}})
    lw["layers"] = json.loads(json.dumps(lw["layers"], default=float))
    write(out_dir, "layers", lw, {"format": "lwtnn-graph", "producer": "numpy " + np.__version__, "cases": cases})


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/lwtnn"
    os.makedirs(out_dir, exist_ok=True)
    dense_model(out_dir)
    recurrent_model(out_dir, "lstm")
    recurrent_model(out_dir, "gru")
    graph_model(out_dir)
    layers_model(out_dir)


if __name__ == "__main__":
    main()
