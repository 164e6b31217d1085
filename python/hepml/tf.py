"""`hepml.tf.dataset(params, split="train")`: a tf.data.Dataset of (X, y, w) batches streamed from hepml
(needs TensorFlow). Keras `model.fit(ds)` takes the triples as (x, y, sample_weight)."""
import itertools

import numpy as np
import tensorflow as tf

from . import training


def dataset(params, split="train", specs=None, epoch=0, with_mask=False):
    """Batches of one split (params: a TrainingParams, dict or params file path; specs: a dict or file, computed
    when None). Each pass over the dataset (each Keras epoch) reads the split with the shuffle of the next epoch,
    starting at `epoch`. with_mask: X is [n, 2F], the values followed by the mask."""
    params = training._params(params)
    specs = specs if specs is not None else training.specs(params)
    width = training.dataset_info(params, specs)["width"]
    passes = itertools.count(int(epoch))

    def batches():
        shard = {"index": 0, "count": 1, "epoch": next(passes)}
        for b in training.dataset_stream(params, specs, split, shard):
            x = training.column_array(b.column("X"))
            if with_mask:
                x = np.concatenate([x, training.column_array(b.column("mask"))], axis=1)
            yield x, training.column_array(b.column("y")), training.column_array(b.column("w"))

    columns = 2 * width if with_mask else width
    spec = (tf.TensorSpec((None, columns), tf.float32), tf.TensorSpec((None,), tf.float32),
            tf.TensorSpec((None,), tf.float32))
    return tf.data.Dataset.from_generator(batches, output_signature=spec)
