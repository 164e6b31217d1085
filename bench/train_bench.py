"""Training layer II benchmark: hepml's native MLP trainer (OpenBLAS) against the same network in PyTorch on
CPU, same data, same batch size, same epochs, 1 and 2 threads, all in one run.

usage: .deps/bench-venv/bin/python bench/train_bench.py [--file F] [--epochs 10] [--batch-sizes 256,32]
                                                         [--threads 1,2] [--out bench/results/train.md]
Needs: a release build (.build/release/hepml), `bash bench/make_data.sh`, and `bash bench/setup_torch.sh`
(.deps/torch-venv with torch from PyPI). Temporary files go to a folder under /tmp and are deleted.

Data: the "recipe" layout of bench/transform_bench.py on nanoaod-like-100k-zstd.root, without MET_* and
PuppiMET_* (the label is the expression `MET_pt > 50`, so *MET_* are excluded from the features): 12 flat + 48
jagged branches, Jet_*=10, Muon_*=2, Electron_*=3, Photon_*=3, Tau_*=2 → 252 features, minmax, pad 0.
Split 80/10/10 by hepml's seeded hash.

Network: 252 → 64 → 32 → 16 (relu) → 1 (sigmoid), BCE, Adam lr 1e-3, no weight decay, no dropout, no early
stopping, `--epochs` epochs.

hepml : `hepml train --params P --model M --specs S --out D --threads N` (N = OpenBLAS threads); events/s per
        epoch from its report/training.jsonl (train rows / epoch seconds; the epoch includes the validation
        pass). The training rows are read once into memory before epoch 1.
PyTorch: bench/peer_torch.py on the X/y/w/split .npy that `hepml export --params P` wrote for the same params
        (same rows, features and split), torch.set_num_threads(N), the same epoch definition.
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT_DIR = os.path.dirname(HERE)
HEPML = os.path.join(ROOT_DIR, ".build", "release", "hepml")
TORCH_PY = os.path.join(ROOT_DIR, ".deps", "torch-venv", "bin", "python")
sys.path.insert(0, HERE)
from transform_bench import RECIPE_FLAT, RECIPE_JAGGED, RECIPE_LENGTHS  # noqa: E402
from quiet import OtherLoad, binary_stamp, wait_until_quiet  # noqa: E402

LAYERS = [64, 32, 16]


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def write_files(work, path, epochs, batch):
    branches = [b for b in RECIPE_FLAT + RECIPE_JAGGED if "MET_" not in b]
    params = {
        "files": [path], "tree": "Events", "label": "MET_pt > 50", "branches": branches, "exclude": ["*MET_*"],
        "lengths": {f"{c}_*": n for c, n in RECIPE_LENGTHS.items()}, "normalization": "minmax", "pad_value": 0,
        "split": {"train": 0.8, "validation": 0.1, "test": 0.1}, "chunk_size": 10000, "batch_size": 1024,
        "shuffle": True, "seed": 7,
    }
    model = {
        "layers": [{"units": u, "activation": "relu"} for u in LAYERS], "output": "sigmoid", "loss": "bce",
        "optimizer": "adam", "learning_rate": 0.001, "weight_decay": 0, "epochs": epochs, "batch_size": batch,
        "patience": 0, "seed": 3, "mask_features": False,
    }
    p, m = os.path.join(work, "params.json"), os.path.join(work, f"model-{batch}.json")
    json.dump(params, open(p, "w"), indent=1)
    json.dump(model, open(m, "w"), indent=1)
    return p, m, branches


def hepml_train(work, params, model, specs, threads):
    out = os.path.join(work, f"train-{threads}")
    shutil.rmtree(out, ignore_errors=True)
    text = run([HEPML, "train", "--params", params, "--model", model, "--specs", specs, "--out", out,
                "--threads", str(threads)])
    recs = [json.loads(l) for l in open(os.path.join(out, "report", "training.jsonl")) if l.strip()]
    m = re.search(r"data: (\d+) train rows", text)
    test = re.search(r"test: .*AUC ([0-9.]+)", text)
    shutil.rmtree(out, ignore_errors=True)
    return {"train_rows": int(m.group(1)) if m else None, "epochs": recs,
            "test_auc": float(test.group(1)) if test else None, "log": text}


def summarize(epochs):
    eps = [e["events_per_s"] for e in epochs]
    later = eps[1:] or eps
    return {"first": eps[0], "median_2_on": statistics.median(later), "mean_all": sum(eps) / len(eps),
            "last_val_auc": epochs[-1].get("validation_auc", epochs[-1].get("val_auc"))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", default=os.path.join(HERE, "data", "nanoaod-like-100k-zstd.root"))
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-sizes", default="256,32")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "train.md"))
    ap.add_argument("--keep-disturbed", action="store_true",
                    help="write --out even when other processes disturbed the run (default: OUT-disturbed.md)")
    a = ap.parse_args()
    path = os.path.abspath(a.file)
    if not os.path.exists(TORCH_PY):
        raise SystemExit("no .deps/torch-venv: run `bash bench/setup_torch.sh`")
    torch_version = run([TORCH_PY, "-c", "import torch; print(torch.__version__)"]).strip()
    subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)
    busy = wait_until_quiet()
    load0 = os.getloadavg()[0]
    other = OtherLoad()
    stamp = binary_stamp(HEPML)
    work = tempfile.mkdtemp(prefix="hepml-train-bench-")
    rows = []
    try:
        batches = [int(b) for b in a.batch_sizes.split(",")]
        threads = [int(t) for t in a.threads.split(",")]
        params, _, branches = write_files(work, path, a.epochs, batches[0])
        specs = os.path.join(work, "specs.json")
        run([HEPML, "specs", path, "--branches", ",".join(branches), "-o", specs])
        data = os.path.join(work, "export")
        export_line = run([HEPML, "export", "--params", params, "--specs", specs, "--out", data]).strip()
        n_train = None
        for b in batches:
            _, model, _ = write_files(work, path, a.epochs, b)
            for t in threads:
                print(f"hepml train batch {b} threads {t} ...", file=sys.stderr, flush=True)
                h = hepml_train(work, params, model, specs, t)
                print(f"pytorch batch {b} threads {t} ...", file=sys.stderr, flush=True)
                p = json.loads(run([TORCH_PY, os.path.join(HERE, "peer_torch.py"), data, "--threads", str(t),
                                    "--batch-size", str(b), "--epochs", str(a.epochs)]).strip().splitlines()[-1])
                if h["train_rows"] is not None and h["train_rows"] != p["train_rows"]:
                    print(f"warning: hepml trained on {h['train_rows']} rows, PyTorch on {p['train_rows']}", file=sys.stderr)
                n_train = p["train_rows"]
                rows.append({"batch": b, "threads": t, "hepml": summarize(h["epochs"]), "torch": summarize(p["epochs"]),
                             "hepml_epochs": h["epochs"], "torch_epochs": p["epochs"], "hepml_test_auc": h["test_auc"],
                             "features": p["features"], "train_rows": p["train_rows"], "hepml_train_rows": h["train_rows"]})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load1 = os.getloadavg()[0]
    other_s, other_share = other.stop()
    rebuilt = binary_stamp(HEPML) != stamp

    L = ["# Training layer II: MLP training throughput (`bench/train_bench.py`)\n"]
    L.append(f"Data: recipe layout of `bench/transform_bench.py` without MET_* and PuppiMET_* ({rows[0]['features']} features), label "
             f"`MET_pt > 50`, {n_train:,} training rows (hepml's 80/10/10 split of 100,000 events of "
             f"`{os.path.relpath(path, ROOT_DIR)}`). Network {rows[0]['features']}→64→32→16 relu →1 sigmoid, BCE, "
             f"Adam lr 1e-3, {a.epochs} epochs, no early stopping. An epoch = shuffled training pass + validation pass; "
             f"events/s = training rows / epoch seconds. hepml: release build, OpenBLAS, `--threads N`. PyTorch "
             f"{torch_version} (PyPI wheel, run on CPU), `torch.set_num_threads(N)`, indexing in-memory tensors, "
             f"on the X.npy/y.npy/split.npy from `hepml export` with the same params. Run on "
             f"{time.strftime('%Y-%m-%d %H:%M')}; CPUs {busy:.0%} busy just before; 1-minute load average {load0:.2f} at the start, "
             f"{load1:.2f} at the end; other processes used {other_s:.1f} CPU-s during the run ({other_share:.1%} "
             f"of the machine).\n")
    if rebuilt:
        L.append("**Warning: .build/release/hepml changed during this run (rebuilt); rerun.**\n")
    if other_share > 0.10:
        L.append(f"**Warning: other processes used {other_share:.0%} of the CPUs during this run; the timings are "
                 f"disturbed. Rerun on an idle machine.**\n")
    L.append("| batch | threads | hepml epoch 1 (ev/s) | hepml median epochs 2–N (ev/s) | PyTorch epoch 1 (ev/s) "
             "| PyTorch median epochs 2–N (ev/s) | hepml ÷ PyTorch (median) | target hepml ≥ PyTorch | final val AUC hepml / PyTorch |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        h, p = r["hepml"], r["torch"]
        ratio = h["median_2_on"] / p["median_2_on"]
        L.append(f"| {r['batch']} | {r['threads']} | {h['first']:,.0f} | {h['median_2_on']:,.0f} | {p['first']:,.0f} "
                 f"| {p['median_2_on']:,.0f} | {ratio:.2f}× | {'met' if ratio >= 1 else 'not met'} "
                 f"| {h['last_val_auc']:.3f} / {p['last_val_auc']:.3f} |")
    L.append("\nThread scaling (median epochs 2–N, 2 threads ÷ 1 thread): " + "; ".join(
        f"batch {b}: hepml {next(r for r in rows if r['batch'] == b and r['threads'] == 2)['hepml']['median_2_on'] / next(r for r in rows if r['batch'] == b and r['threads'] == 1)['hepml']['median_2_on']:.2f}×, "
        f"PyTorch {next(r for r in rows if r['batch'] == b and r['threads'] == 2)['torch']['median_2_on'] / next(r for r in rows if r['batch'] == b and r['threads'] == 1)['torch']['median_2_on']:.2f}×"
        for b in sorted({r['batch'] for r in rows}) if {1, 2} <= {r['threads'] for r in rows if r['batch'] == b}) + "\n")
    L.append("Note: the benchmark file is 500 copies of one 200-event tree (bench/make_data.sh), so validation events "
             "repeat training events; the AUC only shows that both trainers learned, it is not a physics result.\n")
    L.append(f"Data export for the peer: `{re.sub(r'/tmp/hepml-train-bench-[^ ]*', 'DIR', export_line)}`\n")
    md = "\n".join(L)
    if (rebuilt or other_share > 0.10) and not a.keep_disturbed:
        # do not overwrite a clean result with a disturbed one
        a.out = os.path.splitext(a.out)[0] + "-disturbed.md"
        print(f"disturbed run: writing {a.out} instead", file=sys.stderr)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    open(a.out, "w").write(md + "\n")
    json.dump(rows, open(os.path.splitext(a.out)[0] + ".json", "w"), indent=1)
    print(md)


if __name__ == "__main__":
    main()
