"""hepml on Dask: ROOT files as Dask collections, and the specs pass and the export as Dask graphs.

    from distributed import Client, LocalCluster
    import hepml.dask
    client = Client(LocalCluster(n_workers=2))          # or a dask-jobqueue / dask-gateway cluster's client
    muons = hepml.dask.from_root(files, "Events", ["Muon_pt", "nMuon"], step_size=100_000)   # dask_awkward
    specs = hepml.dask.specs(params)                    # equal to `hepml specs` / hepml.specs(params)
    index = hepml.dask.export(params, "out/", specs=specs)   # .npy shards + index.json + Parquet

Every task is one (file, entry range) unit read by hepml (libhepml.so) on a worker; metadata (entries, branch
types) comes from the file headers on the client, without reading data. The specs pass is a tree reduction of
per-unit statistics (sums, sums of squares, counts, min, max, longest entry) merged the way `hepml specs` merges
files; the export writes one shard per unit with the same seeded train/validation/test split as `hepml export`.
Workers need the `hepml` package and the files (paths on a shared file system, or root:// / http(s):// URLs);
export needs an output folder every worker can write.
"""
import json
import math
import os
import threading
from fractions import Fraction
from pathlib import Path

from . import _lib, training
from .tree import File, convert

__all__ = ["from_root", "units", "specs", "merge_specs", "export"]

_CACHE_SIZE = 16
_cache: dict = {}
_cache_lock = threading.Lock()


_M_MMAP_THRESHOLD = -3
_malloc_tuned = False


def _tune_malloc():
    """Once per worker process: Dask workers start with MALLOC_TRIM_THRESHOLD_ set, which also turns off glibc's
    adaptive mmap threshold, so every batch buffer above 128 KiB (hepml's are megabytes) is a fresh mmap whose
    pages the kernel zeroes again; a pass then spends about as long in page faults as in decoding. A fixed 32 MiB
    threshold keeps those buffers in the heap (freed memory is still trimmed as Dask asked)."""
    global _malloc_tuned
    if _malloc_tuned:
        return
    _malloc_tuned = True
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    try:
        import ctypes
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, 32 << 20)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


def _file(path):
    """An open hepml File, kept per worker process for the next task on the same file."""
    with _cache_lock:
        f = _cache.pop(path, None)
        if f is None:
            f = File(path)
        _cache[path] = f
        while len(_cache) > _CACHE_SIZE:
            _cache.pop(next(iter(_cache))).close()
        return f


def _path(entry):
    return entry["path"] if isinstance(entry, dict) else str(entry)


def _entries(f, tree):
    """A tree's entry count from the file's list of trees (no branch metadata); the tree's own metadata when
    the name is not one listed tree (a directory path, several cycles)."""
    name, _, cycle = str(tree).partition(";")
    found = [t for t in f.trees if t["path"] == name.strip("/") and (not cycle or str(t["cycle"]) == cycle)]
    if len(found) == 1 and "entries" in found[0]:
        return int(found[0]["entries"])
    return f[tree].num_entries


def units(files, tree="Events", step_size=100_000, entry_limit=None):
    """[(file index, path, entry_start, entry_stop)] cutting each file into ranges of `step_size` entries
    (the first `entry_limit` entries of each file when given), from the file headers only."""
    step = int(step_size)
    if step < 1:
        raise ValueError("step_size must be positive")
    out = []
    for i, entry in enumerate(files):
        path = _path(entry)
        n = _entries(_file(path), tree)
        if entry_limit is not None:
            n = min(n, int(entry_limit))
        out += [(i, path, a, min(n, a + step)) for a in range(0, n, step)]
    return out


def _as_list(files):
    return [files] if isinstance(files, (str, Path)) else [str(f) for f in files]


# ---- from_root --------------------------------------------------------------------------------------------

class _ReadUnit:
    """Reads one unit's branches with hepml (the function Dask runs on a worker)."""

    def __init__(self, tree, branches, library, form=None):
        self.tree = tree
        self.branches = list(branches)
        self.library = library
        self.form = form
        self.behavior = None
        self.attrs = None

    def read(self, unit):
        _tune_malloc()
        path, start, stop = unit[1], unit[2], unit[3]
        return _file(path)[self.tree].arrays(self.branches, entry_start=start, entry_stop=stop, library="pa")

    def __call__(self, unit):
        table = self.read(unit)
        if self.library == "dd":
            import pandas as pd
            frame = table.to_pandas()
            frame.index = pd.RangeIndex(unit[4], unit[4] + (unit[3] - unit[2]))
            return frame
        return convert(table, "ak")


