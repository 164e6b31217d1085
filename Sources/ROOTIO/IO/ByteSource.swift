/// A half-open byte range `[offset, offset + count)` in a file.
public struct ByteRange: Hashable, Sendable {
    public var offset: Int64
    public var count: Int
    public init(offset: Int64, count: Int) { self.offset = offset; self.count = count }
    public var end: Int64 { offset + Int64(count) }
}

/// Where the bytes of a ROOT file come from: a local file, an XRootD server, an HTTP server.
///
/// `read(ranges:)` receives every range a chunk needs at once, so remote sources can turn them into
/// one vector read; the default implementation coalesces nearby ranges and calls `read(offset:count:)`.
public protocol ByteSource: Sendable {
    /// A name for error messages (path or URL).
    var name: String { get }
    /// Total size in bytes.
    var size: Int64 { get }
    /// Exactly `count` bytes at `offset`, or an error.
    func read(offset: Int64, count: Int) async throws -> [UInt8]
    /// The bytes of each range, in the order given (slices may share one coalesced buffer).
    func read(ranges: [ByteRange]) async throws -> [ArraySlice<UInt8>]
    /// Counters of what was read so far.
    var statistics: ByteSourceStatistics { get }
    /// Whether readers should fetch the next chunk while the current one is used (remote sources with
    /// latency); local files are fast enough without it.
    var prefersReadAhead: Bool { get }
}

/// Bytes and requests a source has served.
public struct ByteSourceStatistics: Sendable {
    public var requests: Int
    public var bytes: Int64
    public init(requests: Int = 0, bytes: Int64 = 0) { self.requests = requests; self.bytes = bytes }
}

extension ByteSource {
    public var prefersReadAhead: Bool { false }

    public func read(ranges: [ByteRange]) async throws -> [ArraySlice<UInt8>] {
        try await readCoalesced(ranges, plan: CoalescePlan(ranges: ranges))
    }

    /// Reads the merged ranges of `plan` one by one and slices the requested ranges out of them.
    public func readCoalesced(_ ranges: [ByteRange], plan: CoalescePlan) async throws -> [ArraySlice<UInt8>] {
        var out = [ArraySlice<UInt8>](repeating: [], count: ranges.count)
        for group in plan.groups {
            let block = try await read(offset: group.range.offset, count: group.range.count)
            for index in group.members {
                let r = ranges[index]
                let start = Int(r.offset - group.range.offset)
                out[index] = block[start..<(start + r.count)]
            }
        }
        return out
    }
}

/// Merges ranges that lie close together into larger reads (fewer requests, same bytes).
public struct CoalescePlan: Sendable {
    /// One merged read and the indices of the requested ranges inside it.
    public struct Group: Sendable {
        public var range: ByteRange
        public var members: [Int]
    }
    public private(set) var groups: [Group] = []

    /// - Parameters:
    ///   - maxGap: ranges separated by fewer bytes than this are merged.
    ///   - maxRequest: a merged read never grows past this size (a single larger range stays whole).
    public init(ranges: [ByteRange], maxGap: Int = 32 * 1024, maxRequest: Int = 16 * 1024 * 1024) {
        let order = ranges.indices.sorted { ranges[$0].offset < ranges[$1].offset }
        var current: Group?
        for index in order {
            let r = ranges[index]
            if var g = current {
                let newEnd = max(g.range.end, r.end)
                if r.offset <= g.range.end + Int64(maxGap), newEnd - g.range.offset <= Int64(maxRequest) {
                    g.range.count = Int(newEnd - g.range.offset)
                    g.members.append(index)
                    current = g
                    continue
                }
                groups.append(g)
            }
            current = Group(range: r, members: [index])
        }
        if let g = current { groups.append(g) }
    }
}
