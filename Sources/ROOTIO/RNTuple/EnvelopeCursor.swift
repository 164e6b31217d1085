/// A little-endian reader over an RNTuple envelope with RNTuple's frames, strings and locators.
/// Every read is bounds-checked and throws a typed error naming the envelope and the offset in it.
struct EnvelopeCursor {
    let bytes: [UInt8]
    var position: Int
    /// End of the readable part (the checksum is excluded).
    let end: Int
    let file: String
    let object: String

    init(bytes: [UInt8], start: Int = 0, end: Int? = nil, file: String, object: String) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
        self.file = file
        self.object = object
    }

    func malformed(_ reason: String) -> ROOTIOError {
        .malformed(file: file, object: object, offset: Int64(position), reason: reason)
    }

    mutating func need(_ n: Int) throws {
        guard n >= 0, position >= 0, n <= end - position else {
            throw ROOTIOError.truncated(file: file, object: object, offset: Int64(position), needed: n,
                                        available: max(0, end - position))
        }
    }

    mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let n = MemoryLayout<T>.size
        try need(n)
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: T.self) }
        position += n
        return T(littleEndian: v)
    }

    mutating func u16() throws -> UInt16 { try load(UInt16.self) }
    mutating func u32() throws -> UInt32 { try load(UInt32.self) }
    mutating func i32() throws -> Int32 { try load(Int32.self) }
    mutating func u64() throws -> UInt64 { try load(UInt64.self) }
    mutating func i64() throws -> Int64 { try load(Int64.self) }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }

    /// A u32 length and that many UTF-8 bytes.
    mutating func string() throws -> String {
        let n = Int(try u32())
        try need(n)
        defer { position += n }
        return String(decoding: bytes[position..<(position + n)], as: UTF8.self)
    }

    /// Moves to `target`, which must lie inside the readable part.
    mutating func seek(to target: Int) throws {
        guard target >= position, target <= end else { throw malformed("frame ends at \(target), outside \(position)...\(end)") }
        position = target
    }

    /// A record frame: calls `body` on the frame's contents, then continues after the frame by its size.
    mutating func record<T>(_ what: String, _ body: (inout EnvelopeCursor) throws -> T) throws -> T {
        let start = position
        let size = try i64()
        guard size >= 8, size <= Int64(end - start) else { throw malformed("\(what) record frame of size \(size)") }
        var inner = EnvelopeCursor(bytes: bytes, start: position, end: start + Int(size), file: file, object: object)
        let value = try body(&inner)
        position = start + Int(size)
        return value
    }

    /// A list frame: calls `item` for each of its items (each reads its own frame or fixed layout), then
    /// continues after the frame by its size.
    mutating func list<T>(_ what: String, _ item: (inout EnvelopeCursor, Int) throws -> T) throws -> [T] {
        try listWithTrailer(what, item).items
    }

    /// A list frame whose items are followed, inside the frame, by more fields: returns the items and a
    /// cursor positioned after them, limited to the frame.
    mutating func listWithTrailer<T>(_ what: String, _ item: (inout EnvelopeCursor, Int) throws -> T)
        throws -> (items: [T], trailer: EnvelopeCursor)
    {
        let start = position
        let size = try i64()
        guard size < 0, size != Int64.min, -size >= 12, -size <= Int64(end - start) else {
            throw malformed("\(what) list frame of size \(size)")
        }
        let frameEnd = start + Int(-size)
        let count = Int(try u32())
        guard count <= frameEnd - position else { throw malformed("\(what) list of \(count) items in \(frameEnd - position) bytes") }
        var inner = EnvelopeCursor(bytes: bytes, start: position, end: frameEnd, file: file, object: object)
        var out: [T] = []
        out.reserveCapacity(count)
        for i in 0..<count { out.append(try item(&inner, i)) }
        position = frameEnd
        return (out, inner)
    }

    /// A locator: a byte range in the file (standard, or the "large" non-standard kind).
    mutating func locator() throws -> ByteRange {
        let start = position
        let size = try i32()
        if size >= 0 {
            let offset = try u64()
            guard offset <= UInt64(Int64.max) else { throw malformed("locator offset \(offset)") }
            return ByteRange(offset: Int64(offset), count: Int(size))
        }
        let bits = UInt32(bitPattern: size)
        let length = Int(bits & 0xFFFF)
        let type = Int(Int8(bitPattern: UInt8(bits >> 24))).magnitude & 0x7F
        guard type == 1 else { throw malformed("locator of unknown type \(type)") }
        let count = try u64()
        let offset = try u64()
        guard count <= UInt64(Int32.max) * 8, offset <= UInt64(Int64.max) else {
            throw malformed("large locator of \(count) bytes at \(offset)")
        }
        if length > position - start { try seek(to: start + length) }
        return ByteRange(offset: Int64(offset), count: Int(count))
    }

    /// An envelope link: uncompressed size and locator.
    mutating func envelopeLink() throws -> EnvelopeLink {
        let length = try u64()
        let where_ = try locator()
        guard length <= UInt64(Int.max) else { throw malformed("envelope length \(length)") }
        return EnvelopeLink(length: Int(length), location: where_)
    }
}

/// Where an envelope is and how long it is once decompressed.
struct EnvelopeLink: Sendable {
    var length: Int
    var location: ByteRange
}
