#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    /// The column each read produces: name and interpretation, in order.
    public let outputs: [(name: String, interpretation: BranchInterpretation)]
    /// Reads RNTuple fields instead of TTree baskets when the tree is an RNTuple.
    let ntupleReader: RNTupleReader?
    /// Reads a CSV, JSON-lines or Parquet table when the tree wraps one.
    let tableReader: (any ColumnTableReader)?
    private let carried = Mutex<[Int: (index: Int, basket: RawBasket)]>([:])
    private let counters = Mutex(ReaderStatistics())
    private let arenas = ArenaPool()

    init(tree: Tree, branches: [BranchModel], threads: Int) throws {
        self.tree = tree
        self.threads = max(1, threads)
        if let ntuple = tree.ntuple {
            let plans = try branches.map { b in
                guard let plan = ntuple.plan(named: b.name) else {
                    throw ROOTIOError.unsupported(file: tree.file.name, object: "field '\(b.name)'",
                                                  reason: ntuple.skipReason(of: b.name) ?? "not in the RNTuple")
                }
                return plan
            }
            targets = []
            outputs = plans.map { ($0.name, $0.interpretation) }
            ntupleReader = RNTupleReader(ntuple: ntuple, plans: plans, source: tree.file.source, threads: threads)
            tableReader = nil
            return
        }
        ntupleReader = nil
        if let table = tree.table {
            let indices = try branches.map { b in
                guard let k = table.columns.firstIndex(where: { $0.name == b.name }) else {
                    throw ROOTIOError.branchNotFound(file: tree.file.name, tree: tree.path, branch: b.name)
                }
                if let reason = table.columns[k].skipReason {
                    throw ROOTIOError.unsupported(file: tree.file.name, object: "column '\(b.name)'", reason: reason)
                }
                return k
            }
            targets = []
            outputs = try indices.map { k in (table.columns[k].name, try table.columns[k].interpretation.get()) }
            tableReader = try table.reader(columns: indices, threads: threads)
            return
        }
        tableReader = nil
        targets = try branches.map { b in
            switch tree.interpretation(of: b) {
            case let .success(i):
                return Target(branch: b, interpretation: i,
                              table: try BasketTable(branch: b, file: tree.file.name, fileSize: tree.file.source.size))
            case let .failure(reason):
                throw ROOTIOError.skippedBranch(file: tree.file.name, tree: tree.path, branch: b.name, reason: reason.description)
            }
        }
        outputs = targets.map { ($0.branch.name, $0.interpretation) }
    }

    /// Names of the columns this reader produces, in order.
    public var columnNames: [String] { outputs.map(\.name) }

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
        var sequence = ChunkSequence(reader: self, ranges: ranges)
        sequence.readAhead = tree.file.source.prefersReadAhead
        return sequence
    }

    /// One basket's part in a chunk: where its bytes come from and where they go in the arena.
    struct Job: Sendable {
        var target: Int
        var location: BasketLocation
        var local: Range<Int>
        var record: Int?
        var raw: RawBasket?
        var arenaOffset = 0
        var arenaCount = 0
    }

    /// A decoded basket: entry count, data length in the arena, offsets and the planned slice.
    struct Decoded: Sendable {
        var entries: Int
        var length: Int
        var byteOffsets: [Int32]?
        var plan: SlicePlan
    }

    /// Reads every selected branch over `entries`.
    ///
    /// Phase 1 plans and reads the records of all needed baskets. Phase 2 (parallel over baskets) decompresses
    /// them into one reusable arena and measures each slice. Phase 3 (parallel over columns) allocates each

    /// Adds a batch read by a delegated reader (RNTuple, table) to the read statistics.
    private func counted(_ batch: ColumnBatch, fetched: Int64) -> ColumnBatch {
        let decodedBytes = batch.columns.reduce(Int64(0)) { $0 + Int64($1.values.count * $1.type.byteSize) }
        counters.withLock { s in
            s.compressedBytes += fetched
            s.decodedBytes += decodedBytes
            s.entries += Int64(batch.entryCount)
            s.chunks += 1
        }
        return batch
    }
    /// column once and byte-swaps the slices into it.
    public func read(entries: Range<Int64>) async throws -> ColumnBatch {
        guard entries.lowerBound >= 0, entries.upperBound <= tree.entries else {
            throw ROOTIOError.malformed(file: tree.file.name, object: "tree '\(tree.path)'", offset: 0,
                                        reason: "entry range \(entries) outside 0..<\(tree.entries)")
        }
        if let tableReader {
            let (batch, fetched) = try await tableReader.read(entries: entries)
            return counted(batch, fetched: fetched)
        }
        if let ntupleReader {
            let (batch, fetched) = try await ntupleReader.read(entries: entries)
            return counted(batch, fetched: fetched)
        }
        let (jobs, ranges, records, jobsPerTarget, arenaSize) = try await prepare(entries)
        counters.withLock { s in
            s.compressedBytes += Int64(ranges.reduce(0) { $0 + $1.count })
            s.chunks += 1
        }
        let arena = arenas.take(capacity: arenaSize)
        defer { arenas.give(arena) }
        let plan = jobs
        let decoded = try await decodeAll(plan, records: records, arena: arena, chunkEnd: entries.upperBound)

        var keep: [Int: (index: Int, basket: RawBasket)] = [:]
        for (j, job) in plan.enumerated() where job.location.entryEnd > entries.upperBound {
            if let raw = job.raw {
                keep[job.target] = (job.location.index, raw)
            } else if let d = decoded[j] {
                let data = Array(UnsafeRawBufferPointer(start: arena.pointer.pointer + job.arenaOffset, count: d.length))
                keep[job.target] = (job.location.index, RawBasket(entries: d.entries, data: data, byteOffsets: d.byteOffsets))
            }
        }
        carried.withLock { $0 = keep }

        let count = Int(entries.count)
        let columns = try await assembleAll(plan, decoded: decoded, jobsPerTarget: jobsPerTarget, arena: arena,
                                            start: entries.lowerBound, count: count)
        let decodedBytes = columns.reduce(Int64(0)) { $0 + Int64($1.values.count * $1.type.byteSize) }
        counters.withLock { $0.decodedBytes += decodedBytes; $0.entries += Int64(count) }
        return ColumnBatch(entryStart: entries.lowerBound, entryCount: count, columns: columns)
    }

    /// Phase 1: the baskets a chunk needs, their records read in one coalesced request set, and the arena layout.
    private func prepare(_ entries: Range<Int64>) async throws
        -> (jobs: [Job], ranges: [ByteRange], records: [ArraySlice<UInt8>], jobsPerTarget: [[Int]], arenaSize: Int)
    {
        let carriedNow = carried.withLock { $0 }
        var jobs: [Job] = []
        var ranges: [ByteRange] = []
        var jobsPerTarget = [[Int]](repeating: [], count: targets.count)
        for (t, target) in targets.enumerated() {
            var covered = 0
            for loc in target.table.overlapping(entries) {
                let lo = Int(max(entries.lowerBound, loc.firstEntry) - loc.firstEntry)
                let hi = Int(min(entries.upperBound, loc.entryEnd) - loc.firstEntry)
                covered += hi - lo
                var job = Job(target: t, location: loc, local: lo..<hi)
                if let c = carriedNow[t], c.index == loc.index {
                    job.raw = c.basket
                } else {
                    switch loc.storage {
                    case let .disk(r):
                        job.record = ranges.count
                        ranges.append(r)
                    case let .embedded(j):
                        let e = target.branch.embeddedBaskets[j]
                        job.raw = RawBasket(entries: e.entries, data: e.data, byteOffsets: e.byteOffsets)
                    }
                }
                jobsPerTarget[t].append(jobs.count)
                jobs.append(job)
            }
            guard covered == entries.count else {
                throw ROOTIOError.malformed(file: tree.file.name, object: "branch '\(target.branch.name)'", offset: 0,
                                            reason: "its baskets hold \(covered) of the \(entries.count) entries \(entries)")
            }
        }
        let records = try await tree.file.source.read(ranges: ranges)
        var arenaSize = 0
        for j in jobs.indices {
            if let r = jobs[j].record {
                let sizes = try BasketDecoder.sizes(of: records[r], at: ranges[r].offset, branch: targets[jobs[j].target].branch,
                                                    file: tree.file.name)
                guard sizes.objlen >= 0, sizes.stored >= 0, sizes.objlen <= 1 << 30 else {
                    throw ROOTIOError.malformed(file: tree.file.name, object: "basket of branch '\(targets[jobs[j].target].branch.name)'",
                                                offset: ranges[r].offset, reason: "fObjlen \(sizes.objlen), stored \(sizes.stored)")
                }
                try BasketDecoder.validateFraming(records[r], sizes: sizes, at: ranges[r].offset,
                                                  branch: targets[jobs[j].target].branch, file: tree.file.name)
                jobs[j].arenaCount = sizes.objlen
            }
            jobs[j].arenaOffset = arenaSize
            arenaSize += (jobs[j].arenaCount + 15) & ~15
        }
        return (jobs, ranges, records, jobsPerTarget, arenaSize)
    }

    /// Benchmark floor: reads and decompresses the baskets of `entries` as `read` does, without decoding
    /// values. Baskets that start before `entries` are skipped unless `includeStraddling` (a chunked loop
    /// passes true only for its first chunk, so every basket is counted once). Returns decompressed bytes.
    public func decompressOnly(entries: Range<Int64>, includeStraddling: Bool = true) async throws -> Int64 {
        if let ntupleReader {
            let (batch, _) = try await ntupleReader.read(entries: entries)
            return batch.columns.reduce(Int64(0)) { $0 + Int64($1.values.count * $1.type.byteSize) }
        }
        if let tableReader {
            let (batch, _) = try await tableReader.read(entries: entries)
            return batch.columns.reduce(Int64(0)) { $0 + Int64($1.values.count * $1.type.byteSize) }
        }
        let (all, _, records, _, arenaSize) = try await prepare(entries)
        let jobs = all.filter { includeStraddling || $0.location.firstEntry >= entries.lowerBound }
        let arena = arenas.take(capacity: arenaSize)
        defer { arenas.give(arena) }
        let base = arena.pointer
        let queue = JobQueue()
        return try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<min(threads, jobs.count) {
                group.addTask { [self] in
                    var bytes: Int64 = 0
                    while let j = queue.take(below: jobs.count) {
                        let job = jobs[j]
                        guard let r = job.record, case let .disk(range) = job.location.storage else { continue }
                        let out = UnsafeMutableRawBufferPointer(start: base.pointer + job.arenaOffset, count: job.arenaCount)
                        _ = try BasketDecoder.decode(record: records[r], at: range.offset, branch: targets[job.target].branch,
                                                     expectedEntries: job.location.entryCount, file: tree.file.name,
                                                     into: out)
                        bytes += Int64(job.arenaCount)
                    }
                    return bytes
                }
            }
            return try await group.reduce(0, +)
        }
    }

    /// Phase 2: decompress every basket into the arena and plan its slice (workers pull baskets from a queue).
    private func decodeAll(_ jobs: [Job], records: [ArraySlice<UInt8>], arena: Arena, chunkEnd: Int64) async throws
        -> [Decoded?]
    {
        let queue = JobQueue()
        let base = arena.pointer
        var decoded = [Decoded?](repeating: nil, count: jobs.count)
        try await withThrowingTaskGroup(of: [(Int, Decoded)].self) { group in
            for _ in 0..<min(threads, jobs.count) {
                group.addTask { [self] in
                    var results: [(Int, Decoded)] = []
                    while let j = queue.take(below: jobs.count) {
                        try Task.checkCancellation()
                        results.append((j, try await decodeOne(jobs[j], records: records, base: base)))
                    }
                    return results
                }
            }
            for try await results in group { for (j, d) in results { decoded[j] = d } }
        }
        return decoded
    }

    private func decodeOne(_ job: Job, records: [ArraySlice<UInt8>], base: ArenaPointer) async throws -> Decoded {
        let t = targets[job.target]
        let context = "basket \(job.location.index) of branch '\(t.branch.name)'"
        let entries: Int
        let length: Int
        let offsets: [Int32]?
        if let raw = job.raw {
            (entries, length, offsets) = (raw.entries, raw.data.count, raw.byteOffsets)
        } else if let r = job.record, case let .disk(range) = job.location.storage {
            let out = UnsafeMutableRawBufferPointer(start: base.pointer + job.arenaOffset, count: job.arenaCount)
            (entries, length, offsets) = try BasketDecoder.decode(record: records[r], at: range.offset, branch: t.branch,
                                                                  expectedEntries: job.location.entryCount,
                                                                  file: tree.file.name, into: out)
        } else {
            throw ROOTIOError.malformed(file: tree.file.name, object: context, offset: 0, reason: "basket has no bytes")
        }
        if let objects = try objectSlice(t, job, base: base, entries: entries, length: length, offsets: offsets,
                                         context: context) { return objects }
        var generated: [Int32]?
        if t.interpretation.kind == .jagged, offsets == nil, entries > 0, length > 0 {
            generated = try await counterValues(for: t, entries: job.location.firstEntry..<job.location.entryEnd)
        }
        let plan = try BasketExtractor.plan(entries: entries, dataCount: length, byteOffsets: offsets, slice: job.local,
                                            as: t.interpretation, generatedCounts: generated, context: context,
                                            file: tree.file.name)
        return Decoded(entries: entries, length: length, byteOffsets: offsets, plan: plan)
    }

    /// Phase 3: one typed array per column, filled slice by slice (workers pull columns from a queue).
    private func assembleAll(_ jobs: [Job], decoded: [Decoded?], jobsPerTarget: [[Int]], arena: Arena, start: Int64,
                             count: Int) async throws -> [Column]
    {
        let queue = JobQueue()
        let base = arena.pointer
        var columns = [Column?](repeating: nil, count: targets.count)
        try await withThrowingTaskGroup(of: [(Int, Column)].self) { group in
            for _ in 0..<min(threads, targets.count) {
                group.addTask { [self] in
                    var results: [(Int, Column)] = []
                    while let t = queue.take(below: targets.count) {
                        let parts = jobsPerTarget[t].map { j in
                            Part(job: jobs[j], plan: decoded[j]!.plan)
                        }
                        results.append((t, assemble(t, parts: parts, base: base, start: start, count: count)))
                    }
                    return results
                }
            }
            for try await results in group { for (t, c) in results { columns[t] = c } }
        }
        return columns.map { $0! }
    }

    struct Part {
        var job: Job
        var plan: SlicePlan
    }

    private func assemble(_ t: Int, parts: [Part], base: ArenaPointer, start: Int64, count: Int) -> Column {
        if let column = objectColumn(t, parts: parts, start: start, count: count) { return column }
        let interp = targets[t].interpretation
        let values: ColumnValues
        switch interp.type {
        case .bool: values = fill(Bool.self, parts, interp, base)
        case .int8: values = fill(Int8.self, parts, interp, base)
        case .uint8: values = fill(UInt8.self, parts, interp, base)
        case .int16: values = fill(Int16.self, parts, interp, base)
        case .uint16: values = fill(UInt16.self, parts, interp, base)
        case .int32: values = fill(Int32.self, parts, interp, base)
        case .uint32: values = fill(UInt32.self, parts, interp, base)
        case .int64: values = fill(Int64.self, parts, interp, base)
        case .uint64: values = fill(UInt64.self, parts, interp, base)
        case .float32: values = fill(Float.self, parts, interp, base)
        case .float64: values = fill(Double.self, parts, interp, base)
        }
        var offsets: [Int64]?
        if interp.kind == .jagged {
            offsets = [Int64](unsafeUninitializedCapacity: count + 1) { o, n in
                o[0] = 0
                var k = 0
                var acc: Int64 = 0
                for p in parts {
                    for c in p.plan.counts ?? [] {
                        acc += Int64(c)
                        k += 1
                        o[k] = acc
                    }
                }
                n = k + 1
            }
        }
        return Column(name: targets[t].branch.name, type: interp.type, kind: interp.kind, shape: interp.shape,
                      entryStart: start, entryCount: count, values: values, offsets: offsets)
    }

    private func fill<T: ColumnScalar>(_: T.Type, _ parts: [Part], _ interp: BranchInterpretation, _ base: ArenaPointer)
        -> ColumnValues
    {
        let total = parts.reduce(0) { $0 + $1.plan.valueCount }
        let array = [T](unsafeUninitializedCapacity: total) { out, n in
            var at = 0
            for p in parts {
                if let raw = p.job.raw {
                    raw.data.withUnsafeBytes { d in
                        if let b = d.baseAddress { BasketExtractor.copy(b, p.plan, interp, into: out.baseAddress! + at) }
                    }
                } else {
                    BasketExtractor.copy(base.pointer + p.job.arenaOffset, p.plan, interp, into: out.baseAddress! + at)
                }
                at += p.plan.valueCount
            }
            n = total
        }
        return T.wrap(array)
    }

    /// Counter-branch values, to rebuild the offsets of baskets written without an offset table.
    private func counterValues(for t: Target, entries: Range<Int64>) async throws -> [Int32] {
        guard let name = t.interpretation.counter else {
            throw ROOTIOError.malformed(file: tree.file.name, object: "branch '\(t.branch.name)'", offset: 0,
                                        reason: "jagged basket without entry offsets and without a counter branch")
        }
        let counter = try tree.counterBranch(named: name, of: t.branch)
        let batch = try await TreeReader(tree: tree, branches: [counter], threads: 1).read(entries: entries)
        let v = batch.columns[0].values
        return (0..<v.count).map { Int32(clamping: Int64(v.double(at: $0))) }
    }
}

