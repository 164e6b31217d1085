/// The objects the reader decodes from streamed payloads (everything else is skipped by byte count).
public enum StreamedObject: Sendable {
    case objArray([StreamedObject?])
    case branch(BranchModel)
    case leaf(LeafModel)
    case basket(EmbeddedBasket)
    case list([StreamedObject?])
    case streamerInfo(StreamerInfo)
    case streamerElement(StreamerElement)
    /// An object of a class the reader does not model, skipped by its byte count.
    case other(className: String)
}

/// Class-tag and object back-references of one key payload (ROOT's "ReadObjectAny" map), in key coordinates.
final class ObjectRefs {
    enum Entry {
        case classRef(String)
        case object(StreamedObject?)
    }
    var table: [Int: Entry] = [:]
}

/// Reads ROOT's polymorphic object pointers and dispatches to the hand-written class models.
struct ObjectReader {
    static let byteCountMask: UInt32 = 0x4000_0000
    static let classMask: UInt32 = 0x8000_0000
    static let newClassTag: UInt32 = 0xFFFF_FFFF
    static let mapOffset = 2

    let refs = ObjectRefs()

    /// Reads a pointer-to-object: null, a back-reference, or a (new or known) class tag followed by the object.
    func readObjectAny(_ c: inout ByteCursor) throws -> StreamedObject? {
        let beg = c.keyPosition
        let bcnt = try c.u32()
        var tag: UInt32
        var start = 0
        var end: Int?
        if bcnt & Self.byteCountMask == 0 || bcnt == Self.newClassTag {
            tag = bcnt
        } else {
            start = c.keyPosition
            end = beg + 4 + Int(bcnt & ~Self.byteCountMask)
            tag = try c.u32()
        }
        if tag & Self.classMask == 0 {
            if tag == 0 { return nil }
            if tag == 1 { return nil }
            guard let entry = refs.table[Int(tag)] else {
                try c.finish(end)
                return nil
            }
            if case let .object(obj) = entry { return obj }
            throw c.malformed("reference \(tag) points at a class, not an object")
        }
        let className: String
        if tag == Self.newClassTag {
            className = try c.cString()
            refs.table[end != nil ? start + Self.mapOffset : refs.table.count + 1] = .classRef(className)
        } else {
            let ref = Int(tag & ~Self.classMask)
            guard case let .classRef(name)? = refs.table[ref] else {
                throw c.malformed("unknown class reference \(ref)")
            }
            className = name
        }
        let obj = try readObject(className: className, &c, end: end)
        refs.table[end != nil ? beg + Self.mapOffset : refs.table.count + 1] = .object(obj)
        try c.finish(end)
        return obj
    }

    /// Decodes one object of a known class; unknown classes need a byte count to be skipped.
    func readObject(className: String, _ c: inout ByteCursor, end: Int?) throws -> StreamedObject {
        switch className {
        case "TObjArray":
            return .objArray(try readObjArray(&c))
        case "TBranch", "TBranchElement", "TBranchObject":
            return .branch(try readBranch(className: className, &c, end: end))
        case "TBasket":
            return .basket(try EmbeddedBasket.read(&c))
        case "TList":
            return .list(try readList(&c))
        case "TStreamerInfo":
            return .streamerInfo(try StreamerInfo.read(&c, reader: self))
        default:
            if className.hasPrefix("TStreamer") {
                return .streamerElement(try StreamerElement.read(&c, className: className, reader: self))
            }
            if className.hasPrefix("TLeaf") {
                return .leaf(try LeafModel.read(&c, className: className, reader: self))
            }
            guard end != nil else {
                throw c.malformed("object of class \(className) has no byte count and cannot be skipped")
            }
            return .other(className: className)
        }
    }

    /// A branch object; one the reader cannot decode (an unmodelled version or layout) becomes an `unreadable`
    /// branch, skipped by its byte count, so the rest of the tree still reads.
    private func readBranch(className: String, _ c: inout ByteCursor, end: Int?) throws -> BranchModel {
        let start = c
        do {
            return try BranchModel.read(&c, reader: self, className: className)
        } catch {
            guard let end else { throw error }
            c = start
            let name = (try? branchName(className: className, &c)) ?? "?"
            try c.seek(keyPosition: end)
            let reason: String
            switch error {
            case let ROOTIOError.unsupported(_, _, why): reason = why
            case let ROOTIOError.malformed(_, _, _, why): reason = why
            default: reason = "\(error)"
            }
            return BranchModel.unreadable(name: name, className: className, reason: reason)
        }
    }

