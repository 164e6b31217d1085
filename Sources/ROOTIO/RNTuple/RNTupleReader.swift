import Synchronization

/// Reads planned fields of an RNTuple over entry ranges as typed columns: the pages a chunk needs are
/// fetched in one coalesced request set, verified, decompressed and decoded in parallel, then sliced.
final class RNTupleReader: Sendable {
    let ntuple: RNTuple
    let plans: [RNTupleFieldPlan]
    let source: ByteSource
    let threads: Int

    init(ntuple: RNTuple, plans: [RNTupleFieldPlan], source: ByteSource, threads: Int) {
        self.ntuple = ntuple
        self.plans = plans
        self.source = source
        self.threads = max(1, threads)
    }

    /// A page of a physical column in a cluster.
    struct PageKey: Hashable, Sendable {
        var cluster: Int
        var column: Int
        var page: Int
    }

    /// The largest decoded page accepted (ROOT writes pages of about 1 MiB or less).
    static let maxDecodedPage = 256 << 20

    /// Decoded page values (the column's decoded type, native byte order).
    typealias Pages = [PageKey: [UInt8]]

    /// Reads `entries`; returns the columns and the bytes fetched from the source.
    func read(entries: Range<Int64>) async throws -> (ColumnBatch, Int64) {
        let clusters = ntuple.clusters.indices.filter {
            ntuple.clusters[$0].firstEntry < entries.upperBound && ntuple.clusters[$0].entryEnd > entries.lowerBound
        }
        var pages: Pages = [:]
        var fetched: Int64 = 0
        // Round 1: value columns of flat fields and index columns of collections.
        var wanted = Set<PageKey>()
        for plan in plans {
            for k in clusters {
                let (lo, hi) = local(entries, k)
                switch plan.shape {
                case .values:
                    let col = try primary(plan.value, k, plan)
                    addPages(col, k, Int64(lo) * Int64(plan.repeatCount)..<Int64(hi) * Int64(plan.repeatCount), into: &wanted)
                case .jagged, .cardinality:
                    let col = try primary(plan.index, k, plan)
                    addPages(col, k, Int64(max(0, lo - 1))..<Int64(hi), into: &wanted)
                }
            }
        }
        fetched += try await load(wanted, into: &pages)
        // Round 2: value columns of collections, whose element ranges come from the offsets.
        var valueRanges: [[Int: Range<Int64>]] = Array(repeating: [:], count: plans.count)
        wanted = []
        for (p, plan) in plans.enumerated() where plan.shape == .jagged {
            for k in clusters {
                let (lo, hi) = local(entries, k)
                let ends = try elements(Int64.self, column: try primary(plan.index, k, plan), cluster: k,
                                        range: Int64(max(0, lo - 1))..<Int64(hi), pages: pages, plan: plan)
                let start = lo > 0 ? ends[0] : 0
                let end = ends.last ?? 0
                guard start >= 0, start <= end else {
                    throw ROOTIOError.malformed(file: source.name, object: "field '\(plan.name)' cluster \(k)", offset: 0,
                                                reason: "collection offsets \(start)...\(end) decrease")
                }
                let valueColumn = try primary(plan.value, k, plan)
                let available = Int64(ntuple.clusters[k].columns[valueColumn].elements)
                guard end <= available / Int64(plan.repeatCount) else {
                    throw ROOTIOError.malformed(file: source.name, object: "field '\(plan.name)' cluster \(k)", offset: 0,
                                                reason: "collection offset \(end) beyond the \(available) stored values")
                }
                let r = start * Int64(plan.repeatCount)..<end * Int64(plan.repeatCount)
                valueRanges[p][k] = r
                addPages(valueColumn, k, r, into: &wanted)
            }
        }
        fetched += try await load(wanted.subtracting(pages.keys), into: &pages)
        let count = Int(entries.count)
        var columns: [Column] = []
        columns.reserveCapacity(plans.count)
        for (p, plan) in plans.enumerated() {
            columns.append(try assemble(plan, clusters: clusters, entries: entries, pages: pages, valueRanges: valueRanges[p],
                                        count: count))
        }
        return (ColumnBatch(entryStart: entries.lowerBound, entryCount: count, columns: columns), fetched)
    }

    /// Cluster-local entry range of `entries` in cluster `k`.
    private func local(_ entries: Range<Int64>, _ k: Int) -> (Int, Int) {
        let c = ntuple.clusters[k]
        return (Int(max(entries.lowerBound, c.firstEntry) - c.firstEntry), Int(min(entries.upperBound, c.entryEnd) - c.firstEntry))
    }