def _projecting(base):
    """A dask-awkward IO function that reads only the branches a graph uses (column projection)."""
    from dask_awkward.lib.io.columnar import ColumnProjectionMixin

    class ReadUnitProjected(_ReadUnit, ColumnProjectionMixin):
        @property
        def use_optimization(self):
            return True

        def project_columns(self, columns):
            keep = [b for b in self.branches if b in columns or any(c.split(".")[0] == b for c in columns)]
            return ReadUnitProjected(self.tree, keep or self.branches[:1], self.library, self._form_of(keep))

        def _form_of(self, keep):
            import awkward as ak
            if not keep:
                return self.form
            return ak.forms.RecordForm([self.form.content(k) for k in keep], keep)

    return ReadUnitProjected(base.tree, base.branches, base.library, base.form)


def from_root(files_or_urls, tree="Events", branches=None, step_size=100_000, library=None):
    """The branches of `tree` in `files_or_urls` as a Dask collection with one partition per (file, entry range)
    of at most `step_size` entries: a `dask_awkward.Array` of records (library="ak"), or a `dask.dataframe`
    (library="dd", flat branches only, indexed by the global entry number). Default: "dd" when every selected
    branch is flat, else "ak". `branches`: names or globs (None: every readable branch)."""
    files = _as_list(files_or_urls)
    if not files:
        raise ValueError("from_root: no files")
    first = _file(files[0])[tree]
    patterns = [branches] if isinstance(branches, str) else (list(branches) if branches is not None else ["*"])
    names = []
    for p in patterns:
        found = first.keys(filter_name=p)
        if not found:
            raise _lib.HEPMLError(f"{files[0]}: tree '{tree}' has no branch matching '{p}'")
        names += [n for n in found if n not in names]
    kinds = {b["name"]: b["kind"] for b in first.branches}
    if library is None:
        library = "dd" if all(kinds[n] == "flat" for n in names) else "ak"
    parts = units(files, tree, step_size)
    if not parts:
        raise ValueError("from_root: the files have no entries")
    offsets, total = [], 0
    for u in parts:
        offsets.append(total)
        total += u[3] - u[2]
    parts = [u + (o,) for u, o in zip(parts, offsets)]
    empty = first.arrays(names, entry_start=0, entry_stop=0, library="pa")
    if library == "dd":
        import dask.dataframe as dd
        jagged = [n for n in names if kinds[n] != "flat"]
        if jagged:
            raise ValueError(f"library='dd' takes flat branches only; {jagged[:3]} are not (use library='ak')")
        return dd.from_map(_ReadUnit(tree, names, "dd"), parts, meta=empty.to_pandas(),
                           divisions=tuple(offsets) + (total - 1,), label="hepml-from-root")
    if library != "ak":
        raise ValueError(f"library must be 'ak' or 'dd', not {library!r}")
    import awkward as ak
    import dask_awkward as dak
    form = ak.from_arrow(empty).layout.form
    reader = _projecting(_ReadUnit(tree, names, "ak", form))
    return dak.from_map(reader, parts, divisions=tuple(offsets) + (total,), label="hepml-from-root")


# ---- specs ------------------------------------------------------------------------------------------------

def _specs_part(params_text, unit):
    _tune_malloc()
    i, _, start, stop = unit
    s = json.loads(_lib.call_string(_lib.hepml_specs_part, _lib.encode(params_text), i, start, stop))
    return {"tree": s["tree"], "files": [[i, unit[1], s["events"].get("total", 0)]], "branches": s["branches"]}


_COUNTED = ("nan", "inf", "count")


def _exact(b):
    """A branch's statistics with its double-double sums as exact fractions (the merge adds them exactly)."""
    if "_s1" in b:
        return dict(b)
    out = dict(b)
    out["_s1"] = Fraction(b["sum"]) + Fraction(b.get("sum_low", 0.0))
    out["_s2"] = Fraction(b["sum_squares"]) + Fraction(b.get("sum_squares_low", 0.0))
    return out


