"""hepml.tf.dataset: a tf.data.Dataset holding every event of the split exactly once, in the batches the torch
path gives, and trainable by Keras 3 with the TensorFlow backend.

TensorFlow runs in a child process: Keras picks its backend at import, and the other tests use the torch one."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import PROJECT_ROOT

torch = pytest.importorskip("torch")
hepml = pytest.importorskip("hepml")
import hepml.torch  # noqa: E402

SAMPLE = str(PROJECT_ROOT / "examples" / "data" / "nanoAOD_2015_CMS_Open_Data_ttbar.root")
# `eid` identifies an event (the CMS event number folded below 2^22, unique in the sample, exact in float32).
PARAMS = {
    "files": [{"path": SAMPLE}], "branches": ["eid", "MET_pt", "Jet_pt"], "defines": ["eid = event % 4000037"],
    "label": "MET_pt > 30", "lengths": {"Jet_*": 3}, "normalization": "none", "batch_size": 16, "chunk_size": 64,
    "seed": 5, "split": {"train": 0.6, "validation": 0.2, "test": 0.2},
}

CHILD = r"""
import json, sys
import numpy as np
import keras, tensorflow as tf
import hepml, hepml.tf
params, specs, eid = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
ds = hepml.tf.dataset(params, split="train", specs=specs)
assert isinstance(ds, tf.data.Dataset)
out = {"backend": keras.backend.backend(), "batches": []}
for x, y, w in ds:
    out["batches"].append({"eid": x.numpy()[:, eid].astype(np.int64).tolist(), "X": x.numpy().tolist(),
                           "y": y.numpy().tolist(), "w": w.numpy().tolist()})
masked = next(iter(hepml.tf.dataset(params, split="train", specs=specs, with_mask=True)))
out["mask"] = masked[0].numpy()[:, x.shape[1]:].tolist()
keras.utils.set_random_seed(1)
model = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
before = [v.numpy().copy() for v in model.trainable_variables]
history = model.fit(ds, epochs=1, steps_per_epoch=1, verbose=0)
out["loss"] = history.history["loss"]
out["moved"] = any(not np.array_equal(a, v.numpy()) for a, v in zip(before, model.trainable_variables))
print(json.dumps(out))
"""


def test_tf_dataset_holds_each_train_event_once_and_keras_trains():
    specs = hepml.specs(PARAMS)
    ds = hepml.torch.Dataset(PARAMS, split="train", specs=specs)
    eid = ds.features.index("eid")
    reference = list(ds)
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2")
    r = subprocess.run([sys.executable, "-c", CHILD, json.dumps(PARAMS), json.dumps(specs), str(eid)], env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["backend"] == "tensorflow"

    got = [e for b in out["batches"] for e in b["eid"]]
    want = [e for b in reference for e in b["X"][:, eid].numpy().astype(np.int64).tolist()]
    assert len(got) == len(set(got)) and 90 < len(got) < 150
    assert got == want
    all_events = []
    for split in ("train", "validation", "test"):
        all_events += [e for b in hepml.torch.Dataset(PARAMS, split=split, specs=specs)
                       for e in b["X"][:, eid].numpy().astype(np.int64).tolist()]
    assert sorted(all_events) == sorted(set(all_events)) and len(all_events) == 200
    assert set(got) <= set(all_events)

    assert len(out["batches"]) == len(reference)
    for b, ref in zip(out["batches"], reference):
        assert np.array_equal(np.array(b["X"], dtype=np.float32), ref["X"].numpy())
        assert np.array_equal(np.array(b["y"], dtype=np.float32), ref["y"].numpy())
        assert np.array_equal(np.array(b["w"], dtype=np.float32), ref["w"].numpy())
    assert np.array_equal(np.array(out["mask"], dtype=np.float32), reference[0]["mask"].numpy())

    assert len(out["loss"]) == 1 and np.isfinite(out["loss"][0]) and out["loss"][0] > 0
    assert out["moved"], "one Keras step on the tf.data batches changed no weight"
