/// A bounds-checked big-endian reader over one entry of a basket (strings and STL containers), throwing
/// `ROOTIOError` with the basket context and byte position instead of trapping.
struct EntryBytes {
    let data: UnsafeRawBufferPointer
    var position: Int
    /// End of the entry (exclusive).
    let end: Int
    let context: String
    let file: String

    /// Bit 30 of an object header's byte count (ROOT's kByteCountMask).
    static let byteCountFlag: UInt32 = 0x4000_0000
    /// Version bit of a container streamed member-wise (ROOT's kStreamedMemberWise).
    static let memberwiseFlag: UInt16 = 0x4000

    func malformed(_ why: String) -> ROOTIOError {
        .malformed(file: file, object: context, offset: Int64(position), reason: why)
    }

    @inline(__always)
    mutating func need(_ n: Int) throws {
        guard n >= 0, n <= end - position else {
            throw ROOTIOError.truncated(file: file, object: context, offset: Int64(position), needed: n,
                                        available: max(0, end - position))
        }
    }

    @inline(__always)
    mutating func u8() throws -> UInt8 {
        try need(1)
        defer { position += 1 }
        return data[position]
    }

    @inline(__always)
    mutating func u16() throws -> UInt16 {
        try need(2)
        defer { position += 2 }
        return UInt16(bigEndian: data.loadUnaligned(fromByteOffset: position, as: UInt16.self))
    }

    @inline(__always)
    mutating func u32() throws -> UInt32 {
        try need(4)
        defer { position += 4 }
        return UInt32(bigEndian: data.loadUnaligned(fromByteOffset: position, as: UInt32.self))
    }

    /// A non-negative element count whose elements of at least `minimumBytes` each fit in the entry.
    mutating func count(minimumBytes: Int) throws -> Int {
        let n = Int(Int32(bitPattern: try u32()))
        guard n >= 0, n <= (end - position) / max(1, minimumBytes) else { throw malformed("count \(n) does not fit in the \(end - position) bytes left") }
        return n
    }

    /// An object header (byte count with bit 30 set, version); returns where the object ends.
    mutating func objectHeader() throws -> Int {
        let start = position
        let byteCount = try u32()
        guard byteCount & Self.byteCountFlag != 0 else {
            position = start
            throw malformed("object header without a byte count (0x\(String(byteCount, radix: 16)))")
        }
        let objectEnd = start + 4 + Int(byteCount & ~Self.byteCountFlag)
        guard objectEnd <= end else {
            position = start
            throw malformed("object of \(byteCount & ~Self.byteCountFlag) bytes overruns the entry")
        }
        let version = try u16()
        guard version & Self.memberwiseFlag == 0 else {
            throw ROOTIOError.unsupported(file: file, object: context, reason: "container streamed member-wise")
        }
        return objectEnd
    }

    /// A string's length: one byte, or 255 followed by a 4-byte length. Its bytes must fit in the entry.
    mutating func stringLength() throws -> Int {
        var n = Int(try u8())
        if n == 255 { n = Int(Int32(bitPattern: try u32())) }
        guard n >= 0, n <= end - position else { throw malformed("string of \(n) bytes overruns the entry") }
        return n
    }

    /// Checks that decoding stopped exactly at `expected` (an object's or the entry's end).
    func expectEnd(_ expected: Int, what: String) throws {
        guard position == expected else {
            throw malformed("\(what) ends at byte \(position), expected \(expected)")
        }
    }
}
