"""Remote reading benchmark: hepml over loopback root:// (Debian xrootd) and http:// (nginx) versus the local
file, versus xrdcp + local read, and uproot (local and over root:// with fsspec-xrootd + the xrootd wheel).

usage: python bench/remote_bench.py [FILE]   (default: bench/data/nanoaod-like-100k-zstd.root)
Needs xrootd-server, xrootd-client and nginx (scripts/setup --tests) and a release build.
"""
import json, os, re, shutil, socket, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HEPML = os.path.join(ROOT, ".build", "release", "hepml")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hepml_read(target, repeat=3):
    best, reads = None, None
    for _ in range(repeat):
        r = subprocess.run([HEPML, "read", target, "--quiet"], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"hepml read {target}: {r.stderr.strip()}")
        out = r.stdout
        secs = float(re.search(r", ([0-9.]+) s,", out).group(1))
        reads = int(re.search(r"\((\d+) reads", out).group(1))
        best = secs if best is None else min(best, secs)
    return best, reads


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "data", "nanoaod-like-100k-zstd.root")
    work = tempfile.mkdtemp(prefix="hepml-remote-bench-")
    os.chmod(work, 0o755)
    data = os.path.join(work, "data")
    # xrootd makes its admin path's parent private (0700), so the admin path lives in a folder of its own.
    admin_parent = tempfile.mkdtemp(prefix="hepml-remote-bench-admin-")
    admin = os.path.join(admin_parent, "admin")
    os.makedirs(data)
    os.makedirs(admin)
    name = os.path.basename(src)
    shutil.copy(src, os.path.join(data, name))
    for d in (data, admin):
        os.chmod(d, 0o755)
    os.chmod(os.path.join(data, name), 0o644)
    xport, hport = free_port(), free_port()
    with open(os.path.join(work, "xrd.cfg"), "w") as f:
        f.write(f"xrd.port {xport}\nxrd.network nodnr\nall.export /\noss.localroot {data}\nall.adminpath {admin}\nall.pidpath {admin}\n")
    with open(os.path.join(work, "nginx.conf"), "w") as f:
        f.write(f"daemon off;\npid {work}/nginx.pid;\nerror_log {work}/nginx.log;\nevents {{}}\n"
                f"http {{ access_log off; server {{ listen 127.0.0.1:{hport}; root {data}; }} }}\n")
    subprocess.run(["chown", "-R", "xrootd:xrootd", work, admin_parent], check=True)
    xrd = subprocess.Popen(["setpriv", "--reuid=xrootd", "--regid=xrootd", "--init-groups", "xrootd", "-c", f"{work}/xrd.cfg",
                            "-n", "bench", "-l", f"{work}/xrd.log"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ngx = subprocess.Popen(["nginx", "-c", f"{work}/nginx.conf"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(2)
        local = os.path.join(data, name)
        subprocess.run(["cat", local], stdout=subprocess.DEVNULL, check=True)
        rows = []
        t_local, r_local = hepml_read(local)
        rows.append(("hepml local file", t_local, r_local))
        t_root, r_root = hepml_read(f"root://127.0.0.1:{xport}//{name}")
        rows.append(("hepml root:// (loopback xrootd)", t_root, r_root))
        t_http, r_http = hepml_read(f"http://127.0.0.1:{hport}/{name}")
        rows.append(("hepml http:// (loopback nginx)", t_http, r_http))
        copy = os.path.join(work, "copy.root")
        t0 = time.time()
        subprocess.run(["xrdcp", "-f", "-s", f"root://127.0.0.1:{xport}//{name}", copy], check=True)
        t_cp = time.time() - t0
        t_after, _ = hepml_read(copy, repeat=1)
        rows.append(("xrdcp + hepml local read", t_cp + t_after, None))
        peer = os.path.join(ROOT, ".deps", "bench-venv", "bin", "python")
        for label, url in [("uproot local file", local), ("uproot root:// (fsspec-xrootd)", f"root://127.0.0.1:{xport}//{name}")]:
            try:
                out = subprocess.run([peer, os.path.join(HERE, "peer_uproot.py"), url], check=True, capture_output=True, text=True, timeout=600).stdout
                rows.append((label, json.loads(out.strip().splitlines()[-1])["seconds"], None))
            except Exception as e:  # report, do not hide
                print(f"{label}: failed: {e}", file=sys.stderr)
        chunks = 100000 // 10000
        print(f"| case | seconds | vs local | reads (requests) | requests per chunk |")
        print("|---|---|---|---|---|")
        for label, t, r in rows:
            per = f"{r / chunks:.1f}" if r else "—"
            print(f"| {label} | {t:.3f} | {t_local / t:.2f}× | {r if r else '—'} | {per} |")
    finally:
        xrd.terminate()
        ngx.terminate()
        xrd.wait(5)
        ngx.wait(5)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(admin_parent, ignore_errors=True)


if __name__ == "__main__":
    main()
