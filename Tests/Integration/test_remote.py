"""Remote reading against real peers on 127.0.0.1: Debian's xrootd (a data server and a redirector in front of
it) for root://, and nginx (static files, Range and multi-range requests) for http://.

Every shared test file with TTrees must inspect identically through each of the three URLs as from its local
path; `hepml read` must work remotely; faults (missing file, redirect loop, the data server going away in the
middle of a read) must end in a clear one-line error or a correct result, never a crash or a hang.

The peers come from peers.py (scripts/setup --tests installs xrootd-server, xrootd-client and nginx). They serve
one private copy of the files; URL forms: root://127.0.0.1:PORT//FILE (path under the xrootd local root, the double
slash makes it absolute) and http://127.0.0.1:PORT/FILE.
"""
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import HEPML_BIN, PROJECT_ROOT, TESTDATA
import peers

ROOT_FILES = TESTDATA / "root"
BIG_FILE = PROJECT_ROOT / "bench" / "data" / "nanoaod-like-100k-zstd.root"
READ_FILE = "nanoaod-like-a-zstd.root"
SCHEMES = ["root", "root-redirector", "http"]
# The xrootd client's defaults retry a refused connection for minutes: keep xrdcp's waits short.
XRD_ENV = {"XRD_CONNECTIONRETRY": "1", "XRD_CONNECTIONWINDOW": "5", "XRD_REQUESTTIMEOUT": "30", "XRD_STREAMTIMEOUT": "30"}
TOTAL_RE = re.compile(r"^total: (\d+) entries, (\d+) branches, ([0-9.]+) MB read, ([0-9.]+) MB decoded, .*"
                      r"\((\d+) reads, (\d+) threads\)\s*$", re.M)


def files_with_trees() -> list[str]:
    names = []
    for j in sorted(ROOT_FILES.glob("*.root.json")):
        try:
            reference = json.loads(j.read_text())
            if reference.get("trees") or reference.get("rntuples"):
                names.append(j.name[: -len(".json")])
        except (OSError, ValueError):
            continue
    return [n for n in names if (ROOT_FILES / n).exists()]


TREE_FILES = files_with_trees()


def big_file() -> Path:
    """The file for the mid-read fault: the 100k-event benchmark file if made, else the largest shared one."""
    if BIG_FILE.exists():
        return BIG_FILE
    return max((ROOT_FILES / n for n in TREE_FILES), key=lambda p: p.stat().st_size)


# --- helpers --------------------------------------------------------------------------------------------------

def need_hepml():
    if not HEPML_BIN.exists():
        pytest.skip(f"hepml binary not found: {HEPML_BIN} (set HEPML_BIN)")


