"""Loads libhepml.so (hepml's C ABI, Sources/CHEPML/include/hepml.h) with ctypes and declares its functions.

The library is looked up, in order: $HEPML_LIBRARY (optional), `libhepml.so` next to this package (scripts/setup
links it there), then the package's own build (`.build/release` or `.build/debug` of the checkout the package
lives in).
"""
import ctypes
import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent


class HEPMLError(RuntimeError):
    """An error reported by hepml (the message of the failing call)."""


class ArrowArrayStream(ctypes.Structure):
    """The Arrow C stream struct (5 pointers); pyarrow imports it by address."""
    _fields_ = [("get_schema", ctypes.c_void_p), ("get_next", ctypes.c_void_p), ("get_last_error", ctypes.c_void_p),
                ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p)]


def _candidates():
    env = os.environ.get("HEPML_LIBRARY")
    if env:
        yield Path(env)
    yield _HERE / "libhepml.so"
    for root in _HERE.parents:
        for config in ("release", "debug"):
            yield root / ".build" / config / "libHEPMLC.so"


def _load():
    tried = []
    for path in _candidates():
        if path.exists():
            return ctypes.CDLL(str(path)), path
        tried.append(str(path))
    raise ImportError("hepml: libhepml.so not found (run scripts/setup, or set HEPML_LIBRARY); looked in: "
                      + ", ".join(tried[:4]))


lib, library_path = _load()

_c = ctypes.c_char_p
_p = ctypes.c_void_p
_i64 = ctypes.c_int64
_out_str = ctypes.POINTER(ctypes.c_void_p)


def _declare(name, argtypes, restype=ctypes.c_int):
    f = getattr(lib, name)
    f.argtypes = argtypes
    f.restype = restype
    return f


hepml_version = _declare("hepml_version", [], _c)
hepml_last_error = _declare("hepml_last_error", [], _c)
hepml_string_free = _declare("hepml_string_free", [_p], None)
hepml_open = _declare("hepml_open", [_c, ctypes.POINTER(_p)])
hepml_close = _declare("hepml_close", [_p], None)
hepml_file_trees = _declare("hepml_file_trees", [_p, _out_str])
hepml_tree_branches = _declare("hepml_tree_branches", [_p, _c, _out_str])
hepml_read_stream = _declare("hepml_read_stream", [_p, _c, _c, _i64, _i64, _i64, ctypes.POINTER(ArrowArrayStream)])
hepml_specs = _declare("hepml_specs", [_c, _out_str])
hepml_specs_part = _declare("hepml_specs_part", [_c, _i64, _i64, _i64, _out_str])
hepml_dataset_info = _declare("hepml_dataset_info", [_c, _c, _out_str])
hepml_dataset_stream = _declare("hepml_dataset_stream", [_c, _c, ctypes.c_int, _c, ctypes.POINTER(ArrowArrayStream)])


def check(status: int):
    """Raises HEPMLError with hepml's message when `status` is not 0."""
    if status != 0:
        raise HEPMLError(hepml_last_error().decode("utf-8", "replace") or f"hepml call failed (status {status})")


def call_string(f, *args) -> str:
    """Calls a function returning a malloc'd string through its last argument; returns the text."""
    out = ctypes.c_void_p()
    check(f(*args, ctypes.byref(out)))
    try:
        return ctypes.string_at(out.value).decode("utf-8")
    finally:
        hepml_string_free(out)


def import_stream(f, *args):
    """Calls a function filling an ArrowArrayStream and imports it as a pyarrow RecordBatchReader."""
    import pyarrow as pa
    stream = ArrowArrayStream()
    check(f(*args, ctypes.byref(stream)))
    return pa.RecordBatchReader._import_from_c(ctypes.addressof(stream))


def encode(text) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text