    /// The representation's column that is not suppressed in cluster `k`.
    private func primary(_ ids: [Int], _ k: Int, _ plan: RNTupleFieldPlan) throws -> Int {
        let columns = ntuple.clusters[k].columns
        guard let id = ids.first(where: { $0 < columns.count && !columns[$0].suppressed }) ?? ids.first else {
            throw ROOTIOError.malformed(file: source.name, object: "field '\(plan.name)'", offset: 0, reason: "no column")
        }
        return id
    }

    private func addPages(_ column: Int, _ k: Int, _ range: Range<Int64>, into set: inout Set<PageKey>) {
        guard !range.isEmpty else { return }
        let cr = ntuple.clusters[k].columns[column]
        for (i, _) in cr.pages.enumerated() {
            let s = Int64(cr.pageStarts[i]), e = Int64(cr.pageStarts[i + 1])
            if s < range.upperBound && e > range.lowerBound { set.insert(PageKey(cluster: k, column: column, page: i)) }
        }
    }

    /// Fetches, verifies and decodes `keys` (in parallel); returns the bytes read.
    private func load(_ keys: Set<PageKey>, into pages: inout Pages) async throws -> Int64 {
        let list = Array(keys)
        guard !list.isEmpty else { return 0 }
        var ranges: [ByteRange] = []
        ranges.reserveCapacity(list.count)
        for key in list {
            let info = ntuple.clusters[key.cluster].columns[key.column].pages[key.page]
            let n = info.location.count + (info.hasChecksum ? 8 : 0)
            guard info.location.offset >= 0, info.location.count >= 0, info.location.offset <= source.size,
                  Int64(n) <= source.size - info.location.offset
            else {
                throw ROOTIOError.truncated(file: source.name, object: pageName(key), offset: info.location.offset,
                                            needed: n, available: Int(max(0, source.size - max(0, info.location.offset))))
            }
            ranges.append(ByteRange(offset: info.location.offset, count: n))
        }
        let raws = try await source.read(ranges: ranges)
        let requested = ranges
        let queue = JobQueue()
        let decoded = try await withThrowingTaskGroup(of: [(PageKey, [UInt8])].self) { group in
            for _ in 0..<min(threads, list.count) {
                group.addTask { [self] in
                    var out: [(PageKey, [UInt8])] = []
                    while let i = queue.take(below: list.count) {
                        try Task.checkCancellation()
                        out.append((list[i], try decodePage(list[i], raw: raws[i], at: requested[i].offset)))
                    }
                    return out
                }
            }
            var all: [(PageKey, [UInt8])] = []
            for try await part in group { all += part }
            return all
        }
        for (k, v) in decoded { pages[k] = v }
        return Int64(ranges.reduce(0) { $0 + $1.count })
    }

    private func pageName(_ key: PageKey) -> String {
        let col = ntuple.schema.columns[key.column]
        let field = ntuple.schema.fields[col.fieldId].name
        return "RNTuple '\(ntuple.path)' field '\(field)' column \(key.column) cluster \(key.cluster) page \(key.page)"
    }

    private func decodePage(_ key: PageKey, raw: ArraySlice<UInt8>, at offset: Int64) throws -> [UInt8] {
        let info = ntuple.clusters[key.cluster].columns[key.column].pages[key.page]
        let column = ntuple.schema.columns[key.column]
        let object = pageName(key)
        guard let type = column.type, let decodedType = type.decodedType,
              let bits = type.bitsPerElement(declared: column.bitsOnStorage)
        else {
            throw ROOTIOError.unsupported(file: source.name, object: object, reason: "column type \(column.rawType)")
        }
        let stored = raw.prefix(info.location.count)
        if info.hasChecksum {
            let expected = raw.suffix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            let found = stored.withUnsafeBytes { XXHash.xxh3($0) }
            guard expected == found else {
                throw ROOTIOError.checksumMismatch(file: source.name, object: object, offset: offset, expected: expected, found: found)
            }
        }
        let (bitCount, overflow) = info.elements.multipliedReportingOverflow(by: bits)
        guard !overflow, bitCount / 8 <= 1 << 30 else {
            throw ROOTIOError.malformed(file: source.name, object: object, offset: offset, reason: "\(info.elements) elements")
        }
        guard info.elements * decodedType.byteSize <= Self.maxDecodedPage else {
            throw ROOTIOError.malformed(file: source.name, object: object, offset: offset,
                                        reason: "page of \(info.elements) elements (more than \(Self.maxDecodedPage) bytes decoded)")
        }
        let size = (bitCount + 7) / 8
        let bytes = try RNTuplePage.inflate(stored, uncompressedSize: size, file: source.name, object: object, fileOffset: offset)
        var out = [UInt8](repeating: 0, count: info.elements * decodedType.byteSize)
        bytes.withUnsafeBytes { page in
            out.withUnsafeMutableBytes { o in
                if let base = o.baseAddress {
                    RNTuplePage.decode(page, count: info.elements, column: column, type: type, into: base)
                }
            }
        }
        return out
    }

