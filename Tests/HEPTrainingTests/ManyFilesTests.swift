import Foundation
import Testing
@testable import HEPTraining

/// A pass over many files keeps at most `maxOpenFiles` readers open (memory bounded independently of the
/// number of files) and still delivers every event once, in class proportions, deterministically.
@Suite struct ManyFilesTests {
    static let fileCount = 12
    static let entriesPerFile: Int64 = 150

    /// `fileCount` distinct names (symbolic links) for one fixture, labels alternating 1, 0.
    static func files() throws -> [TrainingParams.FileEntry] {
        let dir = NSTemporaryDirectory() + "hepml-many-files-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return try (0..<fileCount).map { i in
            let path = dir + "/part-\(i).root"
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: LayoutAndDatasetTests.file)
            return .init(path: path, label: i % 2 == 0 ? 1 : 0)
        }
    }

    struct Pass {
        var rows: [String] = []
        var firstBatchSignal = 0
        var labels: [Float] = []
        var summary = DatasetSummary()
    }

    static func pass(_ files: [TrainingParams.FileEntry], maxOpen: Int, shard: DatasetShard? = nil) async throws -> Pass {
        var p = TrainingParams()
        p.files = files
        p.entries = entriesPerFile
        p.branches = ["MET_pt", "nJet"]
        p.chunkSize = 120
        p.batchSize = 120
        p.seed = 5
        p.maxOpenFiles = maxOpen
        p.normalization = NormalizationPlan(defaultMethod: .none)
        let ds = try TrainingDataset(params: p, specs: try await LayoutAndDatasetTests.specs())
        var out = Pass()
        var first = true
        try await ds.forEachBatch(split: nil, shard: shard) { b in
            if first { out.firstBatchSignal = b.labels.filter { $0 == 1 }.count; first = false }
            out.labels += b.labels
            for i in 0..<b.count { out.rows.append("\(b.labels[i]) \(b.features[i * 2]) \(b.features[i * 2 + 1]) \(b.splits[i])") }
        }
        out.summary = ds.summary
        return out
    }

    @Test func openReadersStayWithinTheCap() async throws {
        let files = try Self.files()
        let all = try await Self.pass(files, maxOpen: 100)
        #expect(all.summary.peakOpenFiles == Self.fileCount, "with room for all, every file is open (the counter counts)")
        for cap in [1, 3, 4] {
            let capped = try await Self.pass(files, maxOpen: cap)
            #expect(capped.summary.peakOpenFiles <= cap, "cap \(cap): \(capped.summary.peakOpenFiles) open")
            #expect(capped.summary.eventsRead == Self.fileCount * Int(Self.entriesPerFile))
            #expect(files.allSatisfy { capped.summary.perFile[$0.path] == Int(Self.entriesPerFile) }, "every event of every file once")
            #expect(capped.rows.sorted() == all.rows.sorted(), "same rows (and splits) as with every file open")
            #expect(capped.firstBatchSignal == 60, "each chunk still takes both classes in proportion")
            let again = try await Self.pass(files, maxOpen: cap)
            #expect(again.rows == capped.rows, "same seed, same order")
        }
    }

    @Test func shardsOfAManyFilePassStayWithinTheCap() async throws {
        let files = try Self.files()
        let all = try await Self.pass(files, maxOpen: 100)
        var union: [String] = []
        for index in 0..<2 {
            var shard = DatasetShard(index: index, count: 2, epoch: 1)
            shard.unitSize = 40
            let part = try await Self.pass(files, maxOpen: 2, shard: shard)
            #expect(part.summary.peakOpenFiles <= 2)
            union += part.rows
        }
        #expect(union.sorted() == all.rows.sorted(), "the shards together see every event once")
    }
}
