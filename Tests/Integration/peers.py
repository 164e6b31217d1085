"""Real network peers for the remote-reading tests: Debian's xrootd (root://) and nginx (http:// with Range
requests), each a foreground process of its own on 127.0.0.1, started and stopped by the test fixtures.

    data = make_data_dir([...paths...])            # a private copy the peers may read (0755/0644, owner xrootd)
    xrd = start_xrootd(data)                       # data server: root://127.0.0.1:{xrd.port}//FILE
    rdr = start_xrootd(data, redirect_to=xrd.port) # redirector: every open is sent to the data server
    web = start_nginx(data)                        # http://127.0.0.1:{web.port}/FILE
    ...
    for p in (web, rdr, xrd): p.cleanup()          # stop (SIGTERM, then SIGKILL) and remove its temp dir

URL forms with `all.export /` + `oss.localroot DATA`: the path is relative to the local root and must be absolute
in the protocol, so `root://127.0.0.1:PORT//file.root` (the double slash) works; `root://127.0.0.1:PORT/file.root`
sends the relative path `file.root`, which xrootd refuses ("Opening relative path ... is disallowed"), and the
absolute on-disk path `root://127.0.0.1:PORT//tmp/.../file.root` is looked up under the local root (not found).

xrootd refuses to run as root, so when we are root it runs as the `xrootd` user (from the xrootd-server package)
through `setpriv`, with `--pdeathsig TERM` so that it dies with the test run even if the run is killed. nginx runs
with `master_process off` (one process, no workers left behind) and a parent-death signal too. Every peer started
here is also stopped at interpreter exit.

This module can be run by hand to start the peers on a copy of the shared test files until Ctrl-C:
    python Tests/Integration/peers.py [FILES...]
"""
from __future__ import annotations

import atexit
import ctypes
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
XROOTD_USER = "xrootd"

_LIVE: set["Peer"] = set()  # started and not stopped yet; stopped at exit


class PeerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = HOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def find_program(name: str) -> str | None:
    return shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None)


def _is_root() -> bool:
    return os.geteuid() == 0


def _xrootd_ids() -> tuple[int, int] | None:
    """uid/gid of the `xrootd` user when we must drop to it (we are root), else None."""
    if not _is_root():
        return None
    try:
        pw = pwd.getpwnam(XROOTD_USER)
    except KeyError:
        raise PeerError(f"running as root but there is no '{XROOTD_USER}' user (install xrootd-server)")
    return pw.pw_uid, pw.pw_gid


def _chown_tree(path: Path, ids: tuple[int, int] | None):
    if ids is None:
        return
    for root, dirs, files in os.walk(path):
        os.chown(root, *ids)
        for n in dirs + files:
            os.chown(os.path.join(root, n), *ids)


def _set_pdeathsig():
    """preexec_fn: SIGTERM this child when the (forking thread of the) test process dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def make_data_dir(files, prefix: str = "hepml-peers-data-") -> Path:
    """A fresh temp dir with copies of `files` that both the xrootd user and nginx can read."""
    d = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(d, 0o755)
    for f in files:
        dst = d / Path(f).name
        shutil.copyfile(f, dst)
        os.chmod(dst, 0o644)
    ids = _xrootd_ids() if find_program("xrootd") else None
    _chown_tree(d, ids)
    return d


class Peer:
    """One server process on 127.0.0.1:port. stop() and start() may be called again (same port, same config)."""

    def __init__(self, kind: str, port: int, argv: list[str], workdir: Path, log_path: Path, preexec=None):
        self.kind = kind
        self.port = port
        self.argv = argv
        self.workdir = workdir
        self.log_path = log_path
        self.preexec = preexec
        self.proc: subprocess.Popen | None = None

    def __repr__(self):
        return f"<{self.kind} 127.0.0.1:{self.port} pid={self.pid}>"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def hostport(self) -> str:
        return f"{HOST}:{self.port}"

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def start(self, timeout: float = STARTUP_TIMEOUT) -> "Peer":
        if self.alive:
            return self
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         cwd=self.workdir, preexec_fn=self.preexec)
        finally:
            log.close()
        _LIVE.add(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                _LIVE.discard(self)
                raise PeerError(f"{self.kind} on port {self.port} exited with {code} at startup:\n{self.log_tail()}")
            if port_open(self.port):
                return self
            time.sleep(0.05)
        self.stop()
        raise PeerError(f"{self.kind} did not listen on port {self.port} within {timeout} s:\n{self.log_tail()}")

    def stop(self, timeout: float = STOP_TIMEOUT, sig: int = signal.SIGTERM):
        """Signal the process (SIGTERM by default), wait for it, SIGKILL it if it lingers. Idempotent."""
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            try:
                p.send_signal(sig)
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout)
            except ProcessLookupError:
                pass
        self.proc = None
        _LIVE.discard(self)

    def kill(self):
        self.stop(sig=signal.SIGKILL)

    def restart(self, timeout: float = STARTUP_TIMEOUT) -> "Peer":
        self.stop()
        return self.start(timeout)

    def cleanup(self):
        """Stop and remove the peer's temp dir (config, admin path, log)."""
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def _start_with_port_retry(make, port: int | None, tries: int = 3) -> Peer:
    """Start make(port); with a chosen free port, retry on a new one if another process grabbed it meanwhile."""
    for attempt in range(tries):
        peer = make(port if port is not None else free_port())
        try:
            return peer.start()
        except PeerError:
            if port is not None or attempt == tries - 1:
                peer.cleanup()
                raise
            peer.cleanup()
    raise AssertionError("unreachable")