/// A raw pointer that decoding workers write through at disjoint offsets.
struct ArenaPointer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}

/// A growable block of memory reused for the decompressed baskets of successive chunks. It is mapped
/// directly (with transparent huge pages where the kernel allows them), so refilling it costs no page faults.
final class Arena: @unchecked Sendable {
    private(set) var pointer: ArenaPointer
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = 0
        pointer = ArenaPointer(pointer: UnsafeMutableRawPointer(bitPattern: 16)!)
        reserve(max(capacity, 1 << 20))
    }

    func reserve(_ n: Int) {
        guard n > abs(capacity) else { return }
        release()
        let size = (n + (2 << 20) - 1) & ~((2 << 20) - 1)
        if let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED {
            _ = madvise(p, size, 14)  // MADV_HUGEPAGE
            pointer = ArenaPointer(pointer: p)
            capacity = size
        } else {
            pointer = ArenaPointer(pointer: .allocate(byteCount: size, alignment: 16))
            capacity = -size
        }
    }

    private func release() {
        if capacity > 0 { munmap(pointer.pointer, capacity) } else if capacity < 0 { pointer.pointer.deallocate() }
    }

    deinit { release() }
}

/// Lends arenas to concurrent `read` calls, keeping one for reuse.
final class ArenaPool: Sendable {
    private let spare = Mutex<Arena?>(nil)