    /// The name of a branch object whose members could not be decoded (its TNamed comes first).
    private func branchName(className: String, _ c: inout ByteCursor) throws -> String {
        if className != "TBranch" { _ = try c.versionHeader() }
        _ = try c.versionHeader()
        return try readTNamed(&c).name
    }

    /// TObject: version, fUniqueID, fBits (+ pid when referenced).
    func readTObject(_ c: inout ByteCursor) throws {
        let h = try c.versionHeader()
        if h.version & 0x4000 != 0 { try c.skip(4) }
        _ = try c.u32()
        let bits = try c.u32()
        if bits & (1 << 4) != 0 { _ = try c.u16() }
        try c.finish(h.end)
    }

    /// TNamed: header, TObject, fName, fTitle.
    func readTNamed(_ c: inout ByteCursor) throws -> (name: String, title: String) {
        let h = try c.versionHeader()
        try readTObject(&c)
        let name = try c.string()
        let title = try c.string()
        try c.finish(h.end)
        return (name, title)
    }

    /// Skips a member object that has a byte count (TAttLine, TAttFill, ...).
    func skipVersioned(_ c: inout ByteCursor, what: String) throws {
        let h = try c.versionHeader()
        guard h.end != nil else { throw c.malformed("\(what) has no byte count") }
        try c.finish(h.end)
    }

    /// TObjArray streamed as a member: header, TObject, fName, n, lowerBound, n object pointers.
    func readObjArray(_ c: inout ByteCursor) throws -> [StreamedObject?] {
        let h = try c.versionHeader()
        if h.version > 2 { try readTObject(&c) }
        if h.version > 1 { _ = try c.string() }
        let n = try c.i32()
        _ = try c.i32()
        guard n >= 0, Int(n) <= c.remaining / 4 else { throw c.malformed("TObjArray with \(n) entries") }
        var items: [StreamedObject?] = []
        items.reserveCapacity(Int(n))
        for _ in 0..<n { items.append(try readObjectAny(&c)) }
        try c.finish(h.end)
        return items
    }

    /// TList: header, TObject, fName, n, then n × (object pointer + option string).
    func readList(_ c: inout ByteCursor) throws -> [StreamedObject?] {
        let h = try c.versionHeader()
        try readTObject(&c)
        _ = try c.string()
        let n = try c.i32()
        guard n >= 0, Int(n) <= c.remaining / 5 else { throw c.malformed("TList with \(n) entries") }
        var items: [StreamedObject?] = []
        for _ in 0..<n {
            items.append(try readObjectAny(&c))
            _ = try c.string()
        }
        try c.finish(h.end)
        return items
    }

    /// The longest absent (flag 0, all-zero) array accepted: a count beyond it is a damaged header, not a
    /// reason to allocate.
    static let maxAbsentArray = 1 << 20

    /// A `T* array //[n]` member: a one-byte flag, then n big-endian values when the flag is set.
    func readFastArrayI32(_ c: inout ByteCursor, count: Int) throws -> [Int32] {
        let flag = try c.u8()
        guard count >= 0, flag == 0 ? count <= Self.maxAbsentArray : count <= c.remaining / 4 else {
            throw c.truncated(count * 4)
        }
        if flag == 0 { return [Int32](repeating: 0, count: count) }
        return try (0..<count).map { _ in try c.i32() }
    }

    /// An array of old (hand-streamed) TBranch versions: a flag byte, then always n 32-bit values.
    func readOldArrayI32(_ c: inout ByteCursor, count: Int) throws -> [Int32] {
        _ = try c.u8()
        guard count >= 0, count <= c.remaining / 4 else { throw c.truncated(count * 4) }
        return try (0..<count).map { _ in try c.i32() }
    }

    /// fBasketSeek of old (hand-streamed) TBranch versions: flag 2 means 64-bit seeks, otherwise 32-bit.
    func readSeekArray(_ c: inout ByteCursor, count: Int) throws -> [Int64] {
        let flag = try c.u8()
        let width = flag == 2 ? 8 : 4
        guard count >= 0, count <= c.remaining / width else { throw c.truncated(count * width) }
        if flag == 2 { return try (0..<count).map { _ in try c.i64() } }
        return try (0..<count).map { _ in Int64(try c.i32()) }
    }

    func readFastArrayI64(_ c: inout ByteCursor, count: Int) throws -> [Int64] {
        let flag = try c.u8()
        guard count >= 0, flag == 0 ? count <= Self.maxAbsentArray : count <= c.remaining / 8 else {
            throw c.truncated(count * 8)
        }
        if flag == 0 { return [Int64](repeating: 0, count: count) }
        return try (0..<count).map { _ in try c.i64() }
    }
}
