"""`hepml.keras.Dataset(params, split="train")`: a keras.utils.PyDataset of (x, y, sample_weight) batches
streamed from hepml (Keras 3, any backend). Batches are read in order (an index out of order restarts or skips
ahead in the stream); each epoch re-reads the split with its own shuffle (seeded by params["seed"] and the
epoch)."""
import keras
import numpy as np

from . import training


class Dataset(keras.utils.PyDataset):
    def __init__(self, params, split="train", specs=None, with_mask=False, **kwargs):
        super().__init__(**kwargs)
        self.params = training._params(params)
        self.specs = specs if specs is not None else training.specs(self.params)
        self.split = split
        self.with_mask = with_mask
        info = training.dataset_info(self.params, self.specs)
        self.features, self.width = info["features"], info["width"]
        self.epoch = 0
        self._reader = None
        self._next_index = 0
        self._length = sum(1 for _ in training.dataset_stream(self.params, self.specs, split))

    def __len__(self):
        return self._length

    def _batch(self, b):
        x = training.column_array(b.column("X"))
        if self.with_mask:
            x = np.concatenate([x, training.column_array(b.column("mask"))], axis=1)
        return x, training.column_array(b.column("y")), training.column_array(b.column("w"))

    def __getitem__(self, index):
        if not 0 <= index < self._length:
            raise IndexError(index)
        if self._reader is None or index < self._next_index:
            shard = {"index": 0, "count": 1, "epoch": self.epoch}
            self._reader = training.dataset_stream(self.params, self.specs, self.split, shard)
            self._next_index = 0
        while self._next_index < index:  # asked out of order: skip forward in the stream
            self._reader.read_next_batch()
            self._next_index += 1
        self._next_index = index + 1
        return self._batch(self._reader.read_next_batch())

    def on_epoch_end(self):
        self.epoch += 1
        self._reader = None