    func take(capacity: Int) -> Arena {
        let arena = spare.withLock { s -> Arena? in
            defer { s = nil }
            return s
        } ?? Arena(capacity: capacity)
        arena.reserve(capacity)
        return arena
    }

    func give(_ arena: Arena) { spare.withLock { $0 = arena } }
}

/// Hands out job indices to the decoding workers.
final class JobQueue: Sendable {
    private let next = Atomic<Int>(0)

    func take(below limit: Int) -> Int? {
        let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return i < limit ? i : nil
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

/// The chunks of a `TreeReader`, read in order. With read-ahead the next chunk is fetched and decoded
/// while the caller works on the current one (at most two chunks in memory), which hides remote latency.
public struct ChunkSequence: AsyncSequence, Sendable {
    public typealias Element = ColumnBatch
    let reader: TreeReader
    public let ranges: [Range<Int64>]
    public var readAhead = true

    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: TreeReader
        let ranges: [Range<Int64>]
        let readAhead: Bool
        var index = 0
        var pending: Task<ColumnBatch, Error>?

        public mutating func next() async throws -> ColumnBatch? {
            guard index < ranges.count else { return nil }
            let reader = self.reader
            let current = pending ?? Task { [range = ranges[index]] in try await reader.read(entries: range) }
            index += 1
            pending = nil
            let batch: ColumnBatch
            do {
                batch = try await withTaskCancellationHandler { try await current.value } onCancel: { current.cancel() }
            } catch {
                index = ranges.count
                throw error
            }
            if readAhead, index < ranges.count {
                pending = Task { [range = ranges[index]] in try await reader.read(entries: range) }
            }
            return batch
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader, ranges: ranges, readAhead: readAhead) }
}
