/// Extra members of a TBranchElement (branches of split classes and STL containers).
public struct BranchElementInfo: Sendable {
    public var className: String
    public var parentName: String
    public var id: Int32
    public var type: Int32
    public var streamerType: Int32
}

/// A TBranch (or TBranchElement): its leaves, sub-branches and basket tables.
public final class BranchModel: Sendable {
    public let name: String
    public let title: String
    public let version: Int16
    public let entryOffsetLen: Int
    public let writeBasket: Int
    public let entries: Int64
    public let totBytes: Int64
    public let zipBytes: Int64
    public let branches: [BranchModel]
    public let leaves: [LeafModel]
    /// Baskets stored inside the branch object, after the on-disk ones in entry order.
    public let embeddedBaskets: [EmbeddedBasket]
    public let basketBytes: [Int32]
    public let basketEntry: [Int64]
    public let basketSeek: [Int64]
    /// Non-empty when the baskets live in another file.
    public let fileName: String
    public let element: BranchElementInfo?
    /// For a TBranchObject (a whole object streamed per entry): the object's class.
    public let objectClassName: String?
    /// Why the branch object itself could not be decoded (its class or version is not modelled); such a
    /// branch is listed as skipped with this reason and the rest of the tree is read.
    public let unreadable: String?
    /// The branch's name as ROOT stores it (`name` is the same unless that name is shared by several branches
    /// of the tree, when `name` is the full `path`).
    public let rootName: String
    /// The path through the branch hierarchy, names joined by `/` (`jet/pt`); the top-level name for
    /// top-level branches.
    public let path: String

    init(name: String, title: String, version: Int16, entryOffsetLen: Int, writeBasket: Int, entries: Int64,
         totBytes: Int64, zipBytes: Int64, branches: [BranchModel], leaves: [LeafModel],
         embeddedBaskets: [EmbeddedBasket], basketBytes: [Int32], basketEntry: [Int64], basketSeek: [Int64],
         fileName: String, element: BranchElementInfo?, objectClassName: String? = nil, unreadable: String? = nil,
         rootName: String? = nil, path: String? = nil) {
        self.objectClassName = objectClassName
        self.unreadable = unreadable
        self.rootName = rootName ?? name
        self.path = path ?? name
        self.name = name
        self.title = title
        self.version = version
        self.entryOffsetLen = entryOffsetLen
        self.writeBasket = writeBasket
        self.entries = entries
        self.totBytes = totBytes
        self.zipBytes = zipBytes
        self.branches = branches
        self.leaves = leaves
        self.embeddedBaskets = embeddedBaskets
        self.basketBytes = basketBytes
        self.basketEntry = basketEntry
        self.basketSeek = basketSeek
        self.fileName = fileName
        self.element = element
    }

    /// Uncompressed bytes of the branch's data (fTotBytes, or the embedded baskets' size when that is 0).
    public var uncompressedBytes: Int64 {
        totBytes > 0 ? totBytes : Int64(embeddedBaskets.reduce(0) { $0 + $1.data.count })
    }

    /// Compressed bytes on disk (fZipBytes; embedded baskets are stored uncompressed inside the branch).
    public var compressedBytes: Int64 { zipBytes > 0 ? zipBytes : uncompressedBytes }

    /// This branch and all its descendants, depth first.
    public var allBranches: [BranchModel] { [self] + branches.flatMap(\.allBranches) }

    /// Decodes a TBranch, TBranchElement or TBranchObject payload.
    static func read(_ c: inout ByteCursor, reader: ObjectReader, className: String) throws -> BranchModel {
        switch className {
        case "TBranchElement": return try readElement(&c, reader: reader)
        case "TBranchObject":
            let outer = try c.versionHeader()
            let base = try readBranch(&c, reader: reader)
            let objectClass = try c.string()
            try c.finish(outer.end)
            return base.with(element: nil, objectClassName: objectClass)
        default: return try readBranch(&c, reader: reader)
        }
    }

    /// A branch whose object could not be decoded: its name (when readable) and the reason.
    static func unreadable(name: String, className: String, reason: String) -> BranchModel {
        BranchModel(name: name, title: "", version: 0, entryOffsetLen: 0, writeBasket: 0, entries: 0, totBytes: 0,
                    zipBytes: 0, branches: [], leaves: [], embeddedBaskets: [], basketBytes: [], basketEntry: [],
                    basketSeek: [], fileName: "", element: nil, unreadable: "\(className): \(reason)")
    }

    /// TBranchElement: the TBranch base, then class, parent and clones names, (v8+) the checksum, the class
    /// version (Int_t before v10, Version_t after), fID, fType and fStreamerType; later members are skipped.
    private static func readElement(_ c: inout ByteCursor, reader: ObjectReader) throws -> BranchModel {
        let outer = try c.versionHeader()
        guard outer.version >= 7 else {
            throw ROOTIOError.unsupported(file: c.file, object: c.object, reason: "TBranchElement version \(outer.version)")
        }
        let base = try readBranch(&c, reader: reader)
        let className = try c.string()
        let parentName = try c.string()
        _ = try c.string()  // fClonesName
        if outer.version >= 8 { _ = try c.u32() }  // fCheckSum
        if outer.version >= 10 { _ = try c.i16() } else { _ = try c.i32() }  // fClassVersion
        let id = try c.i32()
        let type = try c.i32()
        let streamerType = try c.i32()
        try c.finish(outer.end)
        return base.with(element: BranchElementInfo(className: className, parentName: parentName, id: id, type: type,
                                                    streamerType: streamerType), objectClassName: nil)
    }

