/// One page of a column in a cluster.
struct RNTuplePageInfo: Sendable {
    var elements: Int
    var location: ByteRange
    /// An XXH3 of the stored page follows it on disk.
    var hasChecksum: Bool
}

/// A column's pages in one cluster.
struct RNTupleColumnRange: Sendable {
    /// Global index of the cluster's first element of this column.
    var elementOffset: Int64
    /// The column holds no data in this cluster (another representation is primary).
    var suppressed: Bool
    var pages: [RNTuplePageInfo]
    /// Page start indices (relative to the cluster), pages.count + 1 values.
    var pageStarts: [Int]

    var elements: Int { pageStarts.last ?? 0 }
}

/// A cluster: an entry range and the pages of every physical column.
struct RNTupleCluster: Sendable {
    var firstEntry: Int64
    var entries: Int64
    var columns: [RNTupleColumnRange]

    var entryEnd: Int64 { firstEntry + entries }
}

/// The footer (schema extension and cluster groups) and the page lists it links to.
enum RNTupleClusterReader {
    /// Reads the footer at `link`, appending its schema extension to `schema`, and returns every cluster
    /// of every cluster group in entry order.
    static func read(footer link: EnvelopeLink, headerChecksum: UInt64, schema: inout RNTupleSchema, source: ByteSource,
                     object: String) async throws -> [RNTupleCluster] {
        var c = try await Envelope.read(.footer, link: link, source: source, what: object + " footer")
        let flags = try c.u64()
        guard flags == 0 else {
            throw ROOTIOError.unsupported(file: source.name, object: object, reason: "RNTuple feature flags 0x\(String(flags, radix: 16))")
        }
        guard try c.u64() == headerChecksum else { throw c.malformed("footer belongs to another header (checksum differs)") }
        try c.record("schema extension") { try schema.append(from: &$0) }
        let groups = try c.list("cluster group") { c, _ in
            try c.record("cluster group") { c -> (Int, EnvelopeLink) in
                _ = try c.u64()  // minimum entry
                _ = try c.u64()  // entry span
                let n = Int(try c.u32())
                return (n, try c.envelopeLink())
            }
        }
        var clusters: [RNTupleCluster] = []
        for (g, (expected, pageListLink)) in groups.enumerated() {
            let what = "\(object) page list \(g)"
            var p = try await Envelope.read(.pageList, link: pageListLink, source: source, what: what)
            guard try p.u64() == headerChecksum else { throw p.malformed("page list belongs to another header") }
            let summaries = try p.list("cluster summary") { c, _ in
                try c.record("cluster summary") { c -> (Int64, Int64) in
                    let first = try c.u64()
                    let word = try c.u64()
                    guard word >> 56 & 1 == 0 else { throw c.malformed("sharded cluster (not in format 1.0)") }
                    let n = word & 0x00FF_FFFF_FFFF_FFFF
                    guard first <= UInt64(Int64.max / 2), n <= UInt64(Int64.max / 2) else {
                        throw c.malformed("cluster entries \(first) + \(n)")
                    }
                    return (Int64(first), Int64(n))
                }
            }
            let columnCount = schema.columns.count
            let pageLists = try p.list("cluster pages") { c, _ in
                try c.list("column pages") { c, _ in try readColumnRange(&c) }
            }
            guard summaries.count == expected, pageLists.count == summaries.count else {
                throw p.malformed("cluster group says \(expected) clusters; \(summaries.count) summaries, \(pageLists.count) page lists")
            }
            for (k, (first, n)) in summaries.enumerated() {
                var ranges = pageLists[k]
                guard ranges.count <= columnCount else {
                    throw p.malformed("cluster \(k) lists \(ranges.count) columns, the schema has \(columnCount)")
                }
                // Columns added later (schema extension) may be absent from early clusters' page lists.
                while ranges.count < columnCount {
                    ranges.append(RNTupleColumnRange(elementOffset: 0, suppressed: true, pages: [], pageStarts: [0]))
                }
                clusters.append(RNTupleCluster(firstEntry: first, entries: n, columns: ranges))
            }
        }
        clusters.sort { $0.firstEntry < $1.firstEntry }
        var next: Int64 = 0
        for cl in clusters {
            guard cl.firstEntry == next else {
                throw ROOTIOError.malformed(file: source.name, object: object, offset: 0,
                                            reason: "cluster starts at entry \(cl.firstEntry), expected \(next)")
            }
            next = cl.entryEnd
        }
        return clusters
    }

    /// An inner list frame: the pages, then the element offset and (unless suppressed) compression settings.
    private static func readColumnRange(_ c: inout EnvelopeCursor) throws -> RNTupleColumnRange {
        var (pages, rest) = try c.listWithTrailer("page") { c, _ -> RNTuplePageInfo in
            let n = try c.i32()
            let location = try c.locator()
            let elements = n < 0 ? -Int(n) : Int(n)
            return RNTuplePageInfo(elements: elements, location: location, hasChecksum: n < 0)
        }
        let offset = try rest.i64()
        if offset >= 0 { _ = try rest.u32() }  // compression settings
        guard offset < 0 || pages.isEmpty || offset <= Int64.max / 2 else { throw rest.malformed("element offset \(offset)") }
        var starts = [0]
        starts.reserveCapacity(pages.count + 1)
        for pg in pages {
            guard starts.last! <= Int(Int32.max) * 64 else { throw rest.malformed("too many elements in a cluster") }
            starts.append(starts.last! + pg.elements)
        }
        if offset < 0 { pages = [] }
        return RNTupleColumnRange(elementOffset: max(0, offset), suppressed: offset < 0, pages: pages, pageStarts: starts)
    }
}
