"""Files and trees: `hepml.open(path)["Events"].arrays([...], library="np"|"pa"|"ak")`, in uproot's spelling."""
import ctypes
import json

from . import _lib
from ._lib import HEPMLError


def open(path_or_url):  # noqa: A001 (uproot's name)
    """Opens a ROOT file by path or URL (root://, http(s)://)."""
    return File(path_or_url)


class File:
    """An open ROOT file: `file["Events"]` is a Tree; `file.keys()` lists its trees."""

    def __init__(self, path_or_url):
        self.path = str(path_or_url)
        handle = ctypes.c_void_p()
        _lib.check(_lib.hepml_open(_lib.encode(self.path), ctypes.byref(handle)))
        self._handle = handle
        self._info = None

    @property
    def handle(self):
        if self._handle is None:
            raise HEPMLError(f"{self.path}: the file is closed")
        return self._handle

    def close(self):
        if self._handle is not None:
            _lib.hepml_close(self._handle)
            self._handle = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def trees(self):
        """[{"path", "cycle", "class", "entries"}] for every TTree and RNTuple."""
        if self._info is None:
            self._info = json.loads(_lib.call_string(_lib.hepml_file_trees, self.handle))
        return self._info["trees"]

    def keys(self):
        """Tree paths (with `;cycle`)."""
        return [f"{t['path']};{t['cycle']}" for t in self.trees]

    def __getitem__(self, name):
        return Tree(self, name)

    def __repr__(self):
        return f"<hepml.File {self.path!r}>"


class Tree:
    """A TTree or RNTuple: branch metadata, `arrays` (one entry range) and `iterate` (chunks)."""

    def __init__(self, file, path):
        self.file = file
        self.path = path
        self._info = json.loads(_lib.call_string(_lib.hepml_tree_branches, file.handle, _lib.encode(path)))

    @property
    def num_entries(self):
        return int(self._info["entries"])

    @property
    def branches(self):
        """Readable branches: [{"name", "type", "kind", "shape", "counter"}]."""
        return self._info["branches"]

    @property
    def skipped(self):
        """Branches hepml does not read as numbers, with the reason."""
        return self._info["skipped"]

    def keys(self, filter_name=None):
        import fnmatch
        names = [b["name"] for b in self.branches]
        return names if filter_name is None else [n for n in names if fnmatch.fnmatchcase(n, filter_name)]

    @property
    def typenames(self):
        return {b["name"]: _typename(b) for b in self.branches}

    def arrow_stream(self, expressions=None, entry_start=None, entry_stop=None, step_size=100_000):
        """A pyarrow RecordBatchReader over the selected branches (names and globs; all when None)."""
        if isinstance(expressions, str):
            expressions = [expressions]
        names = json.dumps(list(expressions) if expressions is not None else [])
        start = 0 if entry_start is None else int(entry_start)
        stop = -1 if entry_stop is None else int(entry_stop)
        if start < 0:
            start += self.num_entries
        if stop < -1 or (entry_stop is not None and stop < 0):
            stop += self.num_entries
        return _lib.import_stream(_lib.hepml_read_stream, self.file.handle, _lib.encode(self.path), _lib.encode(names),
                                  start, stop, int(step_size))

    def arrays(self, expressions=None, entry_start=None, entry_stop=None, library="np", step_size=100_000):
        """The selected branches over [entry_start, entry_stop) in one piece."""
        import pyarrow as pa
        reader = self.arrow_stream(expressions, entry_start, entry_stop, step_size)
        try:
            table = reader.read_all()
        except (pa.ArrowException, OSError) as e:
            raise HEPMLError(_message(e)) from None
        return convert(table, library)

    def iterate(self, expressions=None, step_size=100_000, entry_start=None, entry_stop=None, library="np"):
        """Chunks of at most `step_size` entries, converted like `arrays`."""
        import pyarrow as pa
        reader = self.arrow_stream(expressions, entry_start, entry_stop, step_size)
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except (pa.ArrowException, OSError) as e:
                raise HEPMLError(_message(e)) from None
            yield convert(pa.Table.from_batches([batch]), library)

    def __repr__(self):
        return f"<hepml.Tree {self.path!r} ({self.num_entries} entries)>"


def _typename(b):
    """`float32`, `float32[3]`, `float32[]`, `float32[][]` (vector<vector<float>>), `string`, `string[]`."""
    kind = b["kind"]
    if kind in ("string", "jagged_string"):
        return "string" + ("[]" if kind == "jagged_string" else "")
    suffix = {"jagged": "[]", "doubly_jagged": "[][]"}.get(kind, "")
    return b["type"] + "".join(f"[{d}]" for d in b["shape"]) + suffix


def _message(e):
    text = str(e)
    # pyarrow prefixes errors it got from a C stream with its own context; keep hepml's message.
    return text.split("\n")[0]


def convert(table, library):
    """A pyarrow Table as "pa" (the table), "ak" (an awkward record array) or "np" (a dict of numpy arrays:
    flat branches 1-d, fixed arrays n-d, jagged branches object arrays of 1-d arrays, like uproot; strings object
    arrays of str; vector<vector<T>> and vector<string> object arrays of object arrays)."""
    if library in ("pa", "arrow", "pyarrow"):
        return table
    if library in ("ak", "awkward"):
        import awkward as ak
        return ak.from_arrow(table)
    if library in ("np", "numpy"):
        return {name: to_numpy(table.column(name)) for name in table.column_names}
    raise ValueError(f"library must be 'np', 'pa' or 'ak', not {library!r}")


def to_numpy(column):
    import pyarrow as pa
    chunks = column.chunks
    arr = pa.concat_arrays(chunks) if len(chunks) != 1 else chunks[0]
    return _numpy(arr)


def _numpy(arr):
    """Strings as an object array of str; lists as an object array of per-entry arrays (recursively, so
    vector<vector<float>> is an object array of object arrays of float arrays); the rest dense."""
    import numpy as np
    import pyarrow as pa
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        out = np.empty(len(arr), dtype=object)
        out[:] = arr.to_pylist()
        return out
    if pa.types.is_large_list(t) or pa.types.is_list(t):
        offsets = arr.offsets.to_numpy()
        content = _numpy(arr.values)
        out = np.empty(len(arr), dtype=object)
        for i in range(len(arr)):
            out[i] = content[offsets[i]:offsets[i + 1]]
        return out
    return _dense(arr)


def _dense(arr):
    """Primitive or nested fixed-size-list arrays as an n-d numpy array (zero copy where pyarrow allows)."""
    import pyarrow as pa
    shape = [len(arr)]
    while pa.types.is_fixed_size_list(arr.type):
        shape.append(arr.type.list_size)
        arr = arr.flatten()
    values = arr.to_numpy(zero_copy_only=False)
    return values.reshape(shape)