def _merge_branch(a, b, name):
    if a["kind"] != b["kind"] or a["type"] != b["type"]:
        raise _lib.HEPMLError(f"branch '{name}' is {a['kind']} {a['type']} in one file and {b['kind']} {b['type']} in another")
    a, b = _exact(a), _exact(b)
    out = dict(a)
    out["max_length"] = max(a["max_length"], b["max_length"])
    for k in _COUNTED:
        out[k] = a[k] + b[k]
    out["_s1"] = a["_s1"] + b["_s1"]
    out["_s2"] = a["_s2"] + b["_s2"]
    for k, pick in (("min", min), ("max", max)):
        values = [x[k] for x in (a, b) if x.get(k) is not None]
        if values:
            out[k] = pick(values)
    return out


def merge_specs(*parts):
    """Merges per-unit specs (in unit order) exactly as `hepml specs` merges files: counts and sums add,
    min/max/longest entry combine."""
    out = {"tree": parts[0]["tree"], "files": [], "branches": {}}
    for p in parts:
        for i, path, n in p["files"]:
            if out["files"] and out["files"][-1][0] == i:
                out["files"][-1] = [i, path, out["files"][-1][2] + n]
            else:
                out["files"].append([i, path, n])
        for name, b in p["branches"].items():
            mine = out["branches"].get(name)
            out["branches"][name] = dict(b) if mine is None else _merge_branch(mine, b, name)
    return out


def _double_double(x):
    hi = float(x)
    return hi, float(x - Fraction(hi))


# Variances below 8 eps^2 E[x^2] are rounding, not spread (as in hepml's BranchSpec).
_VARIANCE_RESOLUTION = 8 * 2.0 ** -106


def _finish(merged):
    """The specs file of `hepml specs` from merged parts: mean/std from the exact sums, and the MLaaS4HEP keys."""
    events = {}
    for _, path, n in merged["files"]:
        events[path] = n  # a file listed twice keeps the last count, as `hepml specs` does
    events["total"] = sum(v for k, v in events.items() if k != "total")
    branches = {}
    for name, b in merged["branches"].items():
        b = _exact(b)
        s1, s2 = b.pop("_s1"), b.pop("_s2")
        b["sum"], b["sum_low"] = _double_double(s1)
        b["sum_squares"], b["sum_squares_low"] = _double_double(s2)
        if b["count"] > 0:
            n = b["count"]
            b["mean"] = float(s1 / n)
            variance = s2 / n - (s1 / n) ** 2
            b["std"] = math.sqrt(float(variance)) if variance > _VARIANCE_RESOLUTION * (s2 / n) else 0.0
        else:
            b.pop("mean", None)
            b.pop("std", None)
        branches[name] = b
    return {
        "schema": "hepml-specs/1", "tree": merged["tree"], "events": events, "branches": branches,
        "jdim": {k: b["max_length"] for k, b in branches.items() if b["kind"] != "flat"},
        "minv": {k: b["min"] for k, b in branches.items() if b.get("min") is not None},
        "maxv": {k: b["max"] for k, b in branches.items() if b.get("max") is not None},
        "fkeys": sorted(k for k, b in branches.items() if b["kind"] == "flat"),
        "jkeys": sorted(k for k, b in branches.items() if b["kind"] != "flat"),
    }


def _params(files_or_params, params):
    if isinstance(files_or_params, (list, tuple)):
        p = training.TrainingParams(params)
        p["files"] = list(files_or_params)
    else:
        p = training._params(files_or_params)
        p = training.TrainingParams(p)
        p.update(params)
    return p


def _tree_reduce(leaves, merge, split_every):
    import dask
    level = list(leaves)
    while len(level) > 1:
        level = [dask.delayed(merge, pure=True)(*level[k:k + split_every]) if len(level[k:k + split_every]) > 1
                 else level[k] for k in range(0, len(level), split_every)]
    return level[0]


