"""Issue 15 benchmark: events/s delivered into a tiny PyTorch training loop by hepml.torch (0, 1, 2 DataLoader
workers) against the uproot + awkward + numpy pipeline a physicist writes today and against `hepml export
--no-write` (the same batches built by the CLI, nothing written), on the recipe layout of transform_bench.py
(66 branches, 258 features, minmax), and the peak RSS for 1x, 4x and 16x the data (a file list of the same file).

usage: .deps/test-venv/bin/python bench/python_bench.py [--file F] [--batch 1024] [--epochs 2]
           [--library .build-release/release/libHEPMLC.so] [--hepml-bin .build-release/release/hepml]
           [--out bench/results/python.md]
Needs release builds of the library and the binary:
  swift build -c release --scratch-path .build-release --product HEPMLC   (and --product hepml)
the test venv (torch, uproot, awkward) and `bash bench/make_data.sh zstd`. The library is passed to every case
through HEPML_LIBRARY (python/hepml/_lib.py looks there first).

Every case runs in its own process (peak RSS = its ru_maxrss, workers included as their maximum; the baseline
is a process that imports torch and hepml.torch and makes the Dataset without reading). The model is
one Linear(258, 1) layer with Adam on 1 torch thread (the same loop for every pipeline), warmed up by one step
before timing, so the input pipeline dominates. Each pipeline runs --epochs epochs over the file; an epoch's
time runs from asking for its first batch to the optimizer step of its last. Epoch 1 of a DataLoader with
workers includes starting them (spawn: a new Python importing torch and hepml); later epochs reuse them
(persistent_workers). The min/max pass (hepml.specs, or the peer's ak.min/ak.max) is done before and timed
apart. `hepml export --no-write` reports its own seconds (read + transform, no specs pass). Each pipeline runs
--repeat times (in rounds over all pipelines); the table shows the run with the fastest last epoch and the
largest peak RSS of all runs.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT_DIR = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from quiet import OtherLoad, wait_until_quiet  # noqa: E402
from transform_bench import RECIPE_FLAT, RECIPE_JAGGED, RECIPE_LENGTHS  # noqa: E402

DEFAULT_FILE = os.path.join(ROOT_DIR, "bench", "data", "nanoaod-like-100k-zstd.root")
DEFAULT_LIBRARY = os.path.join(ROOT_DIR, ".build-release", "release", "libHEPMLC.so")
DEFAULT_BIN = os.path.join(ROOT_DIR, ".build-release", "release", "hepml")
BRANCHES = RECIPE_FLAT + RECIPE_JAGGED
MLAAS4HEP_RATE = 2838  # events/s of the unmodified MLaaS4HEP generator on these branches, as quoted in issue 15


def params_for(files, batch):
    return {"files": [{"path": f, "label": 1} for f in files], "branches": BRANCHES,
            "lengths": {f"{k}_*": n for k, n in RECIPE_LENGTHS.items()}, "normalization": "minmax",
            "split": {"train": 1.0, "validation": 0.0, "test": 0.0}, "batch_size": batch, "chunk_size": 10000,
            "shuffle": False}


def make_trainer(width):
    """One Adam step of Linear(width, 1) per batch; warmed up once on zeros."""
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = torch.nn.Linear(width, 1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x).reshape(-1), y)
        loss.backward()
        opt.step()
        return len(y)
    step(torch.zeros(2, width), torch.ones(2))
    return step


def timed_epochs(epochs, make_batches, step):
    """[(rows, seconds)] per epoch; make_batches() gives an iterable of (X, y) for one epoch."""
    out = []
    for _ in range(epochs):
        t = time.perf_counter()
        rows = sum(step(x, y) for x, y in make_batches())
        out.append((rows, time.perf_counter() - t))
    return out


def case_hepml(files, batch, workers, specs_path, epochs):
    import torch
    import hepml.torch
    specs = json.load(open(specs_path))
    ds = hepml.torch.Dataset(params_for(files, batch), "train", specs=specs)
    step = make_trainer(ds.width)
    kw = {"multiprocessing_context": "spawn", "persistent_workers": True} if workers else {}
    loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=workers, **kw)
    return timed_epochs(epochs, lambda: ((b["X"], b["y"]) for b in loader), step)


def case_arrow(files, batch, specs_path, epochs):
    """hepml's record batches as pyarrow, no torch: the stream's own speed through Python."""
    import hepml
    specs = json.load(open(specs_path))
    params = params_for(files, batch)
    out = []
    for _ in range(epochs):
        t = time.perf_counter()
        rows = sum(b.num_rows for b in hepml.dataset_stream(params, specs, "train"))
        out.append((rows, time.perf_counter() - t))
    return out


def uproot_minmax(files):
    """The peer's specs pass: min and max of every branch over all values."""
    import awkward as ak
    import numpy as np
    import uproot
    mins, maxs = {}, {}
    for arrays in uproot.iterate([f + ":Events" for f in files], BRANCHES, step_size=10000):
        for b in BRANCHES:
            v = ak.flatten(arrays[b], axis=None) if b in RECIPE_JAGGED else arrays[b]
            if len(v):
                mins[b] = min(mins.get(b, np.inf), float(ak.min(v)))
                maxs[b] = max(maxs.get(b, -np.inf), float(ak.max(v)))
    return mins, maxs


