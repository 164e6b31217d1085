import Foundation
import Testing
@testable import HEPTraining
import ROOTIO

@Suite struct LayoutAndDatasetTests {
    static let file = TrainingFixtures.root("nanoaod-like-a-zstd.root")
    static let branches = ["nJet", "Jet_pt", "Jet_eta", "Jet_phi", "nMuon", "Muon_pt", "MET_pt"]

    static func specs() async throws -> Specs {
        try await SpecsBuilder.build(files: [file], tree: "Events", branches: branches, exclude: [],
                                     transform: try EventTransform(defines: ["HT = sum(Jet_pt)"], cuts: []), scan: nil, chunkSize: 777)
    }

    /// Specs agree with values derived independently from the uproot reference JSON.
    @Test func specsMatchReference() async throws {
        let s = try await Self.specs()
        let ref = try TrainingFixtures.reference("nanoaod-like-a-zstd.root")
        for b in Self.branches {
            let spec = try #require(s.branches[b])
            let r = try #require(ref[b])
            #expect(spec.min == (r["min"] as! NSNumber).doubleValue, "\(b) min")
            #expect(spec.max == (r["max"] as! NSNumber).doubleValue, "\(b) max")
            if let counter = r["counter"] as? String {
                #expect(spec.maxLength == (ref[counter]!["max"] as! NSNumber).intValue, "\(b) longest entry = counter maximum")
                #expect(spec.kind == "jagged")
            }
        }
        #expect(s.events["total"] == 2000 && s.jdim["Jet_pt"] == s.branches["Jet_pt"]?.maxLength)
        #expect(s.fkeys.contains("HT") && s.jkeys.contains("Muon_pt"))
        let path = NSTemporaryDirectory() + "specs-\(UUID().uuidString).json"
        try s.write(to: path)
        #expect(try Specs.read(from: path) == s)
    }

    /// Rows and masks equal the branches read directly; truncation is counted, never an error.
    @Test func rowsAndMasksMatchDirectReads() async throws {
        let s = try await Self.specs()
        var p = TrainingParams()
        p.files = [.init(path: Self.file, label: 1)]
        p.branches = ["nJet", "Jet_pt", "MET_pt", "HT"]
        p.defines = ["HT = sum(Jet_pt)"]
        p.lengths = [("Jet_*", 3)]
        p.normalization = NormalizationPlan(defaultMethod: .none)
        p.shuffle = false
        p.split = (1, 0, 0)
        p.batchSize = 5000
        let ds = try TrainingDataset(params: p, specs: s)
        #expect(ds.layout.featureNames == ["HT", "MET_pt", "nJet", "Jet_pt_0", "Jet_pt_1", "Jet_pt_2"])
        var rows: [TrainingBatch] = []
        for try await b in ds.batches(split: nil) { rows.append(b) }
        let b = try #require(rows.first)
        #expect(b.count == 2000)
        let tree = try await ROOTFile.open(path: Self.file).tree("Events")
        let direct = try await tree.arrays(["Jet_pt", "nJet", "MET_pt"])
        let jet = try #require(direct["Jet_pt"]), o = try #require(jet.offsets)
        var truncated = 0
        for i in [0, 1, 17, 999, 1999] + Array(0..<2000) {
            let n = Int(o[i + 1] - o[i])
            if i >= 5 && n <= 3 { continue }
            for k in 0..<3 {
                let x = b.features[i * 6 + 3 + k], m = b.mask[i * 6 + 3 + k]
                if k < n {
                    #expect(m == 1 && x == Float(jet.values.double(at: Int(o[i]) + k)), "event \(i) jet \(k)")
                } else {
                    #expect(m == 0 && x == 0, "event \(i) padding \(k)")
                }
            }
            let ht = (Int(o[i])..<Int(o[i + 1])).reduce(0.0) { $0 + jet.values.double(at: $1) }
            #expect(abs(Double(b.features[i * 6]) - ht) <= 1e-3 * max(1, ht))
            #expect(b.features[i * 6 + 2] == Float(direct["nJet"]!.values.double(at: i)))
            if n > 3, i >= 5 { truncated += 1 }
        }
        #expect(ds.summary.truncatedEvents == truncated && truncated > 0)
    }