def _specs_graph(p, step_size, split_every):
    import dask
    text = p.text()
    todo = units(p["files"], p.get("tree", "Events"), step_size, p.get("entries"))
    if not todo:
        todo = [(i, _path(f), 0, 0) for i, f in enumerate(p["files"])]
    leaves = [dask.delayed(_specs_part, pure=True)(text, u, dask_key_name=f"hepml-specs-part-{k}-{dask.base.tokenize(text, u)}")
              for k, u in enumerate(todo)]
    return dask.delayed(_finish, pure=True)(_tree_reduce(leaves, merge_specs, max(2, int(split_every))))


def specs(files_or_params, step_size=100_000, split_every=8, output=None, compute=True, **params):
    """The specs pass (`hepml specs`) on the Dask cluster of the current client (or Dask's default scheduler):
    one task per (file, entry range) of `step_size` entries, merged in a tree of `split_every` parts per node.
    Arguments as `hepml.specs`: a params file/dict, or a list of files with `tree`, `branches`, `exclude`,
    `defines`, `cuts`, `entries` as keywords. Returns the specs dict (a dask Delayed with compute=False) and
    writes it to `output` when given."""
    p = _params(files_or_params, params)
    if not p.get("files"):
        raise ValueError("specs: no input files")
    result = _specs_graph(p, step_size, split_every)
    if not compute:
        return result
    out = result.compute()
    if output is not None:
        Path(output).write_text(json.dumps(out, indent=1, sort_keys=True))
    return out


# ---- export -----------------------------------------------------------------------------------------------

class _NPYStream:
    """A .npy file written batch by batch: a fixed-size header (rewritten with the row count at the end), then
    the rows' bytes straight from the Arrow buffers (no copy of the whole array)."""
    HEADER = 128

    def __init__(self, path, descr, row_shape):
        self.path, self.descr, self.row_shape, self.rows = path, descr, tuple(row_shape), 0
        self.tmp = f"{path}.tmp-{os.getpid()}-{threading.get_ident()}"
        self.f = open(self.tmp, "wb")
        self.f.write(b"\0" * self.HEADER)

    def append(self, values, rows):
        self.f.write(memoryview(values).cast("B"))
        self.rows += rows

    def finish(self):
        shape = (self.rows,) + self.row_shape
        text = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (self.descr, repr(shape))
        body = text.ljust(self.HEADER - 10 - 1) + "\n"
        self.f.seek(0)
        self.f.write(b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body.encode("latin1"))
        self.f.close()
        os.replace(self.tmp, self.path)


def _column_values(col, n):
    """The numpy view of a batch column's values (FixedSizeList: [n * width] flat), without a copy."""
    import pyarrow as pa
    if pa.types.is_fixed_size_list(col.type):
        width = col.type.list_size
        return col.values.to_numpy(zero_copy_only=True)[col.offset * width:(col.offset + n) * width], (width,)
    return col.to_numpy(zero_copy_only=True), ()


def _export_part(params_text, specs_text, unit, k, out, formats):
    """One unit's rows; `params_text` lists only the unit's file (same path, label and weight, so the same split),
    so a task opens one file. Batches are written as they come (memory: one batch)."""
    import numpy as np
    _tune_malloc()
    i, path, start, stop = unit
    reader = _lib.import_stream(_lib.hepml_dataset_stream, _lib.encode(params_text), _lib.encode(specs_text), -1,
                                _lib.encode(json.dumps({"units": [[0, start, stop]]})))
    name = f"part-{k:05d}"
    files, npy, parquet = {}, {}, None
    if "npy" in formats:
        (Path(out) / name).mkdir(parents=True, exist_ok=True)
    if "parquet" in formats:
        import pyarrow.parquet as pq
        (Path(out) / "parquet").mkdir(parents=True, exist_ok=True)
        target = str(Path(out) / "parquet" / f"{name}.parquet")
        parquet_tmp = f"{target}.tmp-{os.getpid()}-{threading.get_ident()}"
        parquet = pq.ParquetWriter(parquet_tmp, reader.schema)
        files["parquet"] = f"parquet/{name}.parquet"
    counts = np.zeros(3, dtype=np.int64)
    rows = 0
    for batch in reader:
        n = batch.num_rows
        rows += n
        if parquet is not None:
            parquet.write_batch(batch)
        for col_name, col in zip(batch.schema.names, batch.columns):
            values, row_shape = _column_values(col, n)
            if col_name == "split":
                counts += np.bincount(values, minlength=3)[:3]
            if "npy" in formats:
                if col_name not in npy:
                    npy[col_name] = _NPYStream(str(Path(out) / name / f"{col_name}.npy"), values.dtype.str, row_shape)
                    files[col_name] = f"{name}/{col_name}.npy"
                npy[col_name].append(values, n)
    if "npy" in formats:
        for col_name in reader.schema.names:
            if col_name not in npy:  # no rows: an empty array of the right shape
                field = reader.schema.field(col_name)
                width = (field.type.list_size,) if hasattr(field.type, "list_size") else ()
                dtype = "|u1" if col_name == "split" else "<f4"
                npy[col_name] = _NPYStream(str(Path(out) / name / f"{col_name}.npy"), dtype, width)
                files[col_name] = f"{name}/{col_name}.npy"
            npy[col_name].finish()
    if parquet is not None:
        parquet.close()
        os.replace(parquet_tmp, target)
    return {"part": k, "file_index": i, "file": path, "entry_start": start, "entry_stop": stop, "rows": rows,
            "splits": {s: int(counts[v]) for s, v in (("train", 0), ("validation", 1), ("test", 2))},
            "files": files}


