import Synchronization

/// Reads planned fields of an RNTuple over entry ranges as typed columns: the pages a chunk needs are
/// fetched in one coalesced request set, verified, decompressed and decoded in parallel, then sliced.
final class RNTupleReader: Sendable {
    let ntuple: RNTuple
    let plans: [RNTupleFieldPlan]
    let source: ByteSource
    let threads: Int
    /// Pages kept between consecutive reads (see `RNTuplePageCarry`): unpacked value pages and decoded index pages.
    private let carriedValues = RNTuplePageCarry()
    private let carriedIndex = RNTuplePageCarry()

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
    typealias Pages = [PageKey: ArraySlice<UInt8>]

    /// Reads `entries`; returns the columns and the bytes fetched from the source.
    func read(entries: Range<Int64>) async throws -> (ColumnBatch, Int64) {
        let clusters = ntuple.clusters.indices.filter {
            ntuple.clusters[$0].firstEntry < entries.upperBound && ntuple.clusters[$0].entryEnd > entries.lowerBound
        }
        var pages: Pages = [:]
        var fetched: Int64 = 0
        // Round 1: index columns of collections, decoded whole (they are small and shared by projected fields).
        var wanted = Set<PageKey>()
        var lastIndexPages = Set<PageKey>()
        for plan in plans where plan.shape != .values {
            for k in clusters {
                let (lo, hi) = local(entries, k)
                let column = try primary(plan.index, k, plan)
                addPages(column, k, Int64(max(0, lo - 1))..<Int64(hi), into: &wanted)
                if let last = page(containing: Int64(hi) - 1, column: column, cluster: k) { lastIndexPages.insert(last) }
            }
        }
        for key in wanted { if let kept = carriedIndex.bytes(key) { pages[key] = kept } }
        fetched += try await load(wanted.subtracting(pages.keys), into: &pages)
        let nextIndex = RNTuplePageCarry()
        for key in lastIndexPages { if let bytes = pages[key] { nextIndex.keep(key, bytes) } }
        // Round 2: value columns; a collection's element ranges come from its offsets. Their pages are fetched
        // compressed and decoded straight into the output columns.
        var valueRanges: [[Int: Range<Int64>]] = Array(repeating: [:], count: plans.count)
        wanted = []
        for (p, plan) in plans.enumerated() where plan.shape != .cardinality {
            for k in clusters {
                let (lo, hi) = local(entries, k)
                if plan.shape == .values {
                    let r = Int64(lo) * Int64(plan.repeatCount)..<Int64(hi) * Int64(plan.repeatCount)
                    valueRanges[p][k] = r
                    addPages(try primary(plan.value, k, plan), k, r, into: &wanted)
                    continue
                }
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
        var kept: RawPages = [:]
        for key in wanted { if let bytes = carriedValues.bytes(key) { kept[key] = StoredPage(bytes: bytes, offset: 0, unpacked: true) } }
        var raw = try await fetch(wanted.subtracting(kept.keys))
        fetched += raw.bytes
        raw.pages.merge(kept) { new, _ in new }
        let nextValues = RNTuplePageCarry()
        let count = Int(entries.count)
        var collections: [[Int]: [Int64]] = [:]
        for plan in plans where plan.shape != .values && collections[plan.index] == nil {
            collections[plan.index] = try collectionOffsets(plan, clusters: clusters, entries: entries, pages: pages, count: count)
        }
        let offsets = collections
        let ranges = valueRanges
        let stored = raw.pages
        let queue = JobQueue()
        let built = try await withThrowingTaskGroup(of: [(Int, Column)].self) { group in
            for _ in 0..<min(threads, plans.count) {
                group.addTask { [self] in
                    let scratch = (page: PageScratch(), converted: PageScratch())
                    var out: [(Int, Column)] = []
                    while let p = queue.take(below: plans.count) {
                        try Task.checkCancellation()
                        out.append((p, try assemble(plans[p], entries: entries, collections: offsets, raw: stored,
                                                    valueRanges: ranges[p], count: count, scratch: scratch, keep: nextValues)))
                    }
                    return out
                }
            }
            var all = [Column?](repeating: nil, count: plans.count)
            for try await part in group { for (p, c) in part { all[p] = c } }
            return all
        }
        carriedIndex.replace(with: nextIndex)
        carriedValues.replace(with: nextValues)
        return (ColumnBatch(entryStart: entries.lowerBound, entryCount: count, columns: built.compactMap { $0 }), fetched)
    }

    /// A page as stored (with its checksum, `unpacked` false), or verified and decompressed already (kept from the
    /// previous read).
    struct StoredPage: Sendable {
        var bytes: ArraySlice<UInt8>
        var offset: Int64
        var unpacked: Bool
    }

    /// Pages by key.
    typealias RawPages = [PageKey: StoredPage]

    /// Fetches `keys` as stored, in one request set; returns them and the bytes read.
    private func fetch(_ keys: Set<PageKey>) async throws -> (pages: RawPages, bytes: Int64) {
        let list = Array(keys)
        let ranges = try list.map(byteRange)
        let raws = try await source.read(ranges: ranges)
        var out: RawPages = [:]
        out.reserveCapacity(list.count)
        for (i, key) in list.enumerated() { out[key] = StoredPage(bytes: raws[i], offset: ranges[i].offset, unpacked: false) }
        return (out, Int64(ranges.reduce(0) { $0 + $1.count }))
    }

    /// The stored bytes of a page (and its checksum), checked against the file size.
    private func byteRange(_ key: PageKey) throws -> ByteRange {
        let info = ntuple.clusters[key.cluster].columns[key.column].pages[key.page]
        let n = info.location.count + (info.hasChecksum ? 8 : 0)
        guard info.location.offset >= 0, info.location.count >= 0, info.location.offset <= source.size,
              Int64(n) <= source.size - info.location.offset
        else {
            throw ROOTIOError.truncated(file: source.name, object: pageName(key), offset: info.location.offset,
                                        needed: n, available: Int(max(0, source.size - max(0, info.location.offset))))
        }
        return ByteRange(offset: info.location.offset, count: n)
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

    /// The page of `column` in cluster `k` that holds element `element`.
    private func page(containing element: Int64, column: Int, cluster k: Int) -> PageKey? {
        guard element >= 0 else { return nil }
        let cr = ntuple.clusters[k].columns[column]
        for i in cr.pages.indices where Int64(cr.pageStarts[i]) <= element && element < Int64(cr.pageStarts[i + 1]) {
            return PageKey(cluster: k, column: column, page: i)
        }
        return nil
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
        let ranges = try list.map(byteRange)
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
        for (k, v) in decoded { pages[k] = v[...] }
        return Int64(ranges.reduce(0) { $0 + $1.count })
    }

    private func pageName(_ key: PageKey) -> String {
        let col = ntuple.schema.columns[key.column]
        let field = ntuple.schema.fields[col.fieldId].name
        return "RNTuple '\(ntuple.path)' field '\(field)' column \(key.column) cluster \(key.cluster) page \(key.page)"
    }

    /// A whole page decoded (index columns).
    private func decodePage(_ key: PageKey, raw: ArraySlice<UInt8>, at offset: Int64) throws -> [UInt8] {
        let scratch = PageScratch()
        return try withPage(key, raw: raw, at: offset, unpacked: false, scratch: scratch) { bytes, elements, column, type, decoded in
            [UInt8](unsafeUninitializedCapacity: elements * decoded.byteSize) { o, n in
                if let base = o.baseAddress {
                    RNTuplePage.decode(bytes, count: elements, column: column, type: type, into: UnsafeMutableRawPointer(base))
                }
                n = elements * decoded.byteSize
            }
        }
    }

    /// Calls `body` with the page's stored bytes verified (checksum) and decompressed into `scratch` (or as stored;
    /// or `raw` itself when `unpacked`), its element count, column, column type and decoded type.
    private func withPage<R>(_ key: PageKey, raw: ArraySlice<UInt8>, at offset: Int64, unpacked: Bool, scratch: PageScratch,
                             _ body: (UnsafeRawBufferPointer, Int, RNTupleColumn, RNTupleColumnType, ScalarType) throws -> R) throws -> R {
        let info = ntuple.clusters[key.cluster].columns[key.column].pages[key.page]
        let column = ntuple.schema.columns[key.column]
        guard let type = column.type, let decodedType = type.decodedType,
              let bits = type.bitsPerElement(declared: column.bitsOnStorage)
        else {
            throw ROOTIOError.unsupported(file: source.name, object: pageName(key), reason: "column type \(column.rawType)")
        }
        let stored = raw.prefix(info.location.count)
        if info.hasChecksum && !unpacked {
            let expected = raw.suffix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            let found = stored.withUnsafeBytes { XXHash.xxh3($0) }
            guard expected == found else {
                throw ROOTIOError.checksumMismatch(file: source.name, object: pageName(key), offset: offset, expected: expected, found: found)
            }
        }
        let (bitCount, overflow) = info.elements.multipliedReportingOverflow(by: bits)
        guard !overflow, bitCount / 8 <= 1 << 30 else {
            throw ROOTIOError.malformed(file: source.name, object: pageName(key), offset: offset, reason: "\(info.elements) elements")
        }
        guard info.elements * decodedType.byteSize <= Self.maxDecodedPage else {
            throw ROOTIOError.malformed(file: source.name, object: pageName(key), offset: offset,
                                        reason: "page of \(info.elements) elements (more than \(Self.maxDecodedPage) bytes decoded)")
        }
        let size = (bitCount + 7) / 8
        if unpacked {
            guard raw.count == size else {
                throw ROOTIOError.malformed(file: source.name, object: pageName(key), offset: offset, reason: "kept page of \(raw.count) bytes")
            }
            return try raw.withUnsafeBytes { try body($0, info.elements, column, type, decodedType) }
        }
        return try stored.withUnsafeBytes { (page: UnsafeRawBufferPointer) in
            if page.count == size { return try body(page, info.elements, column, type, decodedType) }
            try ROOTDecompressor.validate(page, uncompressedSize: size, file: source.name, object: pageName(key), fileOffset: offset)
            let out = UnsafeMutableRawBufferPointer(start: scratch.bytes(size), count: size)
            try ROOTDecompressor.decompress(page, into: out, file: source.name, object: pageName(key), fileOffset: offset)
            return try body(UnsafeRawBufferPointer(out), info.elements, column, type, decodedType)
        }
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

    /// Offsets (from 0) of the entries' collections, from the index column of `plan`; shared by every field
    /// projected onto the same collection.
    private func collectionOffsets(_ plan: RNTupleFieldPlan, clusters: [Int], entries: Range<Int64>, pages: Pages,
                                   count: Int) throws -> [Int64] {
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
        return o
    }

    /// Scratch memory of one assembling task: a decompressed page, and values before a type conversion.
    typealias Scratch = (page: PageScratch, converted: PageScratch)

    private func assemble(_ plan: RNTupleFieldPlan, entries: Range<Int64>, collections: [[Int]: [Int64]], raw: RawPages,
                          valueRanges: [Int: Range<Int64>], count: Int, scratch: Scratch, keep: RNTuplePageCarry) throws -> Column {
        let interp = plan.interpretation
        var offsets: [Int64]?
        var lengths: [Int64] = []
        if plan.shape != .values {
            guard let o = collections[plan.index] else {
                throw ROOTIOError.malformed(file: source.name, object: "field '\(plan.name)'", offset: 0, reason: "collection offsets not loaded")
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
            var parts: [Part] = []
            for k in valueRanges.keys.sorted() { parts.append(Part(column: try primary(plan.value, k, plan), cluster: k, range: valueRanges[k] ?? 0..<0)) }
            values = try gather(plan, parts: parts, raw: raw, scratch: scratch, keep: keep)
        }
        return Column(name: plan.name, type: interp.type, kind: interp.kind, shape: interp.shape, entryStart: entries.lowerBound,
                      entryCount: count, values: values, offsets: offsets)
    }

    /// An owned copy of `bytes`.
    private static func copy(_ bytes: UnsafeRawBufferPointer) -> ArraySlice<UInt8> {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { out, n in
            if let base = out.baseAddress, let from = bytes.baseAddress { base.initialize(from: from.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
            n = bytes.count
        }[...]
    }

    /// Elements `range` (cluster-local) of a value column in one cluster.
    struct Part {
        var column: Int
        var cluster: Int
        var range: Range<Int64>
    }

    /// The value elements of all parts, converted to the field's type; pages used only in part go to `keep`.
    private func gather(_ plan: RNTupleFieldPlan, parts: [Part], raw: RawPages, scratch: Scratch, keep: RNTuplePageCarry) throws -> ColumnValues {
        switch plan.interpretation.type {
        case .bool: return .bool(try gather(Bool.self, plan, parts, raw, scratch, keep))
        case .int8: return .int8(try gather(Int8.self, plan, parts, raw, scratch, keep))
        case .uint8: return .uint8(try gather(UInt8.self, plan, parts, raw, scratch, keep))
        case .int16: return .int16(try gather(Int16.self, plan, parts, raw, scratch, keep))
        case .uint16: return .uint16(try gather(UInt16.self, plan, parts, raw, scratch, keep))
        case .int32: return .int32(try gather(Int32.self, plan, parts, raw, scratch, keep))
        case .uint32: return .uint32(try gather(UInt32.self, plan, parts, raw, scratch, keep))
        case .int64: return .int64(try gather(Int64.self, plan, parts, raw, scratch, keep))
        case .uint64: return .uint64(try gather(UInt64.self, plan, parts, raw, scratch, keep))
        case .float32: return .float32(try gather(Float.self, plan, parts, raw, scratch, keep))
        case .float64: return .float64(try gather(Double.self, plan, parts, raw, scratch, keep))
        }
    }

    /// Decodes the parts' pages straight into one output array (through `scratch.converted` when the column's
    /// decoded type differs from the field's). A page that goes on past the parts' end is kept unpacked in `keep`
    /// for the next read.
    private func gather<T: RNTupleConvertible>(_: T.Type, _ plan: RNTupleFieldPlan, _ parts: [Part], _ raw: RawPages,
                                               _ scratch: Scratch, _ keep: RNTuplePageCarry) throws -> [T]
    {
        for part in parts {
            guard part.range.lowerBound >= 0, part.range.upperBound <= Int64(ntuple.clusters[part.cluster].columns[part.column].elements)
            else {
                throw ROOTIOError.malformed(file: source.name, object: "field '\(plan.name)' column \(part.column) cluster \(part.cluster)",
                                            offset: 0, reason: "needs elements \(part.range), the cluster's pages hold "
                                                + "\(ntuple.clusters[part.cluster].columns[part.column].elements)")
            }
        }
        let total = parts.reduce(0) { $0 + $1.range.count }
        var failure: (any Error)?
        let values = [T](unsafeUninitializedCapacity: total) { out, initialized in
            initialized = 0
            guard let base = out.baseAddress else { return }
            var at = 0
            do {
                for part in parts where !part.range.isEmpty {
                    let cr = ntuple.clusters[part.cluster].columns[part.column]
                    for i in cr.pages.indices {
                        let s = Int64(cr.pageStarts[i]), e = Int64(cr.pageStarts[i + 1])
                        let lo = max(s, part.range.lowerBound), hi = min(e, part.range.upperBound)
                        guard lo < hi else { continue }
                        let key = PageKey(cluster: part.cluster, column: part.column, page: i)
                        guard let stored = raw[key], at + Int(hi - lo) <= total else {
                            throw ROOTIOError.malformed(file: source.name, object: "field '\(plan.name)'", offset: 0, reason: "page \(i) not loaded")
                        }
                        try withPage(key, raw: stored.bytes, at: stored.offset, unpacked: stored.unpacked,
                                     scratch: scratch.page) { bytes, elements, column, type, decoded in
                            if hi < e {
                                keep.keep(key, stored.unpacked ? stored.bytes : RNTupleReader.copy(bytes))
                            }
                            let range = Int(lo - s)..<Int(hi - s)
                            if decoded == T.scalarType {
                                RNTuplePage.decode(bytes, count: elements, range: range, column: column, type: type,
                                                   into: UnsafeMutableRawPointer(base + at))
                            } else {
                                let tmp = scratch.converted.bytes(range.count * decoded.byteSize)
                                RNTuplePage.decode(bytes, count: elements, range: range, column: column, type: type, into: tmp)
                                T.convert(UnsafeRawBufferPointer(start: tmp, count: range.count * decoded.byteSize), from: decoded,
                                          into: base + at)
                            }
                        }
                        at += Int(hi - lo)
                    }
                }
                guard at == total else {
                    throw ROOTIOError.malformed(file: source.name, object: "field '\(plan.name)'", offset: 0,
                                                reason: "pages hold \(at) of \(total) values")
                }
                initialized = total
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return values
    }
}

/// Column scalars that can be filled from another decoded column type (a `double` field stored as
/// float32, integers stored in a narrower or wider column, bools from bytes).
protocol RNTupleConvertible: ColumnScalar {
    init(rntupleInteger: Int64)
    init(rntupleReal: Double)
}

extension RNTupleConvertible {
    /// Converts the decoded values in `bytes` (of `type`) into `out`.
    static func convert(_ bytes: UnsafeRawBufferPointer, from type: ScalarType, into out: UnsafeMutablePointer<Self>) {
        let n = bytes.count / type.byteSize
        for i in 0..<n {
            switch type {
            case .bool, .uint8: out[i] = Self(rntupleInteger: Int64(bytes.load(fromByteOffset: i, as: UInt8.self)))
            case .int8: out[i] = Self(rntupleInteger: Int64(bytes.load(fromByteOffset: i, as: Int8.self)))
            case .int16: out[i] = Self(rntupleInteger: Int64(bytes.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
            case .uint16: out[i] = Self(rntupleInteger: Int64(bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            case .int32: out[i] = Self(rntupleInteger: Int64(bytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
            case .uint32: out[i] = Self(rntupleInteger: Int64(bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            case .int64: out[i] = Self(rntupleInteger: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
            case .uint64:
                out[i] = Self(rntupleInteger: Int64(bitPattern: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
            case .float32: out[i] = Self(rntupleReal: Double(bytes.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)))
            case .float64: out[i] = Self(rntupleReal: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Double.self))
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