def uproot_batches(files, batch, mins, maxs):
    """uproot.iterate -> pad/clip -> mask -> minmax -> [N, 258] float32 -> torch batches."""
    import awkward as ak
    import numpy as np
    import torch
    import uproot
    for arrays in uproot.iterate([f + ":Events" for f in files], BRANCHES, step_size=10000):
        cols = []
        for b in BRANCHES:
            lo, hi = mins.get(b, 0.0), maxs.get(b, 0.0)
            if b in RECIPE_JAGGED:
                n = RECIPE_LENGTHS[b.split("_")[0]]
                padded = ak.pad_none(arrays[b], n, clip=True)
                mask = ak.to_numpy(~ak.is_none(padded, axis=1))
                v = ak.to_numpy(ak.fill_none(padded, 0)).astype(np.float32)
            else:
                mask = None
                v = ak.to_numpy(arrays[b]).astype(np.float32)[:, None]
            v = np.clip((v - lo) / (hi - lo), 0, 1) if hi > lo else np.zeros_like(v)
            cols.append(np.where(mask, v, 0) if mask is not None else v)
        x = torch.from_numpy(np.concatenate(cols, axis=1).astype(np.float32))
        y = torch.ones(len(x))
        for i in range(0, len(x), batch):
            yield x[i:i + batch], y[i:i + batch]


def case_uproot(files, batch, epochs):
    t = time.perf_counter()
    mins, maxs = uproot_minmax(files)
    specs_seconds = time.perf_counter() - t
    step = make_trainer(len(RECIPE_FLAT) + sum(RECIPE_LENGTHS[b.split("_")[0]] for b in RECIPE_JAGGED))
    return timed_epochs(epochs, lambda: uproot_batches(files, batch, mins, maxs), step), specs_seconds


def child(argv):
    kind, files, batch, workers, specs, epochs = (argv[0], json.loads(argv[1]), int(argv[2]), int(argv[3]), argv[4],
                                                  int(argv[5]))
    extra = {}
    if kind == "idle":
        import hepml.torch
        hepml.torch.Dataset(params_for(files, batch), "train", specs=json.load(open(specs)))
        result = []
    elif kind == "hepml":
        result = case_hepml(files, batch, workers, specs, epochs)
    elif kind == "arrow":
        result = case_arrow(files, batch, specs, epochs)
    else:
        result, extra["specs_seconds"] = case_uproot(files, batch, epochs)
    print(json.dumps({"epochs": result, **extra}))


def waited(cmd, **kw):
    """Runs cmd; (stdout text, peak RSS MB of the process and its waited-for children)."""
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, **kw)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if code != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed (exit {code})")
    return text, usage.ru_maxrss / 1024


def run_case(kind, files, batch, workers, specs, epochs):
    """One case in a child process: {"epochs": [(rows, s)], "peak_rss_mb", ...}."""
    text, rss = waited([sys.executable, __file__, "--child", kind, json.dumps(files), str(batch), str(workers), specs,
                        str(epochs)])
    result = json.loads(text.strip().splitlines()[-1])
    result["peak_rss_mb"] = rss
    return result


def run_no_write(binary, params_path, specs_path):
    text, rss = waited([binary, "export", "--params", params_path, "--specs", specs_path, "--out",
                        tempfile.mkdtemp(prefix="hepml-nowrite-"), "--no-write"], stderr=subprocess.STDOUT)
    m = re.search(r"(\d+) rows × \d+ features .*? in ([0-9.]+) s \(", text)
    if not m:
        raise SystemExit(f"unexpected `hepml export --no-write` output: {text[-300:]}")
    return {"epochs": [(int(m.group(1)), float(m.group(2)))], "peak_rss_mb": rss}


def best_run(results):
    """The run with the fastest last epoch; peak RSS is the largest of all runs."""
    best = dict(min(results, key=lambda r: r["epochs"][-1][1]))
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
    best["runs"] = len(results)
    return best


