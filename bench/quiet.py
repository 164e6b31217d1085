"""Helpers shared by the training-layer benchmarks: wait until the machine is idle before timing."""
import sys, time


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


def wait_until_quiet(threshold=0.15, max_wait=600):
    """Waits (up to max_wait s) until the CPUs are less than `threshold` busy; returns the last busy share."""
    start = time.time()
    while True:
        b = busy_share()
        if b < threshold or time.time() - start > max_wait:
            if b >= threshold:
                print(f"warning: CPUs still {b:.0%} busy after {max_wait} s; timing anyway", file=sys.stderr)
            return b
        print(f"waiting for an idle machine (CPUs {b:.0%} busy) ...", file=sys.stderr, flush=True)
        time.sleep(10)


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