    private func with(element: BranchElementInfo?, objectClassName: String?) -> BranchModel {
        BranchModel(name: name, title: title, version: version, entryOffsetLen: entryOffsetLen, writeBasket: writeBasket,
                    entries: entries, totBytes: totBytes, zipBytes: zipBytes, branches: branches, leaves: leaves,
                    embeddedBaskets: embeddedBaskets, basketBytes: basketBytes, basketEntry: basketEntry,
                    basketSeek: basketSeek, fileName: fileName, element: element, objectClassName: objectClassName)
    }

    /// The same branch under a unique `name` with its hierarchy `path`, and its sub-branches renamed likewise.
    func renamed(name: String, path: String, branches: [BranchModel]) -> BranchModel {
        BranchModel(name: name, title: title, version: version, entryOffsetLen: entryOffsetLen, writeBasket: writeBasket,
                    entries: entries, totBytes: totBytes, zipBytes: zipBytes, branches: branches, leaves: leaves,
                    embeddedBaskets: embeddedBaskets, basketBytes: basketBytes, basketEntry: basketEntry,
                    basketSeek: basketSeek, fileName: fileName, element: element, objectClassName: objectClassName,
                    unreadable: unreadable, rootName: rootName, path: path)
    }

    /// TBranch: versions 10 and later follow the class's streamer layout (64-bit counters, TIOFeatures from
    /// v13, fFirstEntry from v11); versions 6 to 9 (ROOT 3 and 4) were streamed by hand with 32-bit entry
    /// numbers, Stat_t (double) counters, 32-bit basket entries and 32- or 64-bit seeks, and TAttFill from v8.
    private static func readBranch(_ c: inout ByteCursor, reader: ObjectReader) throws -> BranchModel {
        let h = try c.versionHeader()
        let v = h.version
        guard v >= 6 else {
            throw ROOTIOError.unsupported(file: c.file, object: c.object, reason: "TBranch version \(v) (before ROOT 3)")
        }
        let named = try reader.readTNamed(&c)
        if v >= 8 { try reader.skipVersioned(&c, what: "TAttFill") }
        _ = try c.i32()  // fCompress
        _ = try c.i32()  // fBasketSize
        let entryOffsetLen = try c.i32()
        let writeBasket = try c.i32()
        if v >= 10 { _ = try c.i64() } else { _ = try c.i32() }  // fEntryNumber
        if v >= 13 { try reader.skipVersioned(&c, what: "TIOFeatures") }
        _ = try c.i32()  // fOffset
        let maxBaskets = try c.i32()
        if v >= 7 { _ = try c.i32() }  // fSplitLevel
        let entries: Int64
        let totBytes: Int64
        let zipBytes: Int64
        if v >= 10 {
            entries = try c.i64()
            if v >= 11 { _ = try c.i64() }  // fFirstEntry
            totBytes = try c.i64()
            zipBytes = try c.i64()
        } else {
            entries = try Self.counter(c.f64(), &c, "fEntries")
            totBytes = try Self.counter(c.f64(), &c, "fTotBytes")
            zipBytes = try Self.counter(c.f64(), &c, "fZipBytes")
        }
        guard maxBaskets >= 0, writeBasket >= 0, writeBasket <= maxBaskets, entries >= 0 else {
            throw c.malformed("branch '\(named.name)': fMaxBaskets \(maxBaskets), fWriteBasket \(writeBasket), fEntries \(entries)")
        }
        let subs = try reader.readObjArray(&c).compactMap { obj -> BranchModel? in
            if case let .branch(b)? = obj { return b }
            return nil
        }
        let leaves = try reader.readObjArray(&c).compactMap { obj -> LeafModel? in
            if case let .leaf(l)? = obj { return l }
            return nil
        }
        let embedded = try reader.readObjArray(&c).compactMap { obj -> EmbeddedBasket? in
            if case let .basket(b)? = obj { return b }
            return nil
        }
        let bytes: [Int32]
        let entryStarts: [Int64]
        let seeks: [Int64]
        if v >= 10 {
            bytes = try reader.readFastArrayI32(&c, count: Int(maxBaskets))
            entryStarts = try reader.readFastArrayI64(&c, count: Int(maxBaskets))
            seeks = try reader.readFastArrayI64(&c, count: Int(maxBaskets))
        } else {
            bytes = try reader.readOldArrayI32(&c, count: Int(maxBaskets))
            entryStarts = try reader.readOldArrayI32(&c, count: Int(maxBaskets)).map(Int64.init)
            seeks = try reader.readSeekArray(&c, count: Int(maxBaskets))
        }
        let fileName = try c.string()
        try c.finish(h.end)
        return BranchModel(name: named.name, title: named.title, version: v, entryOffsetLen: Int(entryOffsetLen),
                           writeBasket: Int(writeBasket), entries: entries, totBytes: totBytes, zipBytes: zipBytes,
                           branches: subs, leaves: leaves, embeddedBaskets: embedded, basketBytes: bytes,
                           basketEntry: entryStarts, basketSeek: seeks, fileName: fileName, element: nil)
    }

    /// A Stat_t (double) counter of an old branch as a whole non-negative number.
    private static func counter(_ x: Double, _ c: inout ByteCursor, _ what: String) throws -> Int64 {
        guard x.isFinite, x >= 0, x < 9.0e18, x == x.rounded() else { throw c.malformed("\(what) \(x)") }
        return Int64(x)
    }
}