def hepml(*args, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Run the hepml CLI; a run that outlives `timeout` is killed and reported as a hang."""
    need_hepml()
    argv = [str(HEPML_BIN), *map(str, args)]
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"hang: `{' '.join(argv)}` still running after {timeout} s\nstderr: {e.stderr!r}")


def assert_no_crash(r: subprocess.CompletedProcess, what: str):
    assert r.returncode >= 0 and r.returncode < 128, \
        f"{what}: crashed (exit {r.returncode}{', signal ' + str(-r.returncode) if r.returncode < 0 else ''})\n" \
        f"stderr: {r.stderr[-3000:]}"


def assert_one_line_error(r: subprocess.CompletedProcess, what: str, *needles: str):
    assert_no_crash(r, what)
    assert r.returncode != 0, f"{what}: expected a failure, got exit 0\nstdout: {r.stdout[:500]}"
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, f"{what}: expected a one-line error on stderr, got {len(lines)} lines:\n{r.stderr[-3000:]}"
    for n in needles:
        assert n.lower() in lines[0].lower(), f"{what}: {n!r} not in the error: {lines[0]!r}"


def inspect_json(target: str, timeout: float = 60.0) -> dict:
    r = hepml("inspect", target, "--json", timeout=timeout)
    assert_no_crash(r, f"inspect {target}")
    assert r.returncode == 0, f"inspect {target}: exit {r.returncode}\nstderr: {r.stderr[-3000:]}"
    obj = json.loads(r.stdout)
    obj.pop("file", None)
    return obj


def parse_total(out: str, what: str) -> dict:
    m = TOTAL_RE.search(out)
    assert m, f"{what}: no total line in:\n{out[-2000:]}"
    return {"entries": int(m[1]), "branches": int(m[2]), "mb_read": float(m[3]), "mb_decoded": float(m[4]),
            "reads": int(m[5]), "threads": int(m[6])}


def xrdcp(url: str, dest: Path, timeout: float = 60.0) -> subprocess.CompletedProcess:
    exe = peers.find_program("xrdcp")
    if exe is None:
        pytest.skip("xrdcp not found (install xrootd-client: scripts/setup --tests)")
    return subprocess.run([exe, "-f", "-s", url, str(dest)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **XRD_ENV})


def log_size(peer) -> int:
    try:
        return peer.log_path.stat().st_size
    except OSError:
        return 0


def log_since(peer, offset: int) -> str:
    try:
        with open(peer.log_path, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")
    except OSError:
        return ""


# --- peers ----------------------------------------------------------------------------------------------------

def _start(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except peers.PeerError as e:
        if "not found" in str(e):
            pytest.skip(str(e))
        raise


@pytest.fixture(scope="session")
def remote_data():
    """A private copy of the shared files with trees (plus the large fault-test file), readable by the peers."""
    if not TREE_FILES:
        pytest.skip(f"no shared ROOT files with trees under {ROOT_FILES}")
    files = [ROOT_FILES / n for n in TREE_FILES] + [big_file()]
    d = peers.make_data_dir(dict.fromkeys(files))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def xrd_data(remote_data):
    p = _start(peers.start_xrootd, remote_data, name="data")
    yield p
    p.cleanup()


@pytest.fixture(scope="session")
def xrd_redirector(remote_data, xrd_data):
    p = _start(peers.start_xrootd, remote_data, redirect_to=xrd_data.port, name="redirector")
    yield p
    p.cleanup()


@pytest.fixture(scope="session")
def nginx(remote_data):
    p = _start(peers.start_nginx, remote_data)
    yield p
    p.cleanup()


@pytest.fixture(scope="session")
def url_for(request):
    """url_for(scheme, name) -> the URL of a data-dir file through that peer (peers start on first use)."""
    def make(scheme: str, name: str) -> str:
        if scheme == "root":
            return f"root://{request.getfixturevalue('xrd_data').hostport}//{name}"
        if scheme == "root-redirector":
            return f"root://{request.getfixturevalue('xrd_redirector').hostport}//{name}"
        if scheme == "http":
            return f"http://{request.getfixturevalue('nginx').hostport}/{name}"
        raise ValueError(scheme)
    return make


@pytest.fixture(scope="session")
def local_inspect():
    """Local `hepml inspect --json` of a shared file (minus "file"), computed once per file."""
    cache: dict[str, dict] = {}

    def get(name: str) -> dict:
        if name not in cache:
            cache[name] = inspect_json(str(ROOT_FILES / name))
        return cache[name]
    return get


# --- the peers themselves ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("via", ["data", "redirector"])
@pytest.mark.parametrize("name", ["uproot-HZZ.root", READ_FILE])
def test_xrdcp_gives_the_local_bytes(via, name, remote_data, xrd_data, xrd_redirector, tmp_path):
    port = xrd_data.port if via == "data" else xrd_redirector.port
    dest = tmp_path / name
    r = xrdcp(f"root://127.0.0.1:{port}//{name}", dest)
    assert r.returncode == 0, f"xrdcp failed ({r.returncode}): {r.stderr}\n{xrd_data.log_tail()}"
    assert dest.read_bytes() == (ROOT_FILES / name).read_bytes()


def test_nginx_serves_single_and_multi_ranges(nginx):
    url = f"http://{nginx.hostport}/uproot-HZZ.root"
    data = (ROOT_FILES / "uproot-HZZ.root").read_bytes()
    r = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=10)
    assert r.status_code == 206 and r.content == data[100:200]
    assert r.headers["Content-Range"] == f"bytes 100-199/{len(data)}"

    r = requests.get(url, headers={"Range": "bytes=0-9,1000-1019,5000-5099"}, timeout=10)
    assert r.status_code == 206
    m = re.fullmatch(r"multipart/byteranges; boundary=(\S+)", r.headers["Content-Type"])
    assert m, r.headers["Content-Type"]
    parts = r.content.split(b"--" + m[1].encode())
    assert parts[-1].strip() == b"--"
    got = []
    for part in parts[1:-1]:
        head, _, body = part.partition(b"\r\n\r\n")
        cr = re.search(rb"Content-Range: bytes (\d+)-(\d+)/(\d+)", head)
        assert cr, head
        a, b = int(cr[1]), int(cr[2])
        body = body[:-2] if body.endswith(b"\r\n") else body
        assert body == data[a:b + 1]
        got.append((a, b))
    assert got == [(0, 9), (1000, 1019), (5000, 5099)]

    r = requests.get(f"http://{nginx.hostport}/no-such-file.root", headers={"Range": "bytes=0-9"}, timeout=10)
    assert r.status_code == 404


# --- hepml inspect / read over the three URLs -------------------------------------------------------------------

@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", TREE_FILES)
def test_remote_inspect_matches_local(name, scheme, url_for, local_inspect):
    url = url_for(scheme, name)
    expected = local_inspect(name)
    got = inspect_json(url)
    if got != expected:
        diff = [k for k in sorted(set(got) | set(expected)) if got.get(k) != expected.get(k)]
        pytest.fail(f"{url}: inspect differs from the local file in {diff}")


@pytest.fixture(scope="session")
def local_read_total():
    cache: dict[str, dict] = {}

    def get(path: Path) -> dict:
        key = str(path)
        if key not in cache:
            r = hepml("read", path, "--quiet", timeout=120)
            assert r.returncode == 0, f"local read {path}: exit {r.returncode}\n{r.stderr[-2000:]}"
            cache[key] = parse_total(r.stdout, f"read {path}")
        return cache[key]
    return get


@pytest.mark.parametrize("scheme", SCHEMES)
def test_remote_read_total(scheme, url_for, local_read_total):
    url = url_for(scheme, READ_FILE)
    r = hepml("read", url, "--quiet")
    assert_no_crash(r, f"read {url}")
    assert r.returncode == 0, f"read {url}: exit {r.returncode}\nstderr: {r.stderr[-3000:]}"
    total = parse_total(r.stdout, f"read {url}")
    local = local_read_total(ROOT_FILES / READ_FILE)
    assert total["reads"] > 0
    for k in ("entries", "branches", "mb_read", "mb_decoded"):
        assert total[k] == local[k], f"{url}: {k} {total[k]} != local {local[k]}"


# --- faults -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["root", "http"])
@pytest.mark.parametrize("command", ["inspect", "read"])
def test_missing_file_is_a_one_line_error(scheme, command, url_for):
    url = url_for(scheme, "no-such-file.root")
    args = ["inspect", url, "--json"] if command == "inspect" else ["read", url, "--quiet"]
    r = hepml(*args, timeout=30)
    assert_one_line_error(r, f"{command} {url}", "no-such-file.root")


@pytest.fixture
def redirect_loop(remote_data):
    """Two redirectors that send every open to each other."""
    p1, p2 = peers.free_port(), peers.free_port()
    while p2 == p1:
        p2 = peers.free_port()
    a = _start(peers.start_xrootd, remote_data, port=p1, redirect_to=p2, name="loop-a")
    try:
        b = _start(peers.start_xrootd, remote_data, port=p2, redirect_to=p1, name="loop-b")
    except BaseException:
        a.cleanup()
        raise
    yield a, b
    b.cleanup()
    a.cleanup()


def test_redirect_loop_is_an_error(redirect_loop):
    a, _ = redirect_loop
    url = f"root://{a.hostport}//uproot-HZZ.root"
    t0 = time.monotonic()
    r = hepml("inspect", url, "--json", timeout=30)
    assert_one_line_error(r, f"inspect {url}", "redirect")
    assert time.monotonic() - t0 < 30


@pytest.fixture
def fault_pair(remote_data):
    """A data xrootd (tracing every request) and a redirector of its own, so that stopping the data server
    disturbs no other test."""
    data = _start(peers.start_xrootd, remote_data, name="fault-data", trace="request")
    try:
        rdr = _start(peers.start_xrootd, remote_data, redirect_to=data.port, name="fault-redirector")
    except BaseException:
        data.cleanup()
        raise
    yield data, rdr
    rdr.cleanup()
    data.cleanup()


def test_data_server_restart_mid_read(fault_pair, local_read_total):
    """The data server dies during a `hepml read` through the redirector (right after the client's first
    vector read) and is back about 1 s later: the read completes with the right totals, or fails with a
    one-line error; it never crashes or hangs."""
    need_hepml()
    data, rdr = fault_pair
    big = big_file()
    url = f"root://{rdr.hostport}//{big.name}"
    argv = [str(HEPML_BIN), "read", url, "--quiet"]
    if big != BIG_FILE:
        # A small file: many small chunks keep the read going (and needing the server) past the restart.
        argv += ["--chunk-size", "10"]
    mark = log_size(data)
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        # The data server logs each request (xrootd.trace request): cut it off once basket reads have begun.
        deadline = t0 + 30
        while time.monotonic() < deadline and proc.poll() is None and "req=readv" not in log_since(data, mark):
            time.sleep(0.02)
        finished_early = proc.poll() is not None
        data.stop()
        restart_mark = log_size(data)
        time.sleep(1.0)
        data.start()
        try:
            out, err = proc.communicate(timeout=max(1.0, 60 - (time.monotonic() - t0)))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"hang: `{' '.join(argv)}` still running 60 s after its start\nstderr: {err[-2000:]!r}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    r = subprocess.CompletedProcess(argv, proc.returncode, out, err)
    after = log_since(data, restart_mark)
    reconnected = " login" in after
    print(f"read across a restart: exit {r.returncode} after {time.monotonic() - t0:.1f} s, "
          f"{'re-logged in' if reconnected else 'no login'} to the restarted server "
          f"({after.count('req=read')} reads there); stdout {out.strip()[-200:]!r}; stderr {err.strip()[-500:]!r}")
    assert_no_crash(r, f"read {url} across a data-server restart")
    if finished_early:
        pytest.skip(f"the read ended before its first vector read (exit {r.returncode}): no fault injected\n{err[-1000:]}")
    if r.returncode == 0:
        if not reconnected:
            pytest.skip("the read needed nothing more from the data server after the first vector read: no fault hit")
        total = parse_total(r.stdout, f"read {url}")
        local = local_read_total(big)
        for k in ("entries", "branches", "mb_decoded"):
            assert total[k] == local[k], f"{url} after a restart: {k} {total[k]} != local {local[k]}"
    else:
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1, f"expected a one-line error, got:\n{r.stderr[-3000:]}"