    /// Mixing keeps the class balance per chunk, shuffling is seeded, and split membership does not depend
    /// on the chunk size.
    @Test func mixingShufflingAndSplits() async throws {
        let s = try await Self.specs()
        func run(chunk: Int, seed: UInt64) async throws -> (labels: [Float], hashes: [String], firstChunkSignal: Int) {
            var p = TrainingParams()
            p.files = [.init(path: Self.file, label: 1), .init(path: TrainingFixtures.root("nanoaod-like-a-lz4.root"), label: 0, weight: 2)]
            p.entries = 1000
            p.branches = ["MET_pt", "nJet"]
            p.chunkSize = chunk
            p.batchSize = chunk
            p.seed = seed
            p.normalization = NormalizationPlan(defaultMethod: .none)
            let ds = try TrainingDataset(params: p, specs: s)
            var labels: [Float] = []
            var splitsByKey: [String] = []
            var first = -1
            for try await b in ds.batches(split: nil) {
                if first < 0 { first = b.labels.filter { $0 == 1 }.count }
                labels += b.labels
                for i in 0..<b.count { splitsByKey.append("\(b.labels[i]) \(b.features[i * 2]) \(b.features[i * 2 + 1]) \(b.splits[i])") }
                #expect(zip(b.labels, b.weights).allSatisfy { $0 == 1 ? $1 == 1 : $1 == 2 })
            }
            return (labels, splitsByKey.sorted(), first)
        }
        let a = try await run(chunk: 200, seed: 7)
        let again = try await run(chunk: 200, seed: 7)
        let other = try await run(chunk: 333, seed: 7)
        #expect(a.labels.count == 2000 && a.labels.filter { $0 == 1 }.count == 1000)
        #expect(a.firstChunkSignal == 100, "each chunk takes both files in proportion")
        #expect(a.labels == again.labels, "same seed, same order")
        #expect(a.hashes == other.hashes, "split membership independent of chunk size")
        let counts = Dictionary(grouping: a.hashes.map { $0.last! }, by: { $0 }).mapValues(\.count)
        #expect((counts["0"] ?? 0) > 1400 && (counts["1"] ?? 0) > 100 && (counts["2"] ?? 0) > 100, "\(counts)")
        let h = SplitHash(seed: 1, fractions: (0.5, 0.25, 0.25))
        #expect((0..<100).map { h.split(file: "a.root", entry: $0) } == (0..<100).map { h.split(file: "a.root", entry: $0) })
        #expect((0..<100).map { h.split(file: "a.root", entry: $0) } != (0..<100).map { h.split(file: "b.root", entry: $0) })
    }

    @Test func badInputsGiveClearErrors() async throws {
        let s = try await Self.specs()
        var p = TrainingParams()
        p.files = [.init(path: Self.file, label: 1)]
        p.branches = ["NoSuchBranch"]
        #expect(throws: TrainingError.self) { try TrainingDataset(params: p, specs: s) }
        p.branches = ["Electron_pt"]
        #expect(throws: TrainingError.self) { try TrainingDataset(params: p, specs: s) }
        let path = NSTemporaryDirectory() + "params-\(UUID().uuidString).yaml"
        try "files: [a.root]\nbatch_sise: 10\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: TrainingError.configuration(file: path, reason: "unknown key 'batch_sise' (known: \(TrainingParams.keys.sorted().joined(separator: ", ")))")) {
            try TrainingParams.load(path: path)
        }
        try "{\"files\": [{\"path\": \"x.root\", \"label\": 1}], \"lengths\": {\"Jet_*\": 4}, \"normalization\": {\"default\": \"standard\", \"MET_*\": \"none\"}}"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let loaded = try TrainingParams.load(path: path)
        #expect(loaded.files == [.init(path: "x.root", label: 1)] && loaded.lengths.first?.1 == 4)
        #expect(loaded.normalization.method(for: "MET_pt") == .none && loaded.normalization.method(for: "Jet_pt") == .standard)
        await #expect(throws: TrainingError.self) {
            _ = try await SpecsBuilder.build(files: [Self.file], tree: "Events", branches: ["MET_pt"], exclude: [],
                                             transform: try EventTransform(defines: ["X = sum(Nope_pt)"], cuts: []), scan: 10)
        }
    }

    @Test func normalizationAndImages() throws {
        var spec = BranchSpec(kind: "flat", type: "float32")
        spec.add(values: [2, 4, 6], lengths: nil)
        let mm = Normalization.minmax.coefficients(spec)
        #expect(mm.scale * 4 + mm.shift == 0.5)
        var constant = BranchSpec(kind: "flat", type: "float32")
        constant.add(values: [3, 3], lengths: nil)
        #expect(Normalization.minmax.coefficients(constant).scale == 0 && Normalization.standard.coefficients(constant).scale == 0)
        let image = ImageLayout(height: 2, width: 2, xRange: [-1, 1], yRange: [-1, 1], channels: [.init(x: "eta", y: "phi", value: "pt")])
        let chunk = EventChunk(columns: ["eta": .jagged(offsets: [0, 3], values: [-0.5, -0.4, 0.5]),
                                         "phi": .jagged(offsets: [0, 3], values: [0.5, 0.6, -0.5]),
                                         "pt": .jagged(offsets: [0, 3], values: [10, 5, 7])], count: 1, entries: [0])
        var out = [Float](repeating: 0, count: 4)
        try out.withUnsafeMutableBufferPointer { try image.fill(chunk, into: $0, row: 0) }
        #expect(out == [0, 15, 7, 0])
    }
}
