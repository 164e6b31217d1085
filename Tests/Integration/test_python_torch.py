"""hepml.torch.Dataset: DataLoader workers and distributed ranks read disjoint shards that together hold every
event of the split exactly once; a seed gives the same batches; set_epoch reshuffles."""
import collections

import numpy as np
import pytest

from conftest import PROJECT_ROOT

torch = pytest.importorskip("torch")
hepml = pytest.importorskip("hepml")
import hepml.torch  # noqa: E402

SAMPLE = str(PROJECT_ROOT / "examples" / "data" / "nanoAOD_2015_CMS_Open_Data_ttbar.root")
# `eid` identifies an event (the CMS event number folded below 2^22, unique in the sample, exact in float32).
PARAMS = hepml.TrainingParams({
    "files": [{"path": SAMPLE}], "branches": ["eid", "MET_pt", "Jet_pt"], "defines": ["eid = event % 4000037"],
    "label": "MET_pt > 30", "lengths": {"Jet_*": 3}, "normalization": "none", "batch_size": 16, "chunk_size": 64,
    "seed": 11, "split": {"train": 0.6, "validation": 0.2, "test": 0.2},
})


@pytest.fixture(scope="module")
def specs():
    return hepml.specs(PARAMS)


def event_ids(batches, eid_column):
    ids = []
    for b in batches:
        assert b["X"].dtype == torch.float32 and b["X"].shape[1] == b["mask"].shape[1]
        assert b["y"].shape[0] == b["X"].shape[0] == b["w"].shape[0]
        ids += b["X"][:, eid_column].numpy().astype(np.int64).tolist()
    return ids


def test_loader_workers_and_ranks_see_each_event_once(specs):
    ds = hepml.torch.Dataset(PARAMS, split="train", specs=specs, unit_size=10)
    col = ds.features.index("eid")
    single = event_ids(ds, col)
    assert len(single) == len(set(single)) and 90 < len(single) < 150
    loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=2, multiprocessing_context="spawn")
    workers = event_ids(loader, col)
    assert collections.Counter(workers) == collections.Counter(single)
    ranks = []
    for rank in range(2):
        part = hepml.torch.Dataset(PARAMS, split="train", specs=specs, unit_size=10, rank=rank, world_size=2)
        loader = torch.utils.data.DataLoader(part, batch_size=None, num_workers=2, multiprocessing_context="spawn")
        ids = event_ids(loader, col)
        assert ids, f"rank {rank} got no events"
        ranks += ids
    assert collections.Counter(ranks) == collections.Counter(single)


def test_all_splits_cover_the_file(specs):
    ids = []
    for split in ("train", "validation", "test"):
        ds = hepml.torch.Dataset(PARAMS, split=split, specs=specs)
        ids += event_ids(ds, ds.features.index("eid"))
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 200


def test_seed_gives_same_batches_and_epochs_reshuffle(specs):
    def run(epoch, seed=11):
        p = hepml.TrainingParams(PARAMS, seed=seed)
        ds = hepml.torch.Dataset(p, split="train", specs=specs, unit_size=10)
        ds.set_epoch(epoch)
        return event_ids(ds, ds.features.index("eid"))
    first, again, other = run(0), run(0), run(1)
    assert first == again
    assert first != other and sorted(first) == sorted(other)


def test_batches_share_arrow_memory(specs):
    reader = hepml.dataset_stream(PARAMS, specs, "train")
    batch = reader.read_next_batch()
    batch.validate(full=True)
    tensors = hepml.torch.batch_tensors(batch)
    x = batch.column("X").values
    assert tensors["X"].data_ptr() == x.buffers()[1].address
    assert np.array_equal(tensors["X"].numpy().ravel(), x.to_numpy())


def test_bad_params_raise_hepml_error(specs):
    with pytest.raises(hepml.HEPMLError, match="unknown key 'bogus'"):
        hepml.torch.Dataset(dict(PARAMS, bogus=1), specs=specs)
    with pytest.raises(ValueError):
        hepml.dataset_stream(PARAMS, specs, "nope")
    with pytest.raises(hepml.HEPMLError, match="shard"):
        hepml.dataset_stream(PARAMS, specs, "train", {"index": 3, "count": 2})


def rows_by_event(batches, eid_column):
    rows = {}
    for b in batches:
        for i, e in enumerate(b["X"][:, eid_column].numpy().astype(np.int64).tolist()):
            rows[e] = (b["X"][i].numpy().copy(), b["mask"][i].numpy().copy(), float(b["y"][i]), float(b["w"][i]))
    return rows


def test_worker_batches_are_the_in_process_batches(specs):
    """Workers hand batches over through reused shared-memory slots: the values are those of the in-process
    path, batches still held are never overwritten, and a worker whose batches are dropped reuses few slots."""
    from hepml import _shared_batches
    params = hepml.TrainingParams(PARAMS, batch_size=4)
    ds = hepml.torch.Dataset(params, split="train", specs=specs, unit_size=10)
    col = ds.features.index("eid")
    local = list(ds)
    one = list(torch.utils.data.DataLoader(ds, batch_size=None, num_workers=1, multiprocessing_context="spawn"))
    assert len(one) == len(local) > 20
    for a, b in zip(one, local):
        assert a.keys() == b.keys()
        for k in a:
            assert torch.equal(a[k], b[k]), k
    want = rows_by_event(local, col)
    before = set(_shared_batches._mapped)
    loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=2, multiprocessing_context="spawn")
    got = {}
    for b in loader:
        got.update(rows_by_event([b], col))
        del b
    assert got.keys() == want.keys()
    for e, (x, m, y, w) in want.items():
        gx, gm, gy, gw = got[e]
        assert np.array_equal(gx, x) and np.array_equal(gm, m) and (gy, gw) == (y, w)
    slots = set(_shared_batches._mapped) - before
    assert 0 < len(slots) <= 2 * 6, f"{len(slots)} slots for {len(local)} batches"


def test_stopping_early_ends_the_read_ahead_thread(specs):
    import threading
    ds = hepml.torch.Dataset(hepml.TrainingParams(PARAMS, batch_size=2, chunk_size=20), split="train", specs=specs)
    it = iter(ds)
    first = next(it)
    assert first["X"].shape[0] == 2
    assert any(t.name == "hepml-prefetch" for t in threading.enumerate())
    it.close()
    assert not any(t.name == "hepml-prefetch" for t in threading.enumerate())
