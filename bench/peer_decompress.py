"""The decompression-only floor: decompress every on-disk basket of every branch with C codecs.

usage: peer_decompress.py FILE [--tree Events]
uproot only lists the baskets (fBasketSeek, fBasketBytes, fWriteBasket); the file is read into
memory and split into compressed blocks before the clock starts. The timed part is the codec calls
alone (zlib, lzma, lz4.block, zstandard). Prints one JSON line.

ROOT basket layout: a TKey header of fKeylen bytes, then the payload. The payload is stored as is
when fObjlen == fNbytes - fKeylen, otherwise it is a run of blocks, each with a 9-byte header:
2-byte algorithm tag ('ZL', 'XZ', 'L4', 'ZS'), a method byte, the 3-byte little-endian compressed
size and the 3-byte little-endian uncompressed size. 'L4' blocks start with an 8-byte xxhash64
checksum before the LZ4 block.
"""
import argparse, json, lzma, struct, time, zlib
import lz4.block
import uproot
import zstandard

_zstd = zstandard.ZstdDecompressor()
DECOMPRESS = {
    b"ZL": lambda data, n: zlib.decompress(data, bufsize=n),
    b"XZ": lambda data, n: lzma.decompress(data, format=lzma.FORMAT_XZ),
    b"L4": lambda data, n: lz4.block.decompress(data[8:], uncompressed_size=n),
    b"ZS": lambda data, n: _zstd.decompress(data, max_output_size=n),
}


def blocks_of(raw, seek, nbytes):
    """The compressed blocks of the basket at `seek`, as (tag, bytes, uncompressed size)."""
    # TKey: fNbytes i4, fVersion i2, fObjlen i4, fDatime u4, fKeylen i2 (big-endian)
    fnbytes, _version, objlen, _datime, keylen = struct.unpack_from(">ihiIh", raw, seek)
    assert fnbytes == nbytes, (seek, fnbytes, nbytes)
    if objlen == nbytes - keylen:
        return [], objlen  # stored uncompressed: nothing to decompress
    out, pos, end, total = [], seek + keylen, seek + nbytes, 0
    while total < objlen:
        tag = bytes(raw[pos:pos + 2])
        csize = int.from_bytes(raw[pos + 3:pos + 6], "little")
        usize = int.from_bytes(raw[pos + 6:pos + 9], "little")
        if tag not in DECOMPRESS:
            raise ValueError(f"unknown compression tag {tag!r} at {pos}")
        out.append((tag, bytes(raw[pos + 9:pos + 9 + csize]), usize))
        pos += 9 + csize
        total += usize
    assert pos <= end and total == objlen, (seek, pos, end, total, objlen)
    return out, 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--tree", default="Events")
    a = ap.parse_args()
    with open(a.file, "rb") as f:
        raw = f.read()
    tree = uproot.open(a.file)[a.tree]
    blocks, stored, baskets, embedded, compressed = [], 0, 0, 0, 0
    for branch in tree.itervalues(recursive=True):
        n = branch.member("fWriteBasket")
        seeks, sizes = branch.member("fBasketSeek"), branch.member("fBasketBytes")
        embedded += branch.num_baskets - n
        for i in range(n):
            bl, plain = blocks_of(raw, int(seeks[i]), int(sizes[i]))
            blocks.extend(bl)
            stored += plain
            baskets += 1
    compressed = sum(len(b) for _, b, _ in blocks)
    expected = sum(n for _, _, n in blocks)

    t0 = time.perf_counter()
    out = 0
    for tag, data, n in blocks:
        out += len(DECOMPRESS[tag](data, n))
    seconds = time.perf_counter() - t0

    assert out == expected, (out, expected)
    n = tree.num_entries
    print(json.dumps({"tool": "decompress-only", "file": a.file, "entries": n,
                      "branches": len(tree.keys(recursive=True)), "baskets": baskets,
                      "embedded_baskets_skipped": embedded, "blocks": len(blocks),
                      "codecs": sorted({t.decode() for t, _, _ in blocks}),
                      "compressed_bytes": compressed, "uncompressed_bytes": out,
                      "stored_uncompressed_bytes": stored,
                      "seconds": round(seconds, 4), "events_per_s": round(n / seconds, 1)}))


if __name__ == "__main__":
    main()
