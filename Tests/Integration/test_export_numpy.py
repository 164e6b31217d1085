"""`hepml specs` + `hepml export` on the bundled NanoAOD sample, read back by numpy."""
import json
import subprocess

import numpy as np

from conftest import HEPML_BIN, PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "examples" / "data" / "nanoAOD_2015_CMS_Open_Data_ttbar.root"


def test_npy_and_npz_read_back_by_numpy(tmp_path):
    specs = tmp_path / "specs.json"
    subprocess.run([str(HEPML_BIN), "specs", str(SAMPLE), "--branches", "nJet,Jet_pt,MET_pt", "-o", str(specs)], check=True)
    out = tmp_path / "out"
    subprocess.run([str(HEPML_BIN), "export", str(SAMPLE), "--specs", str(specs), "--labels", "1", "--max-length", "Jet_*=4",
                    "--normalization", "none", "--out", str(out), "--npz"], check=True)
    X, mask, y, w, split = (np.load(out / f"{n}.npy") for n in ["X", "mask", "y", "w", "split"])
    meta = json.loads((out / "features.json").read_text())
    assert meta["features"] == ["MET_pt", "nJet", "Jet_pt_0", "Jet_pt_1", "Jet_pt_2", "Jet_pt_3"]
    assert X.shape == mask.shape == (200, 6) and X.dtype == np.float32
    assert y.shape == (200,) and np.all(y == 1) and np.all(w == 1) and set(np.unique(split)) <= {0, 1, 2}
    njet = X[:, 1].astype(int)
    # mask polarity: 1 = real value, 0 = padding; one real slot per jet up to the layout length
    assert np.array_equal(mask[:, 2:].sum(axis=1), np.minimum(njet, 4))
    assert np.all(X[:, 2:][mask[:, 2:] == 0] == 0)
    assert np.all(X[:, 2:][mask[:, 2:] == 1] > 0)
    spec = json.loads((out / "specs.json").read_text())
    assert spec["features"] == meta["features"] and spec["jdim"]["Jet_pt"] == int(njet.max())
    with np.load(out / "data.npz") as z:
        assert np.array_equal(z["X"], X) and np.array_equal(z["mask"], mask) and np.array_equal(z["split"], split)
