"""Issue 10 item 7: a damaged size in a key header must not make the reader allocate it.

`hepml inspect` runs on shared files whose TTree key (or a basket) claims fObjlen = 2,000,000,000 (or 900,000,000,
below the reader's 1 GiB basket limit, so the block-header check is what refuses it); it must fail with a clear
message and a peak resident memory far below that.
"""
import json
import struct
import subprocess
import sys

import pytest

from conftest import HEPML_BIN, TESTDATA

PEAK_LIMIT_MB = 200
FILES = ["uproot-small-dy-withoffsets.root", "uproot-HZZ-lzma.root", "nanoaod-like-a-zstd.root"]


def key_records(data: bytes):
    """(offset, keylen, class name) of every key record between fBEGIN and fEND."""
    begin = struct.unpack(">i", data[4 + 4:4 + 8])[0]
    version = struct.unpack(">i", data[4:8])[0]
    end = struct.unpack(">q" if version > 1000000 else ">i", data[12:20] if version > 1000000 else data[12:16])[0]
    pos = begin
    while pos + 18 <= end:
        nbytes, key_version = struct.unpack(">ih", data[pos:pos + 6])
        if nbytes < 0:
            pos -= nbytes
            continue
        if nbytes == 0:
            break
        keylen = struct.unpack(">h", data[pos + 14:pos + 16])[0]
        p = pos + 18 + (16 if key_version > 1000 else 8)
        n = data[p]
        yield pos, keylen, data[p + 1:p + 1 + n].decode("latin-1")
        pos += nbytes


def with_objlen(data: bytes, offset: int, keylen: int, objlen: int) -> bytes:
    """Every copy of the key header at `offset` (record and keys list) with fObjlen replaced."""
    header = data[offset:offset + keylen]
    out = bytearray(data)
    start = 0
    while (i := data.find(header, start)) >= 0:
        out[i + 6:i + 10] = struct.pack(">i", objlen)
        start = i + keylen
    return bytes(out)


def peak_rss_mb(args) -> tuple[float, subprocess.CompletedProcess]:
    """Runs `args` from a fresh Python so RUSAGE_CHILDREN holds only that process."""
    probe = ("import resource, subprocess, sys, json\n"
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)\n"
             "print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode, p.stdout[-2000:], p.stderr[-2000:]]))")
    out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=180, check=True)
    rss_kb, rc, stdout, stderr = json.loads(out.stdout)
    return rss_kb / 1024, subprocess.CompletedProcess(args, rc, stdout, stderr)


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("target", ["TTree", "TBasket"])
@pytest.mark.parametrize("objlen", [2_000_000_000, 900_000_000])
def test_huge_objlen_is_refused_with_bounded_memory(tmp_path, name, target, objlen):
    if not HEPML_BIN.exists():
        pytest.skip(f"binary not found: {HEPML_BIN}")
    data = (TESTDATA / "root" / name).read_bytes()
    offset, keylen, _ = next(r for r in key_records(data) if r[2] == target)
    damaged = tmp_path / name
    damaged.write_bytes(with_objlen(data, offset, keylen, objlen))
    peak, result = peak_rss_mb([str(HEPML_BIN), "inspect", str(damaged)])
    report = result.stdout + result.stderr
    assert result.returncode != 0 and str(objlen) in report, report
    assert "corrupt compressed block" in report or "malformed" in report, report
    assert peak < PEAK_LIMIT_MB, f"peak RSS {peak:.0f} MB"
    _, clean = peak_rss_mb([str(HEPML_BIN), "inspect", str(TESTDATA / "root" / name)])
    assert clean.returncode == 0, clean.stderr
