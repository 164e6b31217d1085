#!/usr/bin/env python3
"""Peak RSS of hepml commands over 1x, 4x and 16x the data (a file list repeating the same file).

usage: python3 bench/rss_files_bench.py [--hepml BIN] [--file F] [--copies 1,4,16] [--train-epochs N]

Runs under `/usr/bin/time -v` and reports "Maximum resident set size" (MB) of:
  specs  : `hepml specs --file-list L --branches <recipe> -o specs.json`
  export : `hepml export --file-list L --specs S --labels ... --no-write` (recipe layout of transform_bench.py)
  train  : `hepml train --params P --model M --specs S --memory 1` (recipe layout, label MET_pt > 50, N epochs,
           rows not cached across epochs so every epoch re-reads the files)
  train1 : the same with `entries` = 100,000 / n per file: the same events over n files (train keeps its
           validation and test rows in memory, which grow with the data; this row isolates the file count)
  arrow  : the C ABI dataset stream read from Python as pyarrow record batches, no torch (python_bench.py's case)
  torch  : hepml.torch.Dataset, 0 DataLoader workers, one epoch (python_bench.py's case); both need --library
  read   : `hepml read F` takes one file, so it is listed once (its RSS does not depend on a file list).
Memory must not grow with the number of files (issue 14/15 target: within +-10% from 1x to 16x).
"""
import argparse, json, os, re, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from transform_bench import RECIPE_FLAT, RECIPE_JAGGED, RECIPE_LENGTHS  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT_DIR = os.path.dirname(HERE)


def peak_mb(cmd, env=None):
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return kb / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hepml", default=os.path.join(ROOT_DIR, ".build-release", "release", "hepml"))
    ap.add_argument("--file", default=os.path.join(HERE, "data", "nanoaod-like-100k-zstd.root"))
    ap.add_argument("--copies", default="1,4,16")
    ap.add_argument("--train-epochs", type=int, default=1)
    ap.add_argument("--commands", default="read,specs,export,train,train1")
    ap.add_argument("--max-open-files", type=int, help="params' max_open_files for export/train (default: hepml's)")
    ap.add_argument("--library", help="libHEPMLC.so for the arrow/torch rows")
    ap.add_argument("--python", default=os.path.join(ROOT_DIR, ".deps", "test-venv", "bin", "python"))
    args = ap.parse_args()
    H, F = args.hepml, os.path.abspath(args.file)
    branches = RECIPE_FLAT + RECIPE_JAGGED
    work = tempfile.mkdtemp(prefix="hepml-rss-")
    cmds = args.commands.split(",")
    rows = {c: {} for c in cmds}
    specs = os.path.join(work, "specs.json")
    subprocess.run([H, "specs", F, "--branches", ",".join(branches), "-o", specs], check=True, capture_output=True)
    lengths = [a for c, n in RECIPE_LENGTHS.items() for a in ("--max-length", f"{c}_*={n}")]
    model = os.path.join(work, "model.json")
    json.dump({"layers": [{"units": 16, "activation": "relu"}], "output": "sigmoid", "loss": "bce", "optimizer": "adam",
               "epochs": args.train_epochs, "batch_size": 256, "seed": 1}, open(model, "w"))
    for n in [int(x) for x in args.copies.split(",")]:
        lst = os.path.join(work, f"files-{n}.txt")
        open(lst, "w").write("\n".join([F] * n) + "\n")
        if "read" in cmds:
            rows["read"][n] = peak_mb([H, "read", F, "--branches", ",".join(branches), "--quiet"]) if n == 1 else None
        if "specs" in cmds:
            rows["specs"][n] = peak_mb([H, "specs", "--file-list", lst, "--branches", ",".join(branches),
                                        "-o", os.path.join(work, "s.json")])
        cap = {"max_open_files": args.max_open_files} if args.max_open_files else {}
        cap_params = os.path.join(work, "cap.json")
        json.dump(cap, open(cap_params, "w"))
        if "export" in cmds:
            rows["export"][n] = peak_mb([H, "export", "--file-list", lst, "--specs", specs, "--labels", ",".join(["1"] * n),
                                         "--normalization", "minmax", "--out", os.path.join(work, "out"), "--no-write", "--params", cap_params] + lengths)
        for name in [c for c in cmds if c in ("train", "train1")]:
            params = os.path.join(work, f"params-{n}.json")
            limit = {"entries": 100000 // n} if name == "train1" else {}
            json.dump({**limit, **cap, "files": [F] * n, "branches": branches, "label": "MET_pt > 50",
                       "lengths": {f"{c}_*": k for c, k in RECIPE_LENGTHS.items()},
                       "normalization": {"default": "minmax"}, "chunk_size": 10000, "batch_size": 256, "seed": 7},
                      open(params, "w"))
            rows[name][n] = peak_mb([H, "train", "--params", params, "--model", model, "--specs", specs, "--memory", "1",
                                        "--out", os.path.join(work, "train")])
        for kind in [c for c in cmds if c in ("arrow", "torch")]:
            env = dict(os.environ, HEPML_LIBRARY=os.path.abspath(args.library))
            rows[kind][n] = peak_mb([args.python, os.path.join(HERE, "python_bench.py"), "--child",
                                     "arrow" if kind == "arrow" else "hepml", json.dumps([F] * n), "1024", "0", specs, "1"], env=env)
    copies = [int(x) for x in args.copies.split(",")]
    print("| command | " + " | ".join(f"{n}× MB" for n in copies) + " |")
    print("|---|" + "---:|" * len(copies))
    for c in cmds:
        print(f"| {c} | " + " | ".join("-" if rows[c][n] is None else f"{rows[c][n]:.0f}" for n in copies) + " |")


if __name__ == "__main__":
    main()
