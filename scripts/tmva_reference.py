#!/usr/bin/env python3
"""Reference outputs for TMVA BDT weight files, computed from TMVA's own evaluation rules (independently of
hepml's Swift importer), for Tests/Fixtures/trees/tmva/.

Rules (ROOT tmva: MethodBDT::PrivateGetMvaValue / GetGradBoostMVA, DecisionTree::CheckEvent,
DecisionTreeNode::GoesRight, MethodBDT::ReadWeightsFromXML, VariableNormalizeTransform):
  * event values, cuts, purities, responses and boost weights are float32;
  * at an internal node (nType == 0) the event goes right iff (x >= Cut) == cType (NaN compares false);
  * a tree's answer: leaf `res` when <Weights AnalysisType="1"> (regression trees, Grad), else the leaf's
    nType (UseYesNoLeaf, forced off for RealAdaBoost/AdaCost) or its purity;
  * BoostType Grad: s = sum of answers, output 2/(1+exp(-2s)) - 1;
    otherwise sum(w_i * answer_i) / sum(w_i) (0 when the sum of weights is <= machine epsilon);
  * Normalize: x' = 2 (x - min)/(max - min) - 1 with the last <Class> block's ranges (all classes).

Also writes normalize_synthetic.weights.xml: the aprozo excerpt with a Normalize transformation added (a made-up
file for the transformation rule only; its ranges are the variables' Min/Max).

Usage: python3 scripts/tmva_reference.py   (plain Python 3 with numpy)
"""
import json
import math
import os
import sys
import xml.etree.ElementTree as ET

import numpy as np

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "trees", "tmva")
F32 = np.float32


def load(path):
    root = ET.parse(path).getroot()
    options = {o.get("name"): (o.text or "").strip() for o in root.find("Options").findall("Option")}
    variables = root.find("Variables").findall("Variable")
    weights = root.find("Weights")
    regression = weights.get("AnalysisType") == "1"
    boost = options.get("BoostType", "AdaBoost")
    yes_no = options.get("UseYesNoLeaf", "True").lower() != "false" and boost not in ("RealAdaBoost", "AdaCost")
    trees = [(F32(float(t.get("boostWeight", "1"))), t.find("Node")) for t in weights.findall("BinaryTree")]
    norm = None
    transforms = root.find("Transformations")
    for t in transforms.findall("Transform") if transforms is not None else []:
        assert t.get("Name") == "Normalize", t.get("Name")
        ranges = t.findall("Class")[-1].find("Ranges").findall("Range")
        norm = {int(r.get("Index")): (F32(float(r.get("Min"))), F32(float(r.get("Max")))) for r in ranges}
    return {"variables": variables, "regression": regression, "boost": boost, "yes_no": yes_no, "trees": trees,
            "normalize": norm}


def answer(node, x, m):
    while int(node.get("nType")) == 0:
        kids = {k.get("pos"): k for k in node.findall("Node")}
        value = x[int(node.get("IVar"))]
        cut = F32(float(node.get("Cut")))
        goes_right = bool(value >= cut) == (int(node.get("cType")) == 1)
        node = kids["r"] if goes_right else kids["l"]
    if m["regression"]:
        return float(F32(float(node.get("res"))))
    if m["yes_no"]:
        return float(int(node.get("nType")))
    return float(F32(float(node.get("purity"))))


def evaluate(m, row):
    x = [F32(v) for v in row]
    if m["normalize"] is not None:
        for i, (lo, hi) in m["normalize"].items():
            scale = 2.0 / (float(hi) - float(lo)) if hi > lo else 0.0
            x[i] = F32(scale * float(x[i]) - float(lo) * scale - 1.0)
    if m["boost"] == "Grad":
        s = sum(answer(n, x, m) for _, n in m["trees"])
        return 2.0 / (1.0 + math.exp(-2.0 * s)) - 1.0
    total, norm = 0.0, 0.0
    for w, n in m["trees"]:
        total += float(w) * answer(n, x, m)
        norm += float(w)
    return total / norm if norm > np.finfo(np.float64).eps else 0.0


def cuts(m):
    out = []
    for _, top in m["trees"]:
        for n in top.iter("Node"):
            if int(n.get("nType")) == 0:
                out.append((int(n.get("IVar")), float(F32(float(n.get("Cut"))))))
    return out


def rows(m, rng, n=200):
    lo = np.array([float(v.get("Min")) for v in m["variables"]])
    hi = np.array([float(v.get("Max")) for v in m["variables"]])
    x = rng.uniform(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo), size=(n, len(lo))).astype(F32)
    points = cuts(m)
    for i in range(n // 4):  # a quarter of the rows sit exactly on a cut the forest uses
        f, c = points[rng.integers(len(points))]
        x[i, f] = F32(c)
    x[n - 5, 0] = np.nan
    x[n - 4, -1] = np.nan
    return x


def add_normalize(src, dst):
    tree = ET.parse(src)
    root = tree.getroot()
    variables = root.find("Variables").findall("Variable")
    tr = root.find("Transformations")
    tr.set("NTransformations", "1")
    t = ET.SubElement(tr, "Transform", Name="Normalize")
    sel = ET.SubElement(t, "Selection")
    inp = ET.SubElement(sel, "Input", NInputs=str(len(variables)))
    out = ET.SubElement(sel, "Output", NOutputs=str(len(variables)))
    for v in variables:
        ET.SubElement(inp, "Input", Type="Variable", Label=v.get("Label"), Expression=v.get("Expression"))
        ET.SubElement(out, "Output", Type="Variable", Label=v.get("Label"), Expression=v.get("Expression"))
    for cls in range(3):
        c = ET.SubElement(t, "Class", ClassIndex=str(cls))
        ranges = ET.SubElement(c, "Ranges")
        for i, v in enumerate(variables):
            lo, hi = float(v.get("Min")), float(v.get("Max"))
            if cls < 2:
                lo, hi = lo * 0.5, hi * 0.5  # per-class ranges differ from the all-classes block
            ET.SubElement(ranges, "Range", Index=str(i), Min=f"{lo:.8e}", Max=f"{hi:.8e}")
    tree.write(dst, xml_declaration=True, encoding="utf-8")


def main():
    rng = np.random.default_rng(16)
    add_normalize(os.path.join(DIR, "aprozo_adaboost_first8.weights.xml"),
                  os.path.join(DIR, "normalize_synthetic.weights.xml"))
    reference = {}
    for name in sorted(os.listdir(DIR)):
        if not name.endswith(".weights.xml"):
            continue
        m = load(os.path.join(DIR, name))
        x = rows(m, rng)
        reference[name] = {
            "inputs": [[None if math.isnan(float(v)) else float(v) for v in r] for r in x],
            "outputs": [evaluate(m, r) for r in x],
        }
        print(f"{name}: {len(m['trees'])} trees, boost {m['boost']}, {len(x)} rows")
    with open(os.path.join(DIR, "reference.json"), "w") as f:
        json.dump(reference, f, indent=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
