"""Writes ROOT files with object branches (issue #11) using real ROOT, and ROOT's own values as reference JSON.

Usage: .deps/root-venv/bin/python Tests/Integration/make_root_objects.py OUTDIR [--entries N] [--codecs a,b]

Every file holds the same tree `objects` (seeded random content), written with one compression each:
- `tracks`: split (level 99) `std::vector<TrackObj>`; members are numbers, a fixed array, Double32_t with ranges
  `[-10,10]`, `[0,1,16]`, none and `[0,0,8]`, Float16_t without and with `[-1,1,12]`, a nested ElementLink-like
  struct (`link.m_persKey`, `link.m_persIndex`), a Double32_t array `position[2]` (`[-100,100,18]`) and a `std::vector<float>` member;
- `Particle`: split `TClonesArray` of a TObject-derived `DelphesParticle` (ClassDef through gInterpreter.Declare);
- `calo.`: a split CMS-EDM-like wrapper object (`present`, `std::vector<CaloHit> obj`): the collection inside a
  split object, its members `calo.obj.energy`, `calo.obj.timing` (Double32_t `[0,25,12]`);
- `flags`: `std::vector<bool>`; `rvec`: `ROOT::VecOps::RVec<float>`; `vd32`: `std::vector<Double32_t>`;
- leaves `d32_plain/d`, `d32_r16/d[0,1,16]`, `d32_r10/d[-10,10]`, `d32_trunc/d[0,0,10]`, `f16_plain/f`,
  `f16_range/f[-5,5,10]`, `d32_arr[3]/d[0,1,16]`, `d32_jag[nj]/d[-10,10]`.
Small baskets make many baskets per branch. `OUTDIR/objects.json` holds, per branch, ROOT's values for every entry
(read back with TTree::GetEntry through each leaf's GetValue) as JSON numbers (float32/float64 exact).
"""
import argparse
import array
import json
import random
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")
import ROOT  # noqa: E402

ROOT.gROOT.SetBatch(True)
ROOT.gInterpreter.Declare("""
struct HitLink {
  unsigned int m_persKey;
  unsigned int m_persIndex;
};
struct TrackObj {
  float ptGeV;
  int charge;
  double covariance[3];
  Double32_t position[2];  //[-100,100,18]
  Double32_t dzero;     //[-10,10]
  Double32_t quality;   //[0,1,16]
  Double32_t plainD32;
  Double32_t trunc8;    //[0,0,8]
  Float16_t zzero;
  Float16_t zrange;     //[-1,1,12]
  HitLink link;
  std::vector<float> hits;
};
struct CaloHit {
  float energy;
  Double32_t timing;    //[0,25,12]
};
struct HitWrapper {
  bool present;
  std::vector<CaloHit> obj;
};
void setPosition(TrackObj& t, int k, double v) { t.position[k] = v; }  // cppyy cannot index Double32_t arrays
class DelphesParticle : public TObject {
public:
  float PT = 0;
  float Eta = 0;
  int Charge = 0;
  Double32_t Mass = 0;  //[0,100,20]
  Float16_t Phi = 0;    //[-pi,pi,14]
  ClassDef(DelphesParticle, 1)
};
""")

CODECS = {"none": 0, "zlib": 101, "lzma": 207, "lz4": 404, "zstd": 505}
TREE = "objects"
MEMBERS = ["ptGeV", "charge", "covariance[3]", "position[2]", "dzero", "quality", "plainD32", "trunc8", "zzero", "zrange",
           "link.m_persKey", "link.m_persIndex"]
PARTICLE_MEMBERS = ["PT", "Eta", "Charge", "Mass", "Phi"]
CALO_MEMBERS = ["energy", "timing"]
VECTORS = ["flags", "rvec", "vd32"]
LEAVES = {"d32_plain": "d32_plain/d", "d32_r16": "d32_r16/d[0,1,16]", "d32_r10": "d32_r10/d[-10,10]",
          "d32_trunc": "d32_trunc/d[0,0,10]", "f16_plain": "f16_plain/f", "f16_range": "f16_range/f[-5,5,10]"}