def export(params, out, specs=None, step_size=100_000, formats=("npy", "parquet"), compute=True):
    """Writes the training arrays of `params` (a params file or dict, as `hepml export`) as shards: for every
    (file, entry range) unit `out/part-NNNNN/{X,mask,y,w,split[,images]}.npy` and
    `out/parquet/part-NNNNN.parquet`, plus `out/index.json` (features, parts with their file, entry range, rows
    and split counts). Row i of a shard is the i-th event of its unit that passes the cuts; `split` is the seeded
    train/validation/test assignment `hepml export` gives the same event. Concatenating the shards in index order
    gives the rows of `hepml export` (which mixes and shuffles them) in (file, entry) order. `specs`: a specs
    dict or file (computed with `specs` when None)."""
    import dask
    p = _params(params, {})
    formats = tuple(formats)
    for f in formats:
        if f not in ("npy", "parquet"):
            raise ValueError(f"formats: 'npy' and/or 'parquet', not {f!r}")
    if specs is None:
        specs = _specs_graph(p, step_size, 8).compute()
    specs_text = training._specs_text(specs).decode("utf-8")
    info = training.dataset_info(p, json.loads(specs_text))
    texts = []
    for f in p["files"]:
        q = training.TrainingParams(p)
        q["shuffle"] = False
        q["files"] = [f]
        texts.append(q.text())
    todo = units(p["files"], p.get("tree", "Events"), step_size, p.get("entries"))
    Path(out).mkdir(parents=True, exist_ok=True)
    tasks = [dask.delayed(_export_part, pure=True)(texts[u[0]], specs_text, u, k, str(out), formats,
                                                   dask_key_name=f"hepml-export-part-{k}-{dask.base.tokenize(texts[u[0]], specs_text, u, str(out))}")
             for k, u in enumerate(todo)]
    collected = dask.delayed(list)(tasks)
    if not compute:
        return collected
    parts = collected.compute()
    index = {
        "features": info["features"], "width": info["width"], "image": info["image"], "tree": p.get("tree", "Events"),
        "rows": sum(x["rows"] for x in parts), "mask": "1 = real value, 0 = padding",
        "split": {"0": "train", "1": "validation", "2": "test"}, "formats": list(formats),
        "files": [{"path": _path(f), "label": f.get("label") if isinstance(f, dict) else None} for f in p["files"]],
        "parts": parts,
    }
    Path(out, "index.json").write_text(json.dumps(index, indent=1))
    return index


def read_export(out, columns=("X", "mask", "y", "w", "split")):
    """The shards of an `export` folder concatenated in index order: {column: numpy array}."""
    import numpy as np
    index = json.loads(Path(out, "index.json").read_text())
    result = {}
    for col in columns:
        pieces = [np.load(Path(out) / part["files"][col]) for part in index["parts"] if col in part["files"]]
        if pieces:
            result[col] = np.concatenate(pieces)
    return result
