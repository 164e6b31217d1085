/// One reader's part of a dataset pass when several readers (data-loader workers, distributed ranks) share
/// it: each file is cut into units of `unitSize` entries, the units of all files are permuted with the seed
/// and the epoch, and unit `p` of the permutation goes to shard `p % count`. The shards of one epoch are
/// disjoint and together cover every entry once.
public struct DatasetShard: Sendable, Equatable {
    public var index: Int
    public var count: Int
    /// Changes the unit permutation and the row shuffle (never the train/validation/test split).
    public var epoch: Int
    /// Entries per unit (default: the params' chunk size).
    public var unitSize: Int64?
    /// Exactly these units (file index into the params' files, entry range), instead of this shard's part of
    /// the permutation: one task of a pass split by an outside scheduler (hepml.dask).
    public var units: [DatasetUnit]?

    public init(index: Int = 0, count: Int = 1, epoch: Int = 0, unitSize: Int64? = nil) {
        self.index = index
        self.count = count
        self.epoch = epoch
        self.unitSize = unitSize
    }

    /// Checks `0 ≤ index < count` and a positive unit size.
    public func validate() throws {
        guard count >= 1, index >= 0, index < count else {
            throw TrainingError.configuration(file: "shard", reason: "shard index \(index) is outside 0..<\(count)")
        }
        if let u = unitSize, u < 1 { throw TrainingError.configuration(file: "shard", reason: "unit size must be positive") }
        for u in units ?? [] where u.file < 0 || u.range.lowerBound < 0 {
            throw TrainingError.configuration(file: "shard", reason: "unit (file \(u.file), entries \(u.range)) is negative")
        }
    }

    /// The units (file index, entry range) of files with `entries` entries each, in permuted order.
    func units(entries: [Int64], seed: UInt64, defaultUnitSize: Int) -> [(file: Int, range: Range<Int64>)] {
        let size = max(1, unitSize ?? Int64(defaultUnitSize))
        var all: [(file: Int, range: Range<Int64>)] = []
        for (f, n) in entries.enumerated() {
            var start: Int64 = 0
            while start < n {
                all.append((f, start..<min(n, start + size)))
                start += size
            }
        }
        var rng = SeededGenerator(seed: seed ^ SplitHash.mix(0x5348_4152_44 &+ UInt64(epoch)))
        all.shuffle(using: &rng)
        return all
    }

    /// Keeps only this shard's units in each source (in entry order within a file).
    func restrict(_ sources: inout [TrainingDataset.Source], seed: UInt64, defaultUnitSize: Int) {
        let ranges = sources.map { s in s.ranges.first.map { $0.upperBound } ?? 0 }
        var mine = [[Range<Int64>]](repeating: [], count: sources.count)
        if let explicit = units {
            for u in explicit where mine.indices.contains(u.file) {
                let r = min(u.range.lowerBound, ranges[u.file])..<min(u.range.upperBound, ranges[u.file])
                if !r.isEmpty { mine[u.file].append(r) }
            }
        } else {
            let permuted = units(entries: ranges, seed: seed, defaultUnitSize: defaultUnitSize)
            for (p, u) in permuted.enumerated() where p % count == index { mine[u.file].append(u.range) }
        }
        for k in sources.indices { sources[k].ranges = mine[k].sorted { $0.lowerBound < $1.lowerBound } }
    }
}

/// One (file, entry range) unit of a dataset pass.
public struct DatasetUnit: Sendable, Equatable {
    /// Index into the params' files.
    public var file: Int
    public var range: Range<Int64>

    public init(file: Int, range: Range<Int64>) {
        self.file = file
        self.range = range
    }
}

extension TrainingDataset {
    /// Runs one pass over `split` (all rows when nil), restricted to `shard` when given, handing each batch of
    /// `params.batchSize` rows to `body` and waiting for it before reading on (so memory stays bounded by one
    /// chunk and one batch).
    public func forEachBatch(split: DataSplit?, shard: DatasetShard? = nil,
                             _ body: (TrainingBatch) async throws -> Void) async throws {
        try shard?.validate()
        try await produce(split: split, shard: shard, emit: body)
    }
}