    /// Elements `range` (cluster-local) of `column` in cluster `k` as `T` (which must be the decoded type's layout).
    private func elements<T>(_: T.Type, column: Int, cluster k: Int, range: Range<Int64>, pages: Pages,
                             plan: RNTupleFieldPlan) throws -> [T] {
        var out: [T] = []
        try forEachSlice(column: column, cluster: k, range: range, pages: pages, plan: plan, width: MemoryLayout<T>.stride) { bytes in
            bytes.withMemoryRebound(to: T.self) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Calls `body` with the decoded bytes of consecutive parts of `range`.
    private func forEachSlice(column: Int, cluster k: Int, range: Range<Int64>, pages: Pages, plan: RNTupleFieldPlan, width: Int,
                              _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !range.isEmpty else { return }
        let cr = ntuple.clusters[k].columns[column]
        guard range.upperBound <= Int64(cr.elements) else {
            throw ROOTIOError.malformed(file: source.name, object: "field '\(plan.name)' column \(column) cluster \(k)", offset: 0,
                                        reason: "needs elements \(range), the cluster's pages hold \(cr.elements)")
        }
        for i in cr.pages.indices {
            let s = Int64(cr.pageStarts[i]), e = Int64(cr.pageStarts[i + 1])
            let lo = max(s, range.lowerBound), hi = min(e, range.upperBound)
            guard lo < hi else { continue }
            guard let page = pages[PageKey(cluster: k, column: column, page: i)] else {
                throw ROOTIOError.malformed(file: source.name, object: "field '\(plan.name)'", offset: 0, reason: "page \(i) not loaded")
            }
            try page.withUnsafeBytes { p in
                try body(UnsafeRawBufferPointer(rebasing: p[Int(lo - s) * width..<Int(hi - s) * width]))
            }
        }
    }

    private func assemble(_ plan: RNTupleFieldPlan, clusters: [Int], entries: Range<Int64>, pages: Pages,
                          valueRanges: [Int: Range<Int64>], count: Int) throws -> Column {
        let interp = plan.interpretation
        var offsets: [Int64]?
        var lengths: [Int64] = []
        if plan.shape != .values {
            var o: [Int64] = [0]
            o.reserveCapacity(count + 1)
            for k in clusters {
                let (lo, hi) = local(entries, k)
                let ends = try elements(Int64.self, column: try primary(plan.index, k, plan), cluster: k,
                                        range: Int64(max(0, lo - 1))..<Int64(hi), pages: pages, plan: plan)
                var previous = lo > 0 ? ends[0] : 0
                for e in ends.dropFirst(lo > 0 ? 1 : 0) {
                    guard e >= previous else {
                        throw ROOTIOError.malformed(file: source.name, object: "field '\(plan.name)' cluster \(k)", offset: 0,
                                                    reason: "collection offsets decrease")
                    }
                    let (next, overflow) = o[o.count - 1].addingReportingOverflow(e - previous)
                    guard !overflow else {
                        throw ROOTIOError.malformed(file: source.name, object: "field '\(plan.name)' cluster \(k)", offset: 0,
                                                    reason: "collection offsets overflow")
                    }
                    o.append(next)
                    previous = e
                }
            }
            if plan.shape == .cardinality {
                lengths = (0..<count).map { o[$0 + 1] - o[$0] }
            } else {
                offsets = o
            }
        }
        let values: ColumnValues
        if plan.shape == .cardinality {
            values = .int64(lengths)
        } else {
            var parts: [(column: Int, cluster: Int, range: Range<Int64>)] = []
            for k in clusters {
                let (lo, hi) = local(entries, k)
                let r = plan.shape == .jagged ? valueRanges[k] ?? 0..<0
                    : Int64(lo) * Int64(plan.repeatCount)..<Int64(hi) * Int64(plan.repeatCount)
                parts.append((try primary(plan.value, k, plan), k, r))
            }
            values = try gather(plan, parts: parts, pages: pages)
        }
        return Column(name: plan.name, type: interp.type, kind: interp.kind, shape: interp.shape, entryStart: entries.lowerBound,
                      entryCount: count, values: values, offsets: offsets)
    }

    /// The value elements of all parts, converted to the field's type.
    private func gather(_ plan: RNTupleFieldPlan, parts: [(column: Int, cluster: Int, range: Range<Int64>)], pages: Pages) throws
        -> ColumnValues
    {
        switch plan.interpretation.type {
        case .bool: return .bool(try gather(Bool.self, plan, parts, pages))
        case .int8: return .int8(try gather(Int8.self, plan, parts, pages))
        case .uint8: return .uint8(try gather(UInt8.self, plan, parts, pages))
        case .int16: return .int16(try gather(Int16.self, plan, parts, pages))
        case .uint16: return .uint16(try gather(UInt16.self, plan, parts, pages))
        case .int32: return .int32(try gather(Int32.self, plan, parts, pages))
        case .uint32: return .uint32(try gather(UInt32.self, plan, parts, pages))
        case .int64: return .int64(try gather(Int64.self, plan, parts, pages))
        case .uint64: return .uint64(try gather(UInt64.self, plan, parts, pages))
        case .float32: return .float32(try gather(Float.self, plan, parts, pages))
        case .float64: return .float64(try gather(Double.self, plan, parts, pages))
        }
    }

    private func gather<T: RNTupleConvertible>(_: T.Type, _ plan: RNTupleFieldPlan,
                                               _ parts: [(column: Int, cluster: Int, range: Range<Int64>)], _ pages: Pages) throws -> [T]
    {
        let total = parts.reduce(0) { $0 + $1.range.count }
        var out: [T] = []
        out.reserveCapacity(total)
        for part in parts {
            guard let stored = ntuple.schema.columns[part.column].type?.decodedType else { continue }
            try forEachSlice(column: part.column, cluster: part.cluster, range: part.range, pages: pages, plan: plan,
                             width: stored.byteSize) { bytes in
                if stored == T.scalarType {
                    bytes.withMemoryRebound(to: T.self) { out.append(contentsOf: $0) }
                } else {
                    T.appendConverting(bytes, from: stored, to: &out)
                }
            }
        }
        return out
    }
}

/// Column scalars that can be filled from another decoded column type (a `double` field stored as
/// float32, integers stored in a narrower or wider column, bools from bytes).
protocol RNTupleConvertible: ColumnScalar {
    init(rntupleInteger: Int64)
    init(rntupleReal: Double)
}

extension RNTupleConvertible {
    static func appendConverting(_ bytes: UnsafeRawBufferPointer, from type: ScalarType, to out: inout [Self]) {
        let n = bytes.count / type.byteSize
        for i in 0..<n {
            switch type {
            case .bool, .uint8: out.append(Self(rntupleInteger: Int64(bytes.load(fromByteOffset: i, as: UInt8.self))))
            case .int8: out.append(Self(rntupleInteger: Int64(bytes.load(fromByteOffset: i, as: Int8.self))))
            case .int16: out.append(Self(rntupleInteger: Int64(bytes.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))))
            case .uint16: out.append(Self(rntupleInteger: Int64(bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
            case .int32: out.append(Self(rntupleInteger: Int64(bytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))))
            case .uint32: out.append(Self(rntupleInteger: Int64(bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
            case .int64: out.append(Self(rntupleInteger: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
            case .uint64:
                out.append(Self(rntupleInteger: Int64(bitPattern: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            case .float32: out.append(Self(rntupleReal: Double(bytes.loadUnaligned(fromByteOffset: 4 * i, as: Float.self))))
            case .float64: out.append(Self(rntupleReal: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)))
            }
        }
    }
}

extension Bool: RNTupleConvertible {
    init(rntupleInteger v: Int64) { self = v != 0 }
    init(rntupleReal v: Double) { self = v != 0 }
}
extension Float: RNTupleConvertible {
    init(rntupleInteger v: Int64) { self = Float(v) }
    init(rntupleReal v: Double) { self = Float(v) }
}
extension Double: RNTupleConvertible {
    init(rntupleInteger v: Int64) { self = Double(v) }
    init(rntupleReal v: Double) { self = v }
}
extension Int8: RNTupleConvertible {}
extension UInt8: RNTupleConvertible {}
extension Int16: RNTupleConvertible {}
extension UInt16: RNTupleConvertible {}
extension Int32: RNTupleConvertible {}
extension UInt32: RNTupleConvertible {}
extension Int64: RNTupleConvertible {}
extension UInt64: RNTupleConvertible {}

extension RNTupleConvertible where Self: FixedWidthInteger {
    init(rntupleInteger v: Int64) { self = Self(truncatingIfNeeded: v) }
    init(rntupleReal v: Double) { self = v.isFinite ? Self(clamping: Int64(Swift.max(-9.2e18, Swift.min(9.2e18, v)))) : 0 }
}