def write(path: Path, entries: int, compression: int):
    rng = random.Random(11)
    f = ROOT.TFile(str(path), "RECREATE", "", compression)
    t = ROOT.TTree(TREE, "object branches for hepml tests")
    tracks = ROOT.std.vector("TrackObj")()
    particles = ROOT.TClonesArray("DelphesParticle")
    flags = ROOT.std.vector("bool")()
    rvec = ROOT.ROOT.VecOps.RVec("float")()
    t.Branch("tracks", tracks, 2000, 99)
    t.Branch("Particle", particles, 2000, 99)
    calo = ROOT.HitWrapper()
    t.Branch("calo.", calo, 2000, 99)
    vd32 = ROOT.std.vector("Double32_t")()
    t.Branch("flags", flags, 2000)
    t.Branch("rvec", rvec, 2000)
    t.Branch("vd32", vd32, 2000)
    scalars = {name: array.array("f" if name.startswith("f16") else "d", [0.0]) for name in LEAVES}
    for name, spec in LEAVES.items():
        t.Branch(name, scalars[name], spec, 2000)
    arr = array.array("d", [0.0] * 3)
    t.Branch("d32_arr", arr, "d32_arr[3]/d[0,1,16]", 2000)
    nj = array.array("i", [0])
    jag = array.array("d", [0.0] * 16)
    t.Branch("nj", nj, "nj/I", 2000)
    t.Branch("d32_jag", jag, "d32_jag[nj]/d[-10,10]", 2000)
    for i in range(entries):
        tracks.clear()
        particles.Clear()
        flags.clear()
        rvec.clear()
        calo.obj.clear()
        vd32.clear()
        for j in range(rng.choice([0, 0, 1, 2, 3, 5, 8])):
            s = ROOT.TrackObj()
            s.ptGeV = rng.uniform(0, 200)
            s.charge = rng.choice([-1, 1])
            for k in range(3):
                s.covariance[k] = rng.gauss(0, 1)
            for k in range(2):
                ROOT.setPosition(s, k, rng.uniform(-110, 110))
            s.dzero = rng.uniform(-12, 12)
            s.quality = rng.uniform(-0.1, 1.1)
            s.plainD32 = rng.gauss(0, 1e3)
            s.trunc8 = rng.gauss(0, 50)
            s.zzero = rng.gauss(0, 30)
            s.zrange = rng.uniform(-1.2, 1.2)
            s.link.m_persKey = rng.randrange(1 << 32)
            s.link.m_persIndex = j
            for _ in range(rng.randrange(4)):
                s.hits.push_back(rng.uniform(0, 1))
            tracks.push_back(s)
        for j in range(rng.choice([0, 1, 4, 7])):
            p = particles.ConstructedAt(j)
            p.PT = rng.expovariate(0.05)
            p.Eta = rng.uniform(-4, 4)
            p.Charge = rng.choice([-1, 0, 1])
            p.Mass = rng.uniform(0, 120)
            p.Phi = rng.uniform(-3.3, 3.3)
        calo.present = rng.random() < 0.7
        for _ in range(rng.randrange(4)):
            h = ROOT.CaloHit()
            h.energy = rng.expovariate(0.1)
            h.timing = rng.uniform(-1, 26)
            calo.obj.push_back(h)
        for _ in range(rng.randrange(4)):
            vd32.push_back(rng.gauss(0, 100))
        for _ in range(rng.randrange(6)):
            flags.push_back(rng.random() < 0.5)
        for _ in range(rng.randrange(5)):
            rvec.push_back(rng.gauss(0, 10))
        scalars["d32_plain"][0] = rng.gauss(0, 1e4)
        scalars["d32_r16"][0] = rng.uniform(-0.05, 1.05)
        scalars["d32_r10"][0] = rng.uniform(-11, 11)
        scalars["d32_trunc"][0] = rng.gauss(0, 100)
        scalars["f16_plain"][0] = rng.gauss(0, 100)
        scalars["f16_range"][0] = rng.uniform(-6, 6)
        for k in range(3):
            arr[k] = rng.uniform(0, 1)
        nj[0] = rng.randrange(6)
        for k in range(nj[0]):
            jag[k] = rng.uniform(-10, 10)
        t.Fill()
    t.Write()
    f.Close()


