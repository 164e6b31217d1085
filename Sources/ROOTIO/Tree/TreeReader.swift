import Synchronization

/// Reads selected branches of a tree as typed columns, one entry range (chunk) at a time.
///
/// For each chunk it plans the byte ranges of every needed basket first, reads them with one coalesced
/// request set, then decompresses and decodes the baskets concurrently (at most `threads` at a time).
/// A basket that straddles the end of a chunk is kept decoded for the next chunk, so memory stays
/// bounded by the chunk size plus one basket per branch.
public final class TreeReader: Sendable {
    struct Target: Sendable {
        var branch: BranchModel
        var interpretation: BranchInterpretation
        var table: BasketTable
    }

    public let tree: Tree
    public let threads: Int
    let targets: [Target]
    private let carried = Mutex<[Int: (index: Int, basket: RawBasket)]>([:])
    private let counters = Mutex(ReaderStatistics())

    init(tree: Tree, branches: [BranchModel], threads: Int) throws {
        self.tree = tree
        self.threads = max(1, threads)
        targets = try branches.map { b in
            switch tree.interpretation(of: b) {
            case let .success(i):
                return Target(branch: b, interpretation: i,
                              table: try BasketTable(branch: b, file: tree.file.name, fileSize: tree.file.source.size))
            case let .failure(reason):
                throw ROOTIOError.unsupported(file: tree.file.name, object: "branch '\(b.name)'", reason: reason.description)
            }
        }
    }

    /// Names of the columns this reader produces, in order.
    public var columnNames: [String] { targets.map(\.branch.name) }

    /// Bytes read and decoded so far.
    public var statistics: ReaderStatistics { counters.withLock { $0 } }

    /// Splits `entries` (default: the whole tree) into chunks of `size` entries, the last one shorter.
    public func chunks(size: Int, entries: Range<Int64>? = nil) -> ChunkSequence {
        let all = entries ?? 0..<tree.entries
        var ranges: [Range<Int64>] = []
        var start = all.lowerBound
        let step = Int64(max(1, size))
        while start < all.upperBound {
            let end = min(all.upperBound, start + step)
            ranges.append(start..<end)
            start = end
        }
        return ChunkSequence(reader: self, ranges: ranges)
    }

    /// Reads every selected branch over `entries`.
    public func read(entries: Range<Int64>) async throws -> ColumnBatch {
        guard entries.lowerBound >= 0, entries.upperBound <= tree.entries else {
            throw ROOTIOError.malformed(file: tree.file.name, object: "tree '\(tree.path)'", offset: 0,
                                        reason: "entry range \(entries) outside 0..<\(tree.entries)")
        }
        struct Job: Sendable {
            var target: Int
            var slot: Int
            var location: BasketLocation
            var local: Range<Int>
            var record: Int?
            var cached: RawBasket?
        }
        let carriedNow = carried.withLock { $0 }
        var jobs: [Job] = []
        var ranges: [ByteRange] = []
        var slotsPerTarget = [Int](repeating: 0, count: targets.count)
        for (t, target) in targets.enumerated() {
            for loc in target.table.overlapping(entries) {
                let lo = Int(max(entries.lowerBound, loc.firstEntry) - loc.firstEntry)
                let hi = Int(min(entries.upperBound, loc.entryEnd) - loc.firstEntry)
                var job = Job(target: t, slot: slotsPerTarget[t], location: loc, local: lo..<hi, record: nil, cached: nil)
                slotsPerTarget[t] += 1
                if let c = carriedNow[t], c.index == loc.index {
                    job.cached = c.basket
                } else if case let .disk(r) = loc.storage {
                    job.record = ranges.count
                    ranges.append(r)
                }
                jobs.append(job)
            }
        }
        let records = try await tree.file.source.read(ranges: ranges)
        counters.withLock { s in
            s.compressedBytes += Int64(ranges.reduce(0) { $0 + $1.count })
            s.chunks += 1
        }

        var slices = slotsPerTarget.map { [BasketSlice?](repeating: nil, count: $0) }
        var keep: [Int: (index: Int, basket: RawBasket)] = [:]
        let limit = threads
        try await withThrowingTaskGroup(of: (Int, Int, BasketSlice, RawBasket?).self) { group in
            var next = 0
            func submit(_ job: Job) {
                let record = job.record.map { records[$0] }
                group.addTask { [self] in
                    let raw = try job.cached ?? self.rawBasket(job.location, target: job.target, record: record)
                    let slice = try await self.extract(raw, job: job.local, location: job.location, target: job.target)
                    let carry = job.location.entryEnd > entries.upperBound ? raw : nil
                    return (job.target, job.slot, slice, carry)
                }
            }
            while next < jobs.count, next < limit {
                submit(jobs[next])
                next += 1
            }
            while let (t, slot, slice, carry) = try await group.next() {
                slices[t][slot] = slice
                if let carry { keep[t] = (jobs.first { $0.target == t && $0.slot == slot }!.location.index, carry) }
                if next < jobs.count {
                    submit(jobs[next])
                    next += 1
                }
            }
        }
        carried.withLock { $0 = keep }

        let count = Int(entries.count)
        var columns: [Column] = []
        var decoded: Int64 = 0
        for (t, target) in targets.enumerated() {
            let parts = slices[t].map { $0! }
            let interp = target.interpretation
            let values = parts.isEmpty ? ColumnValues.empty(interp.type)
                : ColumnValues.concatenate(parts.map(\.values), type: interp.type)
            decoded += Int64(values.count * interp.type.byteSize)
            var offsets: [Int64]?
            if interp.kind == .jagged {
                var o = [Int64](repeating: 0, count: count + 1)
                var k = 0
                var acc: Int64 = 0
                for p in parts {
                    for n in p.counts ?? [] {
                        acc += Int64(n)
                        k += 1
                        o[k] = acc
                    }
                }
                offsets = o
            }
            columns.append(Column(name: target.branch.name, type: interp.type, kind: interp.kind, shape: interp.shape,
                                  entryStart: entries.lowerBound, entryCount: count, values: values, offsets: offsets))
        }
        counters.withLock { $0.decodedBytes += decoded; $0.entries += Int64(count) }
        return ColumnBatch(entryStart: entries.lowerBound, entryCount: count, columns: columns)
    }

