"""Helpers shared by the training-layer benchmarks: wait until the machine is idle before timing."""
import os, sys, time


def busy_share(seconds=2.0):
    """Fraction of all CPU time that was busy (not idle/iowait) over `seconds`, from /proc/stat."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]
    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    return 1.0 - (i1 - i0) / max(t1 - t0, 1)


BUILD_TOOLS = ("swift-build", "swift-frontend", "swiftc", "swift-driver", "clang", "ld", "ld.gold", "ld.lld", "cc1")


def build_processes():
    """Names of running compiler/linker processes (another build would share the CPUs and may relink hepml)."""
    names = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/comm") as f:
                    comm = f.read().strip()
            except OSError:
                continue
            if comm in BUILD_TOOLS or comm.startswith("swift-"):
                names.add(comm)
    return sorted(names)


def wait_until_quiet(threshold=0.15, max_wait=900, settle=10):
    """Waits (up to max_wait s) until no build runs and the CPUs have been less than `threshold` busy for
    `settle` seconds; returns the last busy share."""
    start = time.time()
    quiet_since = None
    while True:
        builds = build_processes()
        b = busy_share()
        now = time.time()
        if not builds and b < threshold:
            quiet_since = quiet_since or now
            if now - quiet_since >= settle:
                return b
            continue
        quiet_since = None
        if now - start > max_wait:
            print(f"warning: not idle after {max_wait} s (CPUs {b:.0%} busy, builds: {builds}); timing anyway",
                  file=sys.stderr)
            return b
        print(f"waiting for an idle machine (CPUs {b:.0%} busy{', builds: ' + ' '.join(builds) if builds else ''}) ...",
              file=sys.stderr, flush=True)
        time.sleep(10)


def binary_stamp(path):
    """(mtime, size) of a binary, to notice a rebuild during a run."""
    st = os.stat(path)
    return (st.st_mtime, st.st_size)


class OtherLoad:
    """CPU time used by everything except this process and its waited-for children, between start and stop:
    a check that nothing else ran during the timings."""

    @staticmethod
    def _busy_jiffies():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v) - v[3] - v[4], sum(v)

    def __init__(self):
        import os
        self.os = os
        self.hz = os.sysconf("SC_CLK_TCK")
        self.b0, self.t0 = self._busy_jiffies()
        self.m0 = sum(os.times()[:4])

    def stop(self):
        """(other CPU-seconds, their share of the machine's CPU time over the interval)."""
        b1, t1 = self._busy_jiffies()
        mine = sum(self.os.times()[:4]) - self.m0
        other = max(0.0, (b1 - self.b0) / self.hz - mine)
        return other, other / max((t1 - self.t0) / self.hz, 1e-9)
