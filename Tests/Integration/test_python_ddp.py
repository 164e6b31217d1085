"""Distributed data-parallel training: `torchrun --nproc_per_node=2 -m hepml.workflow` (gloo on CPU, each rank
reading its own shard through hepml.torch.Dataset) trains the example PyTorch model on the bundled sample to the
validation AUC of a one-process run (± 0.02)."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, free_port

pytest.importorskip("torch")
pytest.importorskip("hepml")

PARAMS = PROJECT_ROOT / "examples" / "training" / "params.yaml"
MODEL = PROJECT_ROOT / "examples" / "python" / "ex_pytorch.py"
ARGS = ["--params", str(PARAMS), "--model", str(MODEL), "--epochs", "60", "--batch-size", "32", "--patience", "15", "--quiet"]


def run(cmd, out: Path):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    r = subprocess.run(cmd + ARGS + ["--out", str(out)], capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return json.loads((out / "result.json").read_text())


def test_torchrun_two_ranks_reach_the_one_process_auc(tmp_path):
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or shutil.which("torchrun")
    if torchrun is None:
        pytest.skip("torchrun not found")
    one = run([sys.executable, "-m", "hepml.workflow"], tmp_path / "one")
    two = run([torchrun, "--nproc_per_node=2", "--master_addr=127.0.0.1", f"--master_port={free_port()}",
               "-m", "hepml.workflow"], tmp_path / "two")
    assert one["world_size"] == 1 and two["world_size"] == 2
    # Both evaluate every validation and test event once (the two ranks' predictions are gathered).
    assert two["validation_events"] == one["validation_events"] > 20
    assert two["test_events"] == one["test_events"] > 20
    print(f"validation AUC: 1 process {one['val_auc']:.4f}, 2 ranks {two['val_auc']:.4f}; "
          f"test AUC {one['auc']:.4f} / {two['auc']:.4f}")
    assert abs(two["val_auc"] - one["val_auc"]) <= 0.02
    assert abs(two["auc"] - one["auc"]) <= 0.03
    assert (tmp_path / "two" / "model" / "1" / "model.onnx").exists()