def start_xrootd(data_dir, port: int | None = None, redirect_to: int | str | None = None, name: str | None = None,
                 trace: str | None = None) -> Peer:
    """A standalone xrootd exporting `data_dir` as its local root, or (redirect_to = port or "host:port") a
    redirector that sends every request under / to that server. trace: `xrootd.trace` options for the log
    (e.g. "request" logs every request, reads included). The returned Peer has .port, .stop(), .start()."""
    exe = find_program("xrootd")
    if exe is None:
        raise PeerError("xrootd not found (install xrootd-server: scripts/setup --tests)")
    ids = _xrootd_ids()
    data_dir = Path(data_dir).resolve()
    if redirect_to is not None and ":" not in str(redirect_to):
        redirect_to = f"{HOST}:{redirect_to}"
    name = name or ("redirector" if redirect_to else "data")

    def make(p: int) -> Peer:
        # xrootd makes the admin path's parent private (0700): keep the config, admin path and log in a
        # per-instance dir of their own, away from the data dir that nginx must traverse too.
        work = Path(tempfile.mkdtemp(prefix=f"hepml-xrd-{name}-"))
        admin = work / "admin"
        admin.mkdir()
        cfg = work / "xrootd.cfg"
        lines = [f"xrd.port {p}", "xrd.network nodnr", "xrd.allow host 127.0.0.1", "all.export /",
                 f"oss.localroot {data_dir}", f"all.adminpath {admin}", f"all.pidpath {admin}"]
        if redirect_to is not None:
            lines.append(f"xrootd.redirect {redirect_to} /")
        if trace:
            lines.append(f"xrootd.trace {trace}")
        cfg.write_text("\n".join(lines) + "\n")
        _chown_tree(work, ids)
        argv = [exe, "-c", str(cfg), "-n", name]
        preexec = _set_pdeathsig
        if ids is not None:
            argv = ["setpriv", f"--reuid={ids[0]}", f"--regid={ids[1]}", "--init-groups", "--pdeathsig", "TERM"] + argv
        return Peer(f"xrootd[{name}]", p, argv, work, work / "xrootd.log", preexec)

    return _start_with_port_retry(make, port)


def start_nginx(root_dir, port: int | None = None) -> Peer:
    """nginx serving the files of `root_dir` at http://127.0.0.1:PORT/NAME (static files: Range and multi-range
    requests are answered with 206, multi-range as multipart/byteranges)."""
    exe = find_program("nginx")
    if exe is None:
        raise PeerError("nginx not found (install nginx: scripts/setup --tests)")
    root_dir = Path(root_dir).resolve()

    def make(p: int) -> Peer:
        work = Path(tempfile.mkdtemp(prefix="hepml-nginx-"))
        tmp = work / "tmp"
        tmp.mkdir()
        conf = work / "nginx.conf"
        conf.write_text(f"""daemon off;
master_process off;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {work}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ }}
    default_type application/octet-stream;
    server {{
        listen {HOST}:{p};
        root {root_dir};
    }}
}}
""")
        argv = [exe, "-e", str(work / "error.log"), "-p", str(work), "-c", str(conf)]
        return Peer("nginx", p, argv, work, work / "nginx.out", _set_pdeathsig)

    return _start_with_port_retry(make, port)


@atexit.register
def _stop_all():
    for p in list(_LIVE):
        try:
            p.stop(timeout=5)
        except Exception:
            pass


if __name__ == "__main__":
    shared = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "root"
    files = sys.argv[1:] or sorted(glob.glob(str(shared / "*.root")))
    data = make_data_dir(files)
    xrd = start_xrootd(data)
    rdr = start_xrootd(data, redirect_to=xrd.port)
    web = start_nginx(data)
    print(f"data dir   {data}")
    print(f"xrootd     root://{xrd.hostport}//FILE   (log {xrd.log_path})")
    print(f"redirector root://{rdr.hostport}//FILE   (log {rdr.log_path})")
    print(f"nginx      http://{web.hostport}/FILE   (logs in {web.workdir})")
    print("Ctrl-C to stop")
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        for p in (web, rdr, xrd):
            p.cleanup()
        shutil.rmtree(data, ignore_errors=True)
