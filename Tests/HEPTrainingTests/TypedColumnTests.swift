import Foundation
import Testing
@testable import HEPTraining
import ROOTIO

/// The typed-column paths (layout fill and statistics straight from the reader's typed arrays) give the same
/// bits as the Double-column path they replaced, for every leaf type, with and without cuts.
@Suite struct TypedColumnTests {
    static func batch(_ name: String) async throws -> ColumnBatch {
        let tree = try await ROOTFile.open(path: TrainingFixtures.root(name)).tree("Events")
        let branches = try tree.selectBranches(include: [], exclude: [])
        return try await tree.reader(branches: branches, threads: 2).read(entries: 0..<tree.entries)
    }

    @Test(arguments: ["leaftypes-a-zstd.root", "nanoaod-like-a-zstd.root"])
    func statisticsEqualTheDoublePath(file: String) async throws {
        let batch = try await Self.batch(file)
        #expect(Set(batch.columns.map(\.type)).count >= (file.hasPrefix("leaftypes") ? 8 : 3))
        let keep = (0..<batch.entryCount).map { $0 % 3 != 1 }
        let kept = keep.indices.filter { keep[$0] }
        for c in batch.columns {
            let values = EventValues(c)
            var double = BranchSpec(kind: c.kind.rawValue, type: c.type.rawValue)
            double.add(values: values.allValues, lengths: values.lengths(count: c.entryCount))
            var typed = BranchSpec(kind: c.kind.rawValue, type: c.type.rawValue)
            typed.add(column: c, kept: nil)
            #expect(typed == double, "\(file) \(c.name) (\(c.type))")
            let selected = values.select(keep)
            var doubleCut = BranchSpec(kind: c.kind.rawValue, type: c.type.rawValue)
            doubleCut.add(values: selected.allValues, lengths: selected.lengths(count: kept.count))
            var typedCut = BranchSpec(kind: c.kind.rawValue, type: c.type.rawValue)
            typedCut.add(column: c, kept: kept)
            #expect(typedCut == doubleCut, "\(file) \(c.name) (\(c.type)) after a cut")
        }
    }

    @Test(arguments: [[], ["nJet >= 2"]])
    func layoutEqualsTheDoublePath(cuts: [String]) async throws {
        let batch = try await Self.batch("nanoaod-like-a-zstd.root")
        let names = ["nJet", "Jet_pt", "Jet_eta", "Jet_jetId", "Muon_charge", "MET_pt", "run", "event", "HT"]
        let transform = try EventTransform(defines: ["HT = sum(Jet_pt)"], cuts: cuts)
        let specs = try await SpecsBuilder.build(files: [TrainingFixtures.root("nanoaod-like-a-zstd.root")], tree: "Events",
                                                 branches: names.filter { $0 != "HT" }, exclude: [], transform: transform, scan: nil)
        let layout = try VectorLayout(specs: specs, branches: names, lengths: [("Jet_*", 4), ("Muon_*", 1)],
                                      normalization: NormalizationPlan(defaultMethod: .standard, overrides: [("Jet_pt", .minmax)]), padValue: -1)
        let typed = try transform.apply(batch, doubles: [])
        var double = try transform.apply(batch)
        double.raw = [:]
        double.kept = nil
        #expect(typed.count == double.count && typed.count > 0 && (cuts.isEmpty || typed.count < batch.entryCount))
        func rows(_ chunk: EventChunk) throws -> ([Float], [Float], Int) {
            var x = [Float](repeating: .nan, count: chunk.count * layout.width), m = x
            let t = try x.withUnsafeMutableBufferPointer { xb in try m.withUnsafeMutableBufferPointer { try layout.fill(chunk, x: xb, mask: $0, row: 0) } }
            return (x, m, t)
        }
        let (xt, mt, tt) = try rows(typed), (xd, md, td) = try rows(double)
        #expect(xt.map(\.bitPattern) == xd.map(\.bitPattern) && mt == md && tt == td)
        #expect(!xt.contains { $0.isNaN } && mt.contains(0) && tt > 0)
    }

    @Test func validationSampleIsBoundedAndSeeded() {
        func sample(_ n: Int, cap: Int, seed: UInt64) -> InMemoryData {
            var r = Reservoir(cap: cap, seed: seed)
            for i in 0..<n { r.offer([Float(i), -Float(i)][...], y: Float(i % 2), w: 1, width: 2) }
            return r.data
        }
        let small = sample(50, cap: 100, seed: 1)
        #expect(small.rows == 50 && small.x == (0..<50).flatMap { [Float($0), -Float($0)] })
        let big = sample(10_000, cap: 100, seed: 1)
        #expect(big.rows == 100 && big.x.count == 200 && big.y.count == 100)
        #expect(big.x == sample(10_000, cap: 100, seed: 1).x && big.x != sample(10_000, cap: 100, seed: 2).x)
        let picked = stride(from: 0, to: 200, by: 2).map { Int(big.x[$0]) }
        #expect(Set(picked).count == 100 && picked.filter { $0 >= 5_000 }.count > 25)
        #expect(zip(picked, stride(from: 1, to: 200, by: 2).map { big.x[$0] }).allSatisfy { Float(-$0) == $1 })
    }
}
