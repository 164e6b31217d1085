"""Writes the bundled NanoAOD sample as CSV (flat branches), JSON lines (flat + jagged) and Parquet (every
numeric branch; several codecs, dictionary on/off, data page v1/v2, DELTA_BINARY_PACKED, list<float> jagged),
plus malformed files, for test_tabular.py. Usage: make_tabular.py OUTPUT_FOLDER
"""
import json
import math
import sys
from pathlib import Path

import awkward as ak
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import uproot

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "nanoAOD_2015_CMS_Open_Data_ttbar.root"

# (file name, pyarrow.parquet.write_table options)
PARQUET_VARIANTS = [
    ("snappy.parquet", dict(compression="snappy")),
    ("zstd.parquet", dict(compression="zstd")),
    ("gzip.parquet", dict(compression="gzip")),
    ("lz4.parquet", dict(compression="lz4")),
    ("none.parquet", dict(compression="none")),
    ("nodict_v2.parquet", dict(compression="snappy", use_dictionary=False, data_page_version="2.0")),
    ("dict_v2_zstd.parquet", dict(compression="zstd", use_dictionary=True, data_page_version="2.0")),
    ("plain_v1.parquet", dict(compression="none", use_dictionary=False, data_page_version="1.0")),
]


def load():
    """Numeric branches as flat numpy arrays or (offsets, content) pairs, in tree order."""
    tree = uproot.open(SAMPLE)["Events"]
    flat, jagged = {}, {}
    for name in tree.keys():
        try:
            a = tree[name].array(library="ak")
        except Exception:
            continue
        if a.ndim == 1:
            flat[name] = ak.to_numpy(a)
        elif a.ndim == 2:
            counts = ak.to_numpy(ak.num(a))
            offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
            jagged[name] = (offsets, ak.to_numpy(ak.flatten(a)))
    return flat, jagged


def arrow_table(flat, jagged):
    cols = {n: pa.array(v) for n, v in flat.items()}
    for n, (o, c) in jagged.items():
        cols[n] = pa.ListArray.from_arrays(pa.array(o), pa.array(c))
    return pa.table(cols)


def write_csv(flat, path):
    pacsv.write_csv(pa.table({n: pa.array(v) for n, v in flat.items()}), path)


def json_number(x):
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    x = x.item() if hasattr(x, "item") else x
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def write_jsonl(flat, jagged, path):
    n = len(next(iter(flat.values())))
    with open(path, "w") as f:
        for i in range(n):
            row = {k: json_number(v[i]) for k, v in flat.items()}
            for k, (o, c) in jagged.items():
                row[k] = [json_number(x) for x in c[o[i]:o[i + 1]]]
            f.write(json.dumps(row, allow_nan=False) + "\n")


def write_bad(out: Path, good_parquet: Path):
    data = good_parquet.read_bytes()
    (out / "bad_magic.parquet").write_bytes(b"PAR0" + data[4:])
    # The footer loses its first bytes; length and magic stay, so the length points before the real footer.
    (out / "truncated_footer.parquet").write_bytes(data[:-12] + data[-8:])
    (out / "truncated.parquet").write_bytes(data[: len(data) // 2])
    # Corrupt the first data page's payload of an uncompressed-header, snappy-compressed file: flip bytes in the
    # middle of the first column chunk (after its page header).
    meta = pq.ParquetFile(good_parquet).metadata
    col = meta.row_group(0).column(0)
    start = col.dictionary_page_offset or col.data_page_offset
    b = bytearray(data)
    for k in range(start + 24, start + min(col.total_compressed_size, 64)):
        b[k] ^= 0x5A
    (out / "corrupt_page.parquet").write_bytes(bytes(b))
    # Corrupt compressed page data of a file with page checksums: flip 64 bytes in the middle of the largest
    # column chunk.
    pq.write_table(pq.read_table(good_parquet), out / "crc.parquet", row_group_size=64, compression="zstd",
                   write_page_checksum=True)
    zdata = (out / "crc.parquet").read_bytes()
    zmeta = pq.ParquetFile(out / "crc.parquet").metadata.row_group(0)
    big = max((zmeta.column(i) for i in range(zmeta.num_columns)), key=lambda c: c.total_compressed_size)
    middle = (big.dictionary_page_offset or big.data_page_offset) + big.total_compressed_size // 2
    z = bytearray(zdata)
    for k in range(middle, middle + 64):
        z[k] ^= 0xA5
    (out / "corrupt_data.parquet").write_bytes(bytes(z))
    (out / "bad_quote.csv").write_text('a,b\n1,2\n3,"4\n5,6\n')
    (out / "stray_quote.csv").write_text('a,b\n1,2\n3,4"x\n')
    rows = ["x,y"] + [f"{i},{i * 0.5}" for i in range(10_003)] + ["7,abc"] + [f"{i},1.5" for i in range(5)]
    (out / "late_mismatch.csv").write_text("\n".join(rows) + "\n")
    rows = ["n,v"] + [f"{i},{i}" for i in range(10_003)] + [",2"]
    (out / "late_missing_int.csv").write_text("\n".join(rows) + "\n")
    (out / "quoted.csv").write_text('id,x,name\n1,"2.5","a ""quoted"", name"\n2,,"multi\nline"\n3,NaN,plain\n')
    (out / "bad.jsonl").write_text('{"a": 1}\n{"a": 2,}\n')


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    flat, jagged = load()
    table = arrow_table(flat, jagged)
    write_csv(flat, out / "nano.csv")
    write_jsonl(flat, jagged, out / "nano.jsonl")
    for name, options in PARQUET_VARIANTS:
        pq.write_table(table, out / name, row_group_size=64, data_page_size=2048, **options)
    ints = [n for n in table.column_names if pa.types.is_integer(table.schema.field(n).type)]
    pq.write_table(table, out / "delta.parquet", row_group_size=64, use_dictionary=False, compression="zstd",
                   column_encoding={n: "DELTA_BINARY_PACKED" for n in ints})
    write_bad(out, out / "snappy.parquet")
    (out / "branches.json").write_text(json.dumps({"flat": list(flat), "jagged": list(jagged)}))


if __name__ == "__main__":
    main()