    private func rawBasket(_ loc: BasketLocation, target: Int, record: [UInt8]?) throws -> RawBasket {
        let branch = targets[target].branch
        switch loc.storage {
        case let .embedded(j):
            let e = branch.embeddedBaskets[j]
            return RawBasket(entries: e.entries, data: e.data, byteOffsets: e.byteOffsets)
        case let .disk(range):
            return try BasketDecoder.decode(record: record ?? [], at: range.offset, branch: branch,
                                            expectedEntries: loc.entryCount, file: tree.file.name)
        }
    }

    private func extract(_ raw: RawBasket, job local: Range<Int>, location: BasketLocation, target: Int) async throws
        -> BasketSlice
    {
        let t = targets[target]
        var generated: [Int32]?
        if t.interpretation.kind == .jagged, raw.byteOffsets == nil, raw.entries > 0, !raw.data.isEmpty {
            generated = try await counterValues(for: t, entries: location.firstEntry..<location.entryEnd)
        }
        return try BasketExtractor.extract(raw, entries: local, as: t.interpretation, generatedCounts: generated,
                                           context: "basket \(location.index) of branch '\(t.branch.name)'",
                                           file: tree.file.name)
    }

    /// Counter-branch values, to rebuild the offsets of baskets written without an offset table.
    private func counterValues(for t: Target, entries: Range<Int64>) async throws -> [Int32] {
        guard let name = t.interpretation.counter else {
            throw ROOTIOError.malformed(file: tree.file.name, object: "branch '\(t.branch.name)'", offset: 0,
                                        reason: "jagged basket without entry offsets and without a counter branch")
        }
        let counter = try tree.branch(named: name)
        let batch = try await TreeReader(tree: tree, branches: [counter], threads: 1).read(entries: entries)
        let v = batch.columns[0].values
        return (0..<v.count).map { Int32(clamping: Int64(v.double(at: $0))) }
    }
}

/// Counters of a reader's work.
public struct ReaderStatistics: Sendable {
    public var chunks = 0
    public var entries: Int64 = 0
    /// Bytes of basket records read from the source.
    public var compressedBytes: Int64 = 0
    /// Bytes of decoded values produced.
    public var decodedBytes: Int64 = 0
}

/// The chunks of a `TreeReader`, read in order.
public struct ChunkSequence: AsyncSequence, Sendable {
    public typealias Element = ColumnBatch
    let reader: TreeReader
    public let ranges: [Range<Int64>]

    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: TreeReader
        let ranges: [Range<Int64>]
        var index = 0
        public mutating func next() async throws -> ColumnBatch? {
            guard index < ranges.count else { return nil }
            defer { index += 1 }
            return try await reader.read(entries: ranges[index])
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader, ranges: ranges) }
}
