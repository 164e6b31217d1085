"""`hepml.tf.dataset(params, split="train")`: a tf.data.Dataset of (X, y, w) batches streamed from hepml
(needs TensorFlow)."""
import tensorflow as tf

from . import training


def dataset(params, split="train", specs=None, epoch=0):
    params = training._params(params)
    specs = specs if specs is not None else training.specs(params)
    width = training.dataset_info(params, specs)["width"]

    def batches():
        for b in training.dataset_stream(params, specs, split, {"index": 0, "count": 1, "epoch": epoch}):
            n = b.num_rows
            yield (b.column("X").values.to_numpy().reshape(n, width), b.column("y").to_numpy(), b.column("w").to_numpy())

    spec = (tf.TensorSpec((None, width), tf.float32), tf.TensorSpec((None,), tf.float32), tf.TensorSpec((None,), tf.float32))
    return tf.data.Dataset.from_generator(batches, output_signature=spec)