def branch_names():
    return (["tracks"] + [f"tracks.{m}" for m in MEMBERS] + ["Particle"] + [f"Particle.{m}" for m in PARTICLE_MEMBERS]
            + ["calo.present", "calo.obj"] + [f"calo.obj.{m}" for m in CALO_MEMBERS]
            + VECTORS + list(LEAVES) + ["d32_arr", "nj", "d32_jag"])


def reference(path: Path) -> dict:
    """ROOT's values: per entry, each leaf's GetLen values through GetValue (collections: their element count)."""
    f = ROOT.TFile(str(path))
    t = f.Get(TREE)
    leaves = {}
    for name in branch_names():
        b = t.GetBranch(name)
        assert b, name
        leaves[name] = b.GetLeaf(b.GetListOfLeaves()[0].GetName())
    calo = ROOT.HitWrapper()
    t.SetBranchAddress("calo.", calo)
    integer = {"tracks", "Particle", "tracks.charge", "tracks.link.m_persKey", "tracks.link.m_persIndex",
               "Particle.Charge", "nj", "flags", "calo.obj"}
    out = {n: [] for n in leaves}
    for i in range(t.GetEntries()):
        t.GetEntry(i)
        for name, leaf in leaves.items():
            if name in ("tracks", "Particle", "calo.obj"):
                sizes = {"tracks": lambda: t.tracks.size(), "Particle": lambda: t.Particle.GetEntriesFast(),
                         "calo.obj": lambda: calo.obj.size()}
                out[name].append(int(sizes[name]()))
                continue
            if name == "calo.present":
                out[name].append(bool(calo.present))
                continue
            if name in VECTORS:
                obj = getattr(t, name)
                out[name].append([bool(x) if name == "flags" else float(x) for x in obj])
                continue
            n = leaf.GetLen()
            vals = [leaf.GetValue(k) for k in range(n)]
            if name in integer:
                vals = [int(v) for v in vals]
            width = leaf.GetLenStatic()
            if name.startswith("tracks.") and width > 1:
                vals = [vals[k:k + width] for k in range(0, n, width)]
            flat = name in LEAVES or name == "nj"
            out[name].append(vals[0] if flat else vals)
    # the vector<float> member of the collection, as ROOT's objects hold it (doubly jagged)
    out["tracks.hits"] = []
    for i in range(t.GetEntries()):
        t.GetEntry(i)
        out["tracks.hits"].append([[float(h) for h in trk.hits] for trk in t.tracks])
    # TClonesArray members through the objects themselves: must agree with the leaves
    for i in range(min(50, t.GetEntries())):
        t.GetEntry(i)
        assert [p.PT for p in t.Particle] == [float(v) for v in out["Particle.PT"][i]]
    entries = int(t.GetEntries())
    f.Close()
    return {"tree": TREE, "entries": entries, "branches": out,
            "counters": {f"tracks.{m}": "tracks" for m in MEMBERS} | {f"Particle.{m}": "Particle" for m in PARTICLE_MEMBERS}
            | {f"calo.obj.{m}": "calo.obj" for m in CALO_MEMBERS}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--entries", type=int, default=1500)
    ap.add_argument("--codecs", default=",".join(CODECS))
    a = ap.parse_args()
    a.outdir.mkdir(parents=True, exist_ok=True)
    codecs = a.codecs.split(",")
    for c in codecs:
        write(a.outdir / f"objects-{c}.root", a.entries, CODECS[c])
    ref = reference(a.outdir / f"objects-{codecs[0]}.root")
    (a.outdir / "objects.json").write_text(json.dumps(ref))


if __name__ == "__main__":
    main()
