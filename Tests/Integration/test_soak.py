"""Short variant of bench/soak.py (the 5-minute soak): 64 connections of mixed inference, uploads, deletes,
tags and hostile bodies for 30 s under a 1 GB address-space limit."""
import json
import shutil
import subprocess
import sys

import pytest

from conftest import HEPML_BIN, PROJECT_ROOT


def test_soak_short():
    if not HEPML_BIN.exists():
        pytest.skip(f"server binary not found: {HEPML_BIN}")
    if shutil.which("prlimit") is None:
        pytest.skip("prlimit not installed")
    p = subprocess.run([sys.executable, str(PROJECT_ROOT / "bench" / "soak.py"), "--binary", str(HEPML_BIN),
                        "--duration", "30", "--connections", "64", "--memory-mb", "1024"],
                       capture_output=True, text=True, timeout=180)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    assert lines, f"no summary (exit {p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}"
    summary = json.loads(lines[-1])
    assert all(summary["checks"].values()), json.dumps(summary, indent=1)
    assert summary["infer_ok"] > 100, summary
