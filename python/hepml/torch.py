"""`hepml.torch.Dataset(params, split="train")`: a torch IterableDataset of training batches.

Each item is a dict of tensors {"X": [n, F], "mask": [n, F], "y": [n], "w": [n] (, "images": [n, C, H, W])}
made with torch.from_numpy over the Arrow buffers hepml filled (no copy; treat them as read-only); DataLoader
workers copy them once into shared-memory slots that the training process maps (see _shared_batches). Use it
with `torch.utils.data.DataLoader(ds, batch_size=None, num_workers=N)`: every DataLoader worker of every
torch.distributed rank reads its own shard of (file, entry range) units, so together they see each event of
the split once per epoch. Call `set_epoch(e)` before each epoch to reshuffle (seeded by params["seed"]).
Workers should be started with the "spawn" or "forkserver" method (`multiprocessing_context="spawn"`): the
Swift runtime's threads do not survive fork.
"""
import warnings

import torch
import torch.utils.data

from . import _shared_batches, training


def batch_tensors(batch, image_shape=None):
    """A pyarrow RecordBatch {X, mask, y, w[, images]} as a dict of torch tensors sharing its buffers."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # from_numpy on read-only Arrow memory
        for name, col in zip(batch.schema.names, batch.columns):
            arr = training.column_array(col)
            if name == "images" and image_shape is not None:
                arr = arr.reshape((len(arr), *image_shape))
            out[name] = torch.from_numpy(arr)
    return out


def shard_position(rank=None, world_size=None):
    """(index, count) of this DataLoader worker on this rank among all workers of all ranks."""
    if world_size is None:
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            rank, world_size = torch.distributed.get_rank(), torch.distributed.get_world_size()
        else:
            rank, world_size = 0, 1
    info = torch.utils.data.get_worker_info()
    workers, worker = (info.num_workers, info.id) if info is not None else (1, 0)
    return (rank or 0) * workers + worker, world_size * workers


class Dataset(torch.utils.data.IterableDataset):
    """Batches of one split of a hepml training dataset (params: a TrainingParams, dict or params file path;
    specs: a specs dict or file, computed when None)."""

    def __init__(self, params, split="train", specs=None, rank=None, world_size=None, unit_size=None, epoch=0):
        super().__init__()
        self.params = training._params(params)
        self.specs = specs if specs is not None else training.specs(self.params)
        self.split = split
        self.rank = rank
        self.world_size = world_size
        self.unit_size = unit_size
        self.epoch = epoch
        info = training.dataset_info(self.params, self.specs)
        self.features = info["features"]
        self.width = info["width"]
        self.image_shape = tuple(info["image"]) if info["image"] else None
        self._pool = None  # a DataLoader worker's shared-memory slots (see _shared_batches)

    def set_epoch(self, epoch):
        """Selects the shuffle and unit permutation of `epoch` (call before each epoch, like DistributedSampler)."""
        self.epoch = int(epoch)

    def shard(self):
        index, count = shard_position(self.rank, self.world_size)
        s = {"index": index, "count": count, "epoch": self.epoch}
        if self.unit_size is not None:
            s["unit_size"] = int(self.unit_size)
        return s

    def __iter__(self):
        reader = training.prefetched(training.dataset_stream(self.params, self.specs, self.split, self.shard()),
                                     training.prefetch_depth(self.params))
        if torch.utils.data.get_worker_info() is None or not _shared_batches.AVAILABLE:
            for batch in reader:
                yield batch_tensors(batch, self.image_shape)
            return
        if self._pool is None:
            self._pool = _shared_batches.WorkerPool()
        for batch in reader:
            yield self._pool.pack(batch, self.image_shape)