def rate(rows_seconds):
    rows, seconds = rows_seconds
    return rows / seconds


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2:])
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", default=DEFAULT_FILE)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--library", default=os.environ.get("HEPML_LIBRARY", DEFAULT_LIBRARY))
    ap.add_argument("--hepml-bin", default=DEFAULT_BIN)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each pipeline (best last epoch is reported)")
    ap.add_argument("--no-wait", action="store_true", help="do not wait for an idle machine")
    ap.add_argument("--out", default=os.path.join(ROOT_DIR, "bench", "results", "python.md"))
    args = ap.parse_args()
    for path in (args.file, args.library, args.hepml_bin):
        if not os.path.exists(path):
            raise SystemExit(f"missing {path} (see the usage at the top of {__file__})")
    os.environ["HEPML_LIBRARY"] = os.path.abspath(args.library)
    import hepml

    work = tempfile.mkdtemp(prefix="hepml-python-bench-")
    params_path, specs_path = os.path.join(work, "params.json"), os.path.join(work, "specs.json")
    json.dump(params_for([args.file], args.batch), open(params_path, "w"))
    if not args.no_wait:
        wait_until_quiet(max_wait=300)
    load = OtherLoad()
    started, load_start = time.time(), os.getloadavg()[0]
    t = time.perf_counter()
    specs = hepml.specs(params_for([args.file], args.batch))
    hepml_specs_seconds = time.perf_counter() - t
    json.dump(specs, open(specs_path, "w"))

    cases = [("`hepml export --no-write` (release binary)", lambda: run_no_write(args.hepml_bin, params_path, specs_path)),
             ("hepml record batches as pyarrow (no torch)",
              lambda: run_case("arrow", [args.file], args.batch, 0, specs_path, args.epochs))]
    for workers in (0, 1, 2):
        cases.append((f"hepml.torch, {workers} DataLoader workers",
                      lambda w=workers: run_case("hepml", [args.file], args.batch, w, specs_path, args.epochs)))
    cases.append(("uproot + awkward + numpy", lambda: run_case("uproot", [args.file], args.batch, 0, specs_path, args.epochs)))
    runs = {name: [] for name, _ in cases}
    for _ in range(args.repeat):  # rounds over all cases, so a burst of other load hits every pipeline alike
        for name, run in cases:
            runs[name].append(run())
    rows = [(name, best_run(runs[name])) for name, _ in cases]
    peer = rows[-1][1]
    idle = run_case("idle", [args.file], args.batch, 0, specs_path, 0)
    scale = []
    for copies in (1, 4, 16):
        scale.append((copies, best_run([run_case("hepml", [args.file] * copies, args.batch, 0, specs_path, 1)
                                        for _ in range(2 if copies < 16 else 1)])))
    other_seconds, other_share = load.stop()

    load_end = os.getloadavg()[0]
    import awkward, torch, uproot
    versions = f"torch {torch.__version__}, uproot {uproot.__version__}, awkward {awkward.__version__}"
    built = {p: time.strftime("%Y-%m-%d %H:%M", time.gmtime(os.path.getmtime(p))) for p in (args.library, args.hepml_bin)}
    nowrite = rate(rows[0][1]["epochs"][-1])
    uproot_rate = rate(peer["epochs"][-1])
    lines = [f"Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime(started))} UTC; file {os.path.basename(args.file)}, "
             f"batch {args.batch}, recipe layout (258 features), minmax; library {os.path.relpath(args.library, ROOT_DIR)} "
             f"(built {built[args.library]}), binary {os.path.relpath(args.hepml_bin, ROOT_DIR)} (built "
             f"{built[args.hepml_bin]}); {versions}; min/max pass: hepml.specs {hepml_specs_seconds:.2f} s, uproot peer "
             f"{peer['specs_seconds']:.2f} s; 1-minute load average {load_start:.2f} at the start, {load_end:.2f} at the "
             f"end; other processes used {other_seconds:.0f} CPU-s ({other_share:.0%} of the machine) during the run.", "",
             f"| pipeline (best of {args.repeat}) | events/epoch | epoch 1 (s) | last epoch (s) | events/s (last epoch) | × uproot | of no-write | peak RSS (MB) |",
             "|---|---|---|---|---|---|---|---|"]
    for name, r in rows:
        e = r["epochs"]
        first = f"{e[0][1]:.2f}" if len(e) > 1 else "—"
        lines.append(f"| {name} | {e[-1][0]:,} | {first} | {e[-1][1]:.2f} | {rate(e[-1]):,.0f} | "
                     f"{rate(e[-1]) / uproot_rate:.1f}× | {rate(e[-1]) / nowrite:.0%} | {r['peak_rss_mb']:.0f} |")
    best_torch = max(rate(r["epochs"][-1]) for name, r in rows if name.startswith("hepml.torch"))
    lines += ["", f"For scale: the MLaaS4HEP generator prepared {MLAAS4HEP_RATE:,} events/s on the 66 recipe branches "
              f"(issue 15); the best hepml.torch row is {best_torch / MLAAS4HEP_RATE:.0f}× that."]
    lines += ["", "| data (file list of the same file) | events | s | events/s | peak RSS (MB) |", "|---|---|---|---|---|"]
    lines.append(f"| baseline (torch and hepml imported, nothing read) | 0 | — | — | {idle['peak_rss_mb']:.0f} |")
    for copies, r in scale:
        e = r["epochs"][-1]
        lines.append(f"| {copies}× | {e[0]:,} | {e[1]:.2f} | {rate(e):,.0f} | {r['peak_rss_mb']:.0f} |")
    text = "\n".join(lines)
    print(text)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text + "\n")
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump({"rows": rows, "scale": scale, "hepml_specs_seconds": hepml_specs_seconds,
                   "other_cpu_share": other_share}, f, indent=1)


if __name__ == "__main__":
    main()
