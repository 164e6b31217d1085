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

    init(name: String, title: String, version: Int16, entryOffsetLen: Int, writeBasket: Int, entries: Int64,
         totBytes: Int64, zipBytes: Int64, branches: [BranchModel], leaves: [LeafModel],
         embeddedBaskets: [EmbeddedBasket], basketBytes: [Int32], basketEntry: [Int64], basketSeek: [Int64],
         fileName: String, element: BranchElementInfo?) {
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

    static func read(_ c: inout ByteCursor, reader: ObjectReader, isElement: Bool) throws -> BranchModel {
        if !isElement { return try readBranch(&c, reader: reader, element: nil) }
        let outer = try c.versionHeader()
        let base = try readBranch(&c, reader: reader, element: nil)
        let className = try c.string()
        let parentName = try c.string()
        _ = try c.string()  // fClonesName
        _ = try c.u32()  // fCheckSum
        if outer.version >= 10 { _ = try c.i16() } else { _ = try c.i32() }  // fClassVersion
        let id = try c.i32()
        let type = try c.i32()
        let streamerType = try c.i32()
        try c.finish(outer.end)
        return base.with(element: BranchElementInfo(className: className, parentName: parentName, id: id, type: type,
                                                    streamerType: streamerType))
    }

    private func with(element: BranchElementInfo) -> BranchModel {
        BranchModel(name: name, title: title, version: version, entryOffsetLen: entryOffsetLen, writeBasket: writeBasket,
                    entries: entries, totBytes: totBytes, zipBytes: zipBytes, branches: branches, leaves: leaves,
                    embeddedBaskets: embeddedBaskets, basketBytes: basketBytes, basketEntry: basketEntry,
                    basketSeek: basketSeek, fileName: fileName, element: element)
    }

    private static func readBranch(_ c: inout ByteCursor, reader: ObjectReader, element: BranchElementInfo?) throws
        -> BranchModel
    {
        let h = try c.versionHeader()
        let v = h.version
        guard v >= 10 else {
            throw ROOTIOError.unsupported(file: c.file, object: c.object, reason: "TBranch version \(v) (before ROOT 5.2x)")
        }
        let named = try reader.readTNamed(&c)
        try reader.skipVersioned(&c, what: "TAttFill")
        _ = try c.i32()  // fCompress
        _ = try c.i32()  // fBasketSize
        let entryOffsetLen = try c.i32()
        let writeBasket = try c.i32()
        _ = try c.i64()  // fEntryNumber
        if v >= 13 { try reader.skipVersioned(&c, what: "TIOFeatures") }
        _ = try c.i32()  // fOffset
        let maxBaskets = try c.i32()
        _ = try c.i32()  // fSplitLevel
        let entries = try c.i64()
        if v >= 11 { _ = try c.i64() }  // fFirstEntry
        let totBytes = try c.i64()
        let zipBytes = try c.i64()
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
        let bytes = try reader.readFastArrayI32(&c, count: Int(maxBaskets))
        let entryStarts = try reader.readFastArrayI64(&c, count: Int(maxBaskets))
        let seeks = try reader.readFastArrayI64(&c, count: Int(maxBaskets))
        let fileName = try c.string()
        try c.finish(h.end)
        return BranchModel(name: named.name, title: named.title, version: v, entryOffsetLen: Int(entryOffsetLen),
                           writeBasket: Int(writeBasket), entries: entries, totBytes: totBytes, zipBytes: zipBytes,
                           branches: subs, leaves: leaves, embeddedBaskets: embedded, basketBytes: bytes,
                           basketEntry: entryStarts, basketSeek: seeks, fileName: fileName, element: element)
    }
}
