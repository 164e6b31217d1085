"""Batches handed from DataLoader worker processes to the training process through reused shared-memory slots.

torch sends a tensor from a worker by moving its storage into a new shared-memory segment and passing a file
descriptor over a fresh, authenticated socket connection, once per tensor: for hepml's 4 tensors per batch that
cost more than reading the batch. Here a worker keeps a few memfd slots; a batch is copied into a free slot
(pages already mapped after the first use) and sent as (pool, slot, layout); the slot's descriptor travels
only the first time. The training process maps each slot once and builds the tensors on the mapping. A slot
stays busy until every tensor (and view) of its batch is gone in the training process, which then clears the
slot's busy byte; the worker makes a new slot when all are busy, so retained batches are never overwritten.
"""
import mmap
import multiprocessing.reduction
import os
import warnings

import numpy as np
import torch

from . import training

HEADER = 64  # byte 0: busy flag (1 from packing until the training process drops the batch)
AVAILABLE = hasattr(os, "memfd_create")  # Linux; elsewhere workers send plain tensors


class _Slot:
    def __init__(self, capacity):
        self.capacity = capacity
        self.fd = os.memfd_create("hepml-batch", os.MFD_CLOEXEC)
        os.ftruncate(self.fd, HEADER + capacity)
        self.memory = np.frombuffer(mmap.mmap(self.fd, HEADER + capacity), dtype=np.uint8)
        self.sent = False


class WorkerPool:
    """The slots of one DataLoader worker process."""

    def __init__(self):
        self.token = os.urandom(8).hex()
        self.slots = []

    def _free_slot(self, nbytes):
        for i, s in enumerate(self.slots):
            if s.memory[0] == 0 and s.capacity >= nbytes:
                return i, s
        self.slots.append(_Slot(max(nbytes, 1)))
        return len(self.slots) - 1, self.slots[-1]

    def pack(self, batch, image_shape=None):
        """Copies a pyarrow RecordBatch {X, mask, y, w[, images][, split]} into a free slot: a SharedBatch."""
        arrays = {name: training.column_array(col) for name, col in zip(batch.schema.names, batch.columns)}
        if image_shape is not None and "images" in arrays:
            arrays["images"] = arrays["images"].reshape((len(arrays["images"]), *image_shape))
        layout, offset = [], 0
        for name, a in arrays.items():
            layout.append((name, offset, a.shape, a.dtype.str))
            offset += (a.nbytes + 63) // 64 * 64
        index, slot = self._free_slot(offset)
        slot.memory[0] = 1
        out = SharedBatch()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for (name, start, shape, dtype), a in zip(layout, arrays.values()):
                view = slot.memory[HEADER + start:HEADER + start + a.nbytes].view(dtype).reshape(shape)
                np.copyto(view, a)
                out[name] = torch.from_numpy(view)
        fd = None
        if not slot.sent:
            fd = multiprocessing.reduction.DupFd(slot.fd)
            slot.sent = True
        out.address = (self.token, os.getpid(), index, fd, slot.capacity, layout)
        return out


class SharedBatch(dict):
    """A dict of tensors on a worker's slot; unpickled in the training process as a dict on the same memory."""

    address = None

    def __copy__(self):
        c = SharedBatch(self)
        c.address = self.address
        return c

    def __reduce__(self):
        return _receive, self.address


class _Lease:
    """Owns one received batch's use of a slot; clears the slot's busy byte when the last view is gone."""

    def __init__(self, memory, capacity):
        self.memory = memory
        self.__array_interface__ = {"data": (memory.ctypes.data + HEADER, False), "shape": (capacity,),
                                    "typestr": "|u1", "version": 3}

    def __del__(self):
        self.memory[0] = 0


_mapped = {}  # (token, slot) -> (pid, uint8 array over the mapping), in the training process


def _forget_exited_workers(token):
    for key in [k for k, (pid, _) in _mapped.items() if k[0] != token]:
        try:
            os.kill(_mapped[key][0], 0)
        except ProcessLookupError:
            del _mapped[key]  # the mapping lives on while batches on it do
        except PermissionError:
            pass


def _receive(token, pid, index, fd, capacity, layout):
    key = (token, index)
    if fd is not None:
        if not any(k[0] == token for k in _mapped):
            _forget_exited_workers(token)
        handle = fd.detach()
        try:
            _mapped[key] = (pid, np.frombuffer(mmap.mmap(handle, HEADER + capacity), dtype=np.uint8))
        finally:
            os.close(handle)
    if key not in _mapped:
        raise RuntimeError("hepml: a batch from a DataLoader worker refers to shared memory that was never sent")
    memory = _mapped[key][1]
    whole = np.asarray(_Lease(memory, capacity))
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for name, start, shape, dtype in layout:
            nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
            out[name] = torch.from_numpy(whole[start:start + nbytes].view(dtype).reshape(shape))
    return out
