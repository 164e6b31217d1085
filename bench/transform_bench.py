"""Training layer I benchmark: hepml specs / export / read against the uproot + awkward + numpy way of
building the same padded [N, F] float32 matrix and mask, all in one run on the same file.

usage: .deps/bench-venv/bin/python bench/transform_bench.py [--file F] [--layouts recipe,all]
                                                             [--repeat 3] [--no-perf] [--out bench/results/transform.md]
Needs: `bash bench/setup_python.sh`, `bash bench/make_data.sh`, a release build (.build/release/hepml).
Writes a markdown report (default bench/results/transform.md) and a JSON file next to it; exported arrays
go to a temporary folder under /tmp and are deleted.

Layouts
-------
recipe: 66 branches of NanoAOD, 18 flat + 48 jagged (lists RECIPE_FLAT / RECIPE_JAGGED below). Jagged lengths:
        Jet_* = 10 (the specs say 11, so 0.5% of events are truncated), and the specs' longest entry for the
        others (Muon_* 2, Electron_* 3, Photon_* 3, Tau_* 2). All passed as --max-length to hepml and used
        by the peer. 18 + 16*10 + 10*2 + 10*3 + 6*3 + 6*2 = 258 features.
all:    every numeric branch (947: 603 flat, 344 jagged), lengths from the specs' longest entry
        (e.g. GenPart_* 72, LHEPdfWeight 102): 2,469 features.

Both: minmax normalization (clipped to [0, 1], a constant branch maps to 0), pad value 0, mask 1 = real value.

What is timed
-------------
hepml specs   : `hepml specs FILE --branches ... -o specs.json` (statistics pass), its own reported seconds.
hepml read    : `hepml read FILE --branches ... --threads N --quiet`, N = 1 and 2 (read + decompress + decode).
hepml export  : `hepml export FILE --specs specs.json --labels 1 --max-length ... --normalization minmax --out DIR`
                (read + cuts/defines + rows + normalization + writing X/mask/y/w/split .npy). export has no
                --threads flag: it uses one decoding thread per core (2 here). The "1 core" row is the same
                command under `taskset -c 0` (the same threads sharing one core).
no-write      : the same export with `--no-write` (hepml's benchmark mode: every batch is built, nothing is
                written), when the binary has it: writing = export - no-write, transform = no-write - read.
peer          : uproot `tree.arrays(branches, library='ak')`, then per branch: min/max (ak.min/ak.max over all
                values, the peer's "specs"), `ak.pad_none(a, L, clip=True)`, `ak.is_none` for the mask,
                `ak.fill_none(..., 0)`, `ak.to_numpy`, numpy min-max normalization clipped to [0, 1], pads
                set to 0, `np.concatenate` into [N, F] float32 X and mask, and np.save of X, mask, y.
                Timed in-process with time.perf_counter (imports and file opening excluded).
hepml times are the tool's own reported seconds (process start-up excluded); best of --repeat runs.
Transform-only throughput is N*F / (no-write - read 2 threads) output elements/s (without --no-write:
N*F / (export - read 2 threads)); with perf available, perf's CPU samples of one export run are split into
categories too (innermost matching frame decides).
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quiet import OtherLoad, binary_stamp, wait_until_quiet  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT_DIR = os.path.dirname(HERE)
HEPML = os.path.join(ROOT_DIR, ".build", "release", "hepml")

RECIPE_FLAT = [
    "MET_pt", "MET_phi", "MET_sumEt", "MET_significance", "PuppiMET_pt", "PuppiMET_phi",
    "PV_npvs", "PV_npvsGood", "PV_x", "PV_y", "PV_z", "fixedGridRhoFastjetAll",
    "nJet", "nMuon", "nElectron", "nPhoton", "nTau", "nSV",
]
RECIPE_JAGGED = [
    # Jet (16)
    "Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "Jet_btagDeepFlavB", "Jet_btagDeepB", "Jet_qgl", "Jet_area",
    "Jet_chHEF", "Jet_neHEF", "Jet_chEmEF", "Jet_neEmEF", "Jet_muEF", "Jet_jetId", "Jet_puId", "Jet_nConstituents",
    # Muon (10)
    "Muon_pt", "Muon_eta", "Muon_phi", "Muon_mass", "Muon_charge", "Muon_pfRelIso04_all", "Muon_dxy", "Muon_dz",
    "Muon_tightId", "Muon_mediumId",
    # Electron (10)
    "Electron_pt", "Electron_eta", "Electron_phi", "Electron_mass", "Electron_charge", "Electron_pfRelIso03_all",
    "Electron_dxy", "Electron_dz", "Electron_cutBased", "Electron_mvaFall17V2Iso",
    # Photon (6)
    "Photon_pt", "Photon_eta", "Photon_phi", "Photon_mass", "Photon_pfRelIso03_all", "Photon_mvaID",
    # Tau (6)
    "Tau_pt", "Tau_eta", "Tau_phi", "Tau_mass", "Tau_charge", "Tau_decayMode",
]
RECIPE_LENGTHS = {"Jet": 10, "Muon": 2, "Electron": 3, "Photon": 3, "Tau": 2}


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def best(f, repeat):
    vals = [f() for _ in range(repeat)]
    return min(vals)


def hepml_specs(path, branches, out):
    cmd = [HEPML, "specs", path, "-o", out] + (["--branches", ",".join(branches)] if branches else [])
    return float(re.search(r" in ([0-9.]+) s \(", run(cmd)).group(1))


def hepml_read(path, branches, threads):
    cmd = [HEPML, "read", path, "--threads", str(threads), "--quiet"] + (["--branches", ",".join(branches)] if branches else [])
    return float(re.search(r", ([0-9.]+) s,", run(cmd)).group(1))


def export_cmd(path, specs, lengths, out):
    cmd = [HEPML, "export", path, "--specs", specs, "--labels", "1", "--normalization", "minmax", "--out", out]
    for coll, n in lengths.items():
        cmd += ["--max-length", f"{coll}_*={n}"]
    return cmd


def supports_no_write():
    return "--no-write" in run([HEPML, "export", "--help"])


def hepml_export(path, specs, lengths, out, pin=False, no_write=False):
    shutil.rmtree(out, ignore_errors=True)
    cmd = (["taskset", "-c", "0"] if pin else []) + export_cmd(path, specs, lengths, out) + (["--no-write"] if no_write else [])
    text = run(cmd)
    m = re.search(r"(\d+) rows × (\d+) features .*? in ([0-9.]+) s \(", text)
    return float(m.group(3)), int(m.group(1)), int(m.group(2)), text.strip()


CATEGORIES = [  # (name, regex on a frame's symbol or dso); the innermost frame that matches decides
    ("write .npy", re.compile(r"DatasetExporter|NPYWriter|FileHandle.*write|ksys_write|vfs_write")),
    ("rows: layout fill, normalization, batch assembly", re.compile(r"VectorLayout|TrainingBatch|TrainingDataset.*append|SplitHash|Normaliz")),
    ("cuts/defines/column access (EventTransform)", re.compile(r"EventTransform|EventValues")),
    ("ROOT read: I/O, decompression, decoding", re.compile(r"ROOTIO|libzstd|liblz4|liblzma|libz\.so|CCodecs|ZSTD|LZ4|pread")),
    ("thread hand-off (sched_yield, futex)", re.compile(r"sched_yield|futex")),
]


def perf_breakdown(cmd, workdir):
    """CPU-sample shares of one run under `perf record -g` (None if perf is missing or fails)."""
    if not shutil.which("perf"):
        return None
    data = os.path.join(workdir, "perf.data")
    try:
        subprocess.run(["perf", "record", "-q", "-F", "1999", "-g", "-o", data, "--"] + cmd, check=True,
                       capture_output=True, text=True)
        script = subprocess.run(["perf", "script", "-i", data, "-F", "comm,ip,sym,dso"], check=True, capture_output=True,
                                text=True).stdout
    except (subprocess.CalledProcessError, OSError):
        return None
    counts, total = {}, 0
    for block in script.split("\n\n"):
        frames = [l.strip() for l in block.splitlines()[1:] if l.strip()]
        if not block.strip():
            continue
        total += 1
        name = "other (runtime, allocation, page faults, start-up)"
        for fr in frames:  # innermost first
            hit = next((c for c, rx in CATEGORIES if rx.search(fr)), None)
            if hit:
                name = hit
                break
        counts[name] = counts.get(name, 0) + 1
    os.remove(data)
    return {k: v / total for k, v in sorted(counts.items(), key=lambda kv: -kv[1])} if total else None


def peer(path, flat, jagged, lengths, out_dir):
    """The uproot + awkward + numpy way. Returns (times dict, X column means by feature name)."""
    import awkward as ak
    import uproot
    t = {}
    t0 = time.perf_counter()
    tree = uproot.open(path)["Events"]
    arrays = tree.arrays(flat + jagged, library="ak")
    t1 = time.perf_counter()
    n = len(arrays)
    cols, masks, names = [], [], []

    def norm(v, lo, hi):
        if not np.isfinite(lo) or not np.isfinite(hi) or hi <= lo:
            return np.zeros_like(v, dtype=np.float32)
        return np.clip((v - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)

    for b in sorted(flat):
        v = ak.to_numpy(arrays[b]).astype(np.float64)
        cols.append(norm(v, v.min(), v.max())[:, None])
        masks.append(np.ones((n, 1), np.float32))
        names.append(b)
    for b in sorted(jagged):
        a = arrays[b]
        L = lengths[b]
        lo, hi = ak.min(a, axis=None), ak.max(a, axis=None)
        lo = float(lo) if lo is not None else np.nan
        hi = float(hi) if hi is not None else np.nan
        p = ak.pad_none(a, L, clip=True)
        m = ~ak.to_numpy(ak.is_none(p, axis=1)).reshape(n, L)
        v = ak.to_numpy(ak.fill_none(p, 0)).reshape(n, L).astype(np.float64)
        x = norm(v, lo, hi)
        x[~m] = 0.0
        cols.append(x)
        masks.append(m.astype(np.float32))
        names += [f"{b}_{i}" for i in range(L)]
    X = np.ascontiguousarray(np.concatenate(cols, axis=1), dtype=np.float32)
    M = np.ascontiguousarray(np.concatenate(masks, axis=1), dtype=np.float32)
    t2 = time.perf_counter()
    os.makedirs(out_dir, exist_ok=True)
    np.save(os.path.join(out_dir, "X.npy"), X)
    np.save(os.path.join(out_dir, "mask.npy"), M)
    np.save(os.path.join(out_dir, "y.npy"), np.ones(n, np.float32))
    t3 = time.perf_counter()
    t = {"read": t1 - t0, "transform": t2 - t1, "write": t3 - t2, "total": t3 - t0}
    means = dict(zip(names, X.mean(axis=0, dtype=np.float64)))
    del X, M, cols, masks, arrays
    shutil.rmtree(out_dir, ignore_errors=True)
    return t, means, X_shape(n, len(names))


def X_shape(n, f):
    return (n, f)


def all_numeric(path):
    import uproot
    from uproot.interpretation.numerical import AsDtype
    from uproot.interpretation.jagged import AsJagged
    flat, jagged = [], []
    for b in uproot.open(path)["Events"].branches:
        i = b.interpretation
        if isinstance(i, AsDtype):
            flat.append(b.name)
        elif isinstance(i, AsJagged) and isinstance(i.content, AsDtype):
            jagged.append(b.name)
    return flat, jagged


def bench_layout(name, path, flat, jagged, lengths_by_coll, work, repeat, peer_repeat, do_perf):
    branches = flat + jagged
    specs = os.path.join(work, f"specs-{name}.json")
    sel = None if name == "all" else branches
    print(f"[{name}] hepml specs ...", file=sys.stderr, flush=True)
    t_specs = best(lambda: hepml_specs(path, sel, specs), repeat)
    spec = json.load(open(specs))["branches"]
    lengths = {}
    for b in jagged:
        coll = b.split("_")[0]
        lengths[b] = lengths_by_coll.get(coll, spec[b]["max_length"])
    print(f"[{name}] hepml read ...", file=sys.stderr, flush=True)
    t_read1 = best(lambda: hepml_read(path, sel, 1), repeat)
    t_read2 = best(lambda: hepml_read(path, sel, 2), repeat)
    out = os.path.join(work, f"export-{name}")
    print(f"[{name}] hepml export ...", file=sys.stderr, flush=True)
    runs = [hepml_export(path, specs, lengths_by_coll, out) for _ in range(repeat)]
    t_exp, rows, feats, summary = min(runs)
    hepml_means = dict(zip(json.load(open(os.path.join(out, "features.json")))["features"],
                           np.load(os.path.join(out, "X.npy"), mmap_mode="r").mean(axis=0, dtype=np.float64)))
    out_bytes = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    t_exp1 = min(hepml_export(path, specs, lengths_by_coll, out, pin=True)[0] for _ in range(repeat))
    t_nowrite = (min(hepml_export(path, specs, lengths_by_coll, out, no_write=True)[0] for _ in range(repeat))
                 if supports_no_write() else None)
    shutil.rmtree(out, ignore_errors=True)
    perf = perf_breakdown(export_cmd(path, specs, lengths_by_coll, out), work) if do_perf else None
    shutil.rmtree(out, ignore_errors=True)
    print(f"[{name}] peer (uproot + awkward) x{peer_repeat} ...", file=sys.stderr, flush=True)
    peers = [peer(path, flat, jagged, lengths, os.path.join(work, "peer")) for _ in range(peer_repeat)]
    p_t = min((p[0] for p in peers), key=lambda d: d["total"])
    p_means, p_shape = peers[0][1], peers[0][2]
    assert p_shape == (rows, feats), (p_shape, rows, feats)
    common = [k for k in hepml_means if k in p_means]
    diff = max(abs(hepml_means[k] - p_means[k]) for k in common)
    return {"layout": name, "branches": len(branches), "flat": len(flat), "jagged": len(jagged), "rows": rows,
            "features": feats, "specs_s": t_specs, "read1_s": t_read1, "read2_s": t_read2, "export_s": t_exp,
            "export_1core_s": t_exp1, "export_bytes": out_bytes, "export_nowrite_s": t_nowrite, "peer": p_t,
            "perf": perf, "column_mean_max_abs_diff": diff, "columns_compared": len(common), "export_summary": summary}


def report(results, args):
    L = []
    eps = lambda n, s: f"{n / s:,.0f}"
    L.append("# Training layer I: events → padded training rows (`bench/transform_bench.py`)\n")
    L.append(f"File `{os.path.relpath(args.file, ROOT_DIR)}` (100,000 events, zstd), page cache warm, 2 cores. "
             f"hepml: release build, tool-reported seconds, best of {args.repeat}. "
             f"Peer: uproot {__import__('uproot').__version__} + awkward {__import__('awkward').__version__} "
             f"+ numpy {np.__version__}, in-process, best of its runs. Run on {args.when}; "
             f"CPUs {args.busy:.0%} busy just before; 1-minute load average {args.load[0]:.2f} at the start and "
             f"{args.load[1]:.2f} at the end; other processes used {args.other[0]:.1f} CPU-s during the run "
             f"({args.other[1]:.1%} of the machine).\n")
    if args.rebuilt:
        L.append("**Warning: .build/release/hepml changed during this run (rebuilt); rerun.**\n")
    if args.other[1] > 0.10:
        L.append(f"**Warning: other processes used {args.other[1]:.0%} of the CPUs during this run; the timings are "
                 f"disturbed. Rerun on an idle machine.**\n")
    L.append("Layouts: **recipe** = 66 branches (18 flat + 48 jagged, listed in the script), Jet_*=10, Muon_*=2, "
             "Electron_*=3, Photon_*=3, Tau_*=2; **all** = every numeric branch, lengths from the specs. "
             "minmax normalization, pad 0, mask 1 = real value.\n")
    L.append("## Throughput (events/s; seconds in brackets)\n")
    L.append("| layout | branches (flat+jagged) | features F | hepml specs | hepml read 1 thr | hepml read 2 thr "
             "| hepml export (2 cores) | hepml export (1 core, taskset) | peer uproot+awkward end-to-end |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        n = r["rows"]
        L.append(f"| {r['layout']} | {r['branches']} ({r['flat']}+{r['jagged']}) | {r['features']:,} "
                 f"| {eps(n, r['specs_s'])} ({r['specs_s']:.3f}) | {eps(n, r['read1_s'])} ({r['read1_s']:.3f}) "
                 f"| {eps(n, r['read2_s'])} ({r['read2_s']:.3f}) | {eps(n, r['export_s'])} ({r['export_s']:.3f}) "
                 f"| {eps(n, r['export_1core_s'])} ({r['export_1core_s']:.3f}) "
                 f"| {eps(n, r['peer']['total'])} ({r['peer']['total']:.2f}) |")
    L.append("\n## Ratios and targets\n")
    L.append("| layout | export / read-only (2 thr) | export 1 core / read-only 1 thr | hepml export ÷ peer time "
             "| hepml (specs + export) ÷ peer time | export ≥ 200,000 ev/s (2 thr) |")
    L.append("|---|---|---|---|---|---|")
    for r in results:
        n = r["rows"]
        e = n / r["export_s"]
        L.append(f"| {r['layout']} | {r['read2_s'] / r['export_s']:.0%} (target ≥ 60%: "
                 f"{'met' if r['read2_s'] / r['export_s'] >= 0.6 else 'not met'}) "
                 f"| {r['read1_s'] / r['export_1core_s']:.0%} "
                 f"| {r['peer']['total'] / r['export_s']:.1f}× (target ≥ 3×: "
                 f"{'met' if r['peer']['total'] / r['export_s'] >= 3 else 'not met'}) "
                 f"| {r['peer']['total'] / (r['export_s'] + r['specs_s']):.1f}× "
                 f"| {e:,.0f}: {'met' if e >= 200000 else 'not met'}{'' if r['layout'] == 'recipe' else ' (target is for recipe)'} |")
    L.append("\n## Where the time goes\n")
    L.append("| layout | output (X+mask+y+w+split) | export --no-write (read + transform, no files) "
             "| writing = export − no-write | transform = no-write − read 2 thr "
             "| transform-only throughput N·F / transform | peer read / transform / write (s) |")
    L.append("|---|---|---|---|---|---|---|")
    for r in results:
        p = r["peer"]
        nw = r.get("export_nowrite_s")
        if nw is None:  # an older binary without --no-write: the brief's estimate from export − read
            d = r["export_s"] - r["read2_s"]
            L.append(f"| {r['layout']} | {r['export_bytes'] / 1e6:,.0f} MB | n/a | n/a | {d:.3f} s (export − read) "
                     f"| {r['rows'] * r['features'] / d / 1e6:,.0f} M elements/s "
                     f"| {p['read']:.2f} / {p['transform']:.2f} / {p['write']:.2f} |")
            continue
        w, d = r["export_s"] - nw, nw - r["read2_s"]
        L.append(f"| {r['layout']} | {r['export_bytes'] / 1e6:,.0f} MB | {nw:.3f} s ({r['rows'] / nw:,.0f} ev/s) "
                 f"| {w:.3f} s ({w / r['export_s']:.0%} of export) | {d:.3f} s ({d / r['export_s']:.0%} of export) "
                 f"| {r['rows'] * r['features'] / d / 1e6:,.0f} M elements/s "
                 f"| {p['read']:.2f} / {p['transform']:.2f} / {p['write']:.2f} |")
    L.append("\nThe split uses hepml's `export --no-write` (builds every batch, writes nothing): writing = export − "
             "no-write, transform = no-write − read-only (2 threads), all best-of-N tool-reported seconds. "
             "Transform-only throughput counts N·F output values (each also written to the mask).")
    if any(r["perf"] for r in results):
        cats = []
        for r in results:
            for k in (r["perf"] or {}):
                if k not in cats:
                    cats.append(k)
        L.append("\nCPU-sample shares of one `hepml export` run (`perf record -g`, all threads; each sample goes to "
                 "the innermost frame that matches a category):\n")
        L.append("| layout | " + " | ".join(cats) + " |")
        L.append("|---|" + "---|" * len(cats))
        for r in results:
            if r["perf"]:
                L.append(f"| {r['layout']} | " + " | ".join(f"{r['perf'].get(c, 0):.0%}" for c in cats) + " |")
    L.append("\nCheck: per-column means of hepml's X and the peer's X (matched by feature name; hepml shuffles "
             "rows) differ by at most " + ", ".join(f"{r['column_mean_max_abs_diff']:.1e} ({r['layout']}, "
                                                     f"{r['columns_compared']} columns)" for r in results) + ".\n")
    summaries = [(r["layout"], re.sub(r"→ \S+ in", "→ DIR in", r["export_summary"])) for r in results]
    L.append("hepml export summaries: " + "; ".join(f"{k}: `{v}`" for k, v in summaries) + "\n")
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", default=os.path.join(HERE, "data", "nanoaod-like-100k-zstd.root"))
    ap.add_argument("--layouts", default="recipe,all")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peer-repeat", type=int, default=0, help="default: 2 for recipe, 1 for all")
    ap.add_argument("--no-perf", action="store_true")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "transform.md"))
    ap.add_argument("--keep-disturbed", action="store_true",
                    help="write --out even when other processes disturbed the run (default: OUT-disturbed.md)")
    ap.add_argument("--report-only", metavar="JSON", help="rewrite the markdown from a saved JSON result, no timing")
    args = ap.parse_args()
    if args.report_only:
        saved = json.load(open(args.report_only))
        for k, v in saved["meta"].items():
            setattr(args, k, v)
        md = report(saved["results"], args)
        with open(args.out, "w") as f:
            f.write(md + "\n")
        print(md)
        return
    args.file = os.path.abspath(args.file)
    subprocess.run(["cat", args.file], stdout=subprocess.DEVNULL, check=True)
    args.busy = wait_until_quiet()
    load0 = os.getloadavg()[0]
    other = OtherLoad()
    stamp = binary_stamp(HEPML)
    work = tempfile.mkdtemp(prefix="hepml-transform-bench-")
    results = []
    try:
        for name in args.layouts.split(","):
            if name == "recipe":
                flat, jagged, lengths = RECIPE_FLAT, RECIPE_JAGGED, RECIPE_LENGTHS
            elif name == "all":
                (flat, jagged), lengths = all_numeric(args.file), {}
            else:
                raise SystemExit(f"unknown layout {name}")
            pr = args.peer_repeat or (2 if name == "recipe" else 1)
            results.append(bench_layout(name, args.file, flat, jagged, lengths, work, args.repeat, pr, not args.no_perf))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.load = (load0, os.getloadavg()[0])
    args.other = other.stop()
    args.rebuilt = binary_stamp(HEPML) != stamp
    args.when = time.strftime("%Y-%m-%d %H:%M")
    md = report(results, args)
    if (args.rebuilt or args.other[1] > 0.10) and not args.keep_disturbed:
        # do not overwrite a clean result with a disturbed one
        args.out = os.path.splitext(args.out)[0] + "-disturbed.md"
        print(f"disturbed run: writing {args.out} instead", file=sys.stderr)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(md + "\n")
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        meta = {k: getattr(args, k) for k in ("file", "repeat", "busy", "load", "other", "rebuilt", "when")}
        json.dump({"meta": meta, "results": results}, f, indent=1, default=float)
    print(md)


if __name__ == "__main__":
    main()
