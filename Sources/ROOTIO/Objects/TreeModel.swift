/// A TTree's metadata: entry count and the branch hierarchy (data stays in the baskets).
public struct TreeModel: Sendable {
    public var name: String
    public var title: String
    public var version: Int16
    public var entries: Int64
    public var branches: [BranchModel]

    /// Every branch, depth first (top-level branches and their sub-branches).
    public var allBranches: [BranchModel] { branches.flatMap(\.allBranches) }

    /// Thrown by `read` for a TTree version whose layout comes from the file's streamer list (5 to 15).
    struct NeedsStreamers: Error {}

    /// Decodes a TTree payload; members after fBranches are skipped by byte count. Versions 16 to 20 are read
    /// directly, versions 5 to 15 (ROOT 3 to early 5) through the file's streamer list (`NeedsStreamers` when
    /// it is not given), versions 1 to 4 by their fixed hand-streamed layout. Branch names are made unique
    /// (see `BranchNaming`).
    static func read(_ c: inout ByteCursor, streamers: StreamerInfoList? = nil) throws -> TreeModel {
        var tree = try readMembers(&c, streamers: streamers)
        tree.branches = BranchNaming.assign(tree.branches)
        return tree
    }

    private static func readMembers(_ c: inout ByteCursor, streamers: StreamerInfoList?) throws -> TreeModel {
        let reader = ObjectReader()
        let h = try c.versionHeader()
        let v = h.version
        guard (16...20).contains(v) else {
            guard (1...15).contains(v) else {
                throw ROOTIOError.unsupported(file: c.file, object: c.object, reason: "TTree version \(v) (1 to 20 are read)")
            }
            if v <= 4 { return try OldTreeLayout.readHandStreamed(&c, version: v, end: h.end, reader: reader) }
            guard let streamers else { throw NeedsStreamers() }
            return try OldTreeLayout.read(&c, version: v, end: h.end, streamers: streamers, reader: reader)
        }
        let named = try reader.readTNamed(&c)
        try reader.skipVersioned(&c, what: "TAttLine")
        try reader.skipVersioned(&c, what: "TAttFill")
        try reader.skipVersioned(&c, what: "TAttMarker")
        let entries = try c.i64()
        _ = try c.i64()  // fTotBytes
        _ = try c.i64()  // fZipBytes
        _ = try c.i64()  // fSavedBytes
        if v >= 18 { _ = try c.i64() }  // fFlushedBytes
        _ = try c.f64()  // fWeight
        _ = try c.i32()  // fTimerInterval
        _ = try c.i32()  // fScanField
        _ = try c.i32()  // fUpdate
        if v >= 17 { _ = try c.i32() }  // fDefaultEntryOffsetLen
        var nClusterRange: Int32 = 0
        if v >= 19 { nClusterRange = try c.i32() }
        _ = try c.i64()  // fMaxEntries
        _ = try c.i64()  // fMaxEntryLoop
        _ = try c.i64()  // fMaxVirtualSize
        _ = try c.i64()  // fAutoSave
        if v >= 18 { _ = try c.i64() }  // fAutoFlush
        _ = try c.i64()  // fEstimate
        if v >= 19 {
            guard nClusterRange >= 0 else { throw c.malformed("fNClusterRange \(nClusterRange)") }
            _ = try reader.readFastArrayI64(&c, count: Int(nClusterRange))
            _ = try reader.readFastArrayI64(&c, count: Int(nClusterRange))
        }
        if v >= 20 { try reader.skipVersioned(&c, what: "TIOFeatures") }
        guard entries >= 0 else { throw c.malformed("fEntries \(entries)") }
        let branches = try reader.readObjArray(&c).compactMap { obj -> BranchModel? in
            if case let .branch(b)? = obj { return b }
            return nil
        }
        return TreeModel(name: named.name, title: named.title, version: v, entries: entries, branches: branches)
    }
}
