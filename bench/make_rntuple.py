"""Converts the 100,000-event NanoAOD-like TTree (bench/make_data.sh) to an RNTuple with ROOT's RNTupleImporter
(zstd, compression setting 505), for bench/rntuple_bench.py. Runs in the ROOT venv (.deps/root-venv).

usage: .deps/root-venv/bin/python bench/make_rntuple.py [SOURCE.root] [OUTPUT.root]
"""
import os
import sys
import warnings

warnings.filterwarnings("ignore")
import ROOT  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "data", "nanoaod-like-100k-zstd.root")
OUTPUT = os.path.join(HERE, "data", "rntuple-nanoaod-like-100k-zstd.root")


def importer_class():
    """RNTupleImporter moved out of Experimental in some releases; take whichever this ROOT has."""
    for scope in (ROOT, ROOT.Experimental):
        try:
            return getattr(scope, "RNTupleImporter")
        except AttributeError:
            continue
    raise SystemExit("this ROOT has no RNTupleImporter")


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    output = sys.argv[2] if len(sys.argv) > 2 else OUTPUT
    if not os.path.exists(source):
        raise SystemExit(f"{source} missing: run bench/make_data.sh zstd first")
    tmp = output + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    importer = importer_class().Create(source, "Events", tmp)
    options = ROOT.RNTupleWriteOptions()
    options.SetCompression(505)
    importer.SetWriteOptions(options)
    importer.SetIsQuiet(True)
    importer.Import()
    del importer
    os.replace(tmp, output)
    reader = ROOT.RNTupleReader.Open("Events", output)
    print(f"{output}: {reader.GetNEntries()} entries, {os.path.getsize(output) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
