"""Training params, specs and dataset passes: the same params file as `hepml train` / `hepml export`."""
import json
import queue
import threading
from pathlib import Path

import numpy as np

from . import _lib

SPLITS = {"train": 0, "validation": 1, "test": 2, "all": -1, None: -1}


class TrainingParams(dict):
    """The params of `hepml train` (files with labels, tree, branches, lengths, normalization, cuts, defines,
    split, batch_size, seed, ...) as a dict; hepml checks the keys when it uses them."""

    @classmethod
    def load(cls, path):
        """Reads a JSON or YAML params file (YAML needs PyYAML; hepml itself accepts both)."""
        text = Path(path).read_text()
        try:
            return cls(json.loads(text))
        except ValueError:
            import yaml
            return cls(yaml.safe_load(text))

    def text(self) -> str:
        return json.dumps(self)

    def with_files(self, files):
        """A copy with `files` replaced (paths, or (path, label) pairs, or dicts)."""
        out = TrainingParams(self)
        out["files"] = [f if isinstance(f, (str, dict)) else {"path": f[0], "label": f[1]} for f in files]
        return out


def _params(params) -> TrainingParams:
    if isinstance(params, TrainingParams):
        return params
    if isinstance(params, dict):
        return TrainingParams(params)
    if isinstance(params, (str, Path)):
        return TrainingParams.load(params)
    raise TypeError("params: a TrainingParams, a dict or a params file path")


def specs(files_or_params, **params):
    """The specs pass (`hepml specs`): per-branch min/max/mean/std and jagged lengths, as a dict.

    `files_or_params` is a list of files (with `tree`, `branches`, `defines`, `cuts` ... as keywords) or params."""
    if isinstance(files_or_params, (list, tuple)):
        p = TrainingParams(params)
        p["files"] = list(files_or_params)
    else:
        p = _params(files_or_params)
        p.update(params)
    return json.loads(_lib.call_string(_lib.hepml_specs, _lib.encode(p.text())))


def _specs_text(specs_) -> bytes:
    if isinstance(specs_, (str, Path)) and Path(specs_).exists():
        return Path(specs_).read_bytes()
    return _lib.encode(json.dumps(specs_))


def dataset_info(params, specs_):
    """{"features": [...], "width": F, "image": [C, H, W] or None}."""
    return json.loads(_lib.call_string(_lib.hepml_dataset_info, _lib.encode(_params(params).text()), _specs_text(specs_)))


def dataset_stream(params, specs_, split="train", shard=None):
    """One pass over a split as a pyarrow RecordBatchReader of {X, mask, y, w[, images]} batches.

    shard: {"index", "count", "epoch", "unit_size"} to read one disjoint part (see hepml.torch.Dataset)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of train, validation, test, all; not {split!r}")
    shard_text = None if shard is None else _lib.encode(json.dumps(shard))
    return _lib.import_stream(_lib.hepml_dataset_stream, _lib.encode(_params(params).text()), _specs_text(specs_),
                              SPLITS[split], shard_text)


def column_array(column):
    """A numeric column of a dataset batch as numpy over its Arrow buffer (no copy, read-only): [n] for a primitive
    column (y, w, split), [n, F] for a FixedSizeList[F] one (X, mask, images). Reads the buffer directly: pyarrow's
    to_numpy goes through its pandas conversion layer, whose first use imports pandas."""
    n = len(column)
    width = getattr(column.type, "list_size", None)
    if width is None:
        dtype = np.dtype(column.type.to_pandas_dtype())
        return np.frombuffer(column.buffers()[1], dtype=dtype, count=n, offset=column.offset * dtype.itemsize)
    dtype = np.dtype(column.type.value_type.to_pandas_dtype())
    start = column.offset * width + column.values.offset
    return np.frombuffer(column.buffers()[-1], dtype=dtype, count=n * width,
                         offset=start * dtype.itemsize).reshape(n, width)


def prefetched(reader, depth):
    """Iterates a RecordBatchReader with a thread reading up to `depth` batches ahead (pyarrow waits for the
    next batch without the GIL), so hepml builds the next chunk while the caller trains on this one. Memory:
    at most `depth` batches more. Stopping early (break, an exception) stops the thread and drops the reader."""
    q = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()
    end = object()

    def put(item):
        while not stop.is_set():
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                pass
        return False

    def run():
        try:
            for batch in reader:
                if not put(batch):
                    return
            put(end)
        except BaseException as e:  # handed to the caller
            put(e)

    thread = threading.Thread(target=run, name="hepml-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
        reader.close()


def prefetch_depth(params) -> int:
    """Batches to read ahead: one chunk's worth (hepml builds a chunk, then hands out its batches), at most 64."""
    p = _params(params)
    return max(2, min(64, -(-int(p.get("chunk_size", 10000)) // int(p.get("batch_size", 256))) + 1))
