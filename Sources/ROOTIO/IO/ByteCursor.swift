/// A big-endian reader over a byte array with bounds checks that throw, never trap.
///
/// Positions are also reported in "key coordinates" (`origin + position`): ROOT's class-tag back-references
/// count from the start of the key record, so a buffer holding a key's payload has `origin = fKeylen`.
public struct ByteCursor: Sendable {
    public let bytes: [UInt8]
    public var position: Int
    /// Key coordinate of `bytes[0]`.
    public let origin: Int
    /// File name and object for error messages.
    public let file: String
    public var object: String
    /// File offset of `bytes[0]`, for error messages (-1 when the buffer is decompressed).
    public let fileOffset: Int64

    public init(bytes: [UInt8], origin: Int = 0, file: String, object: String, fileOffset: Int64 = -1) {
        self.bytes = bytes
        self.position = 0
        self.origin = origin
        self.file = file
        self.object = object
        self.fileOffset = fileOffset
    }

    /// Position in key coordinates.
    public var keyPosition: Int { origin + position }
    public var remaining: Int { bytes.count - position }

    var errorOffset: Int64 { fileOffset >= 0 ? fileOffset + Int64(position) : Int64(keyPosition) }

    func truncated(_ needed: Int) -> ROOTIOError {
        .truncated(file: file, object: object, offset: errorOffset, needed: needed, available: max(0, remaining))
    }

    func malformed(_ reason: String) -> ROOTIOError {
        .malformed(file: file, object: object, offset: errorOffset, reason: reason)
    }

    @inline(__always)
    mutating func need(_ n: Int) throws {
        guard n >= 0, position >= 0, n <= bytes.count - position else { throw truncated(n) }
    }

    @inline(__always)
    mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let n = MemoryLayout<T>.size
        try need(n)
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: T.self) }
        position += n
        return T(bigEndian: v)
    }

    public mutating func u8() throws -> UInt8 { try load(UInt8.self) }
    public mutating func i8() throws -> Int8 { try load(Int8.self) }
    public mutating func u16() throws -> UInt16 { try load(UInt16.self) }
    public mutating func i16() throws -> Int16 { try load(Int16.self) }
    public mutating func u32() throws -> UInt32 { try load(UInt32.self) }
    public mutating func i32() throws -> Int32 { try load(Int32.self) }
    public mutating func u64() throws -> UInt64 { try load(UInt64.self) }
    public mutating func i64() throws -> Int64 { try load(Int64.self) }
    public mutating func f64() throws -> Double { Double(bitPattern: try u64()) }
    public mutating func bool() throws -> Bool { try u8() != 0 }

    /// Moves forward by `n` bytes.
    public mutating func skip(_ n: Int) throws {
        try need(n)
        position += n
    }

    /// Jumps to an absolute position in key coordinates.
    public mutating func seek(keyPosition target: Int) throws {
        let p = target - origin
        guard p >= 0, p <= bytes.count else { throw truncated(p - position) }
        position = p
    }

    /// `n` raw bytes.
    public mutating func bytes(_ n: Int) throws -> ArraySlice<UInt8> {
        try need(n)
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    /// A ROOT TString: a u8 length (255 means a u32 length follows), then the bytes.
    public mutating func string() throws -> String {
        var n = Int(try u8())
        if n == 255 { n = Int(try u32()) }
        return String(decoding: try bytes(n), as: UTF8.self)
    }

    /// A NUL-terminated C string (class names after a new-class tag).
    public mutating func cString() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0) else { throw truncated(remaining + 1) }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    /// A versioned object header: optional byte count (flag 0x40000000) and a u16 version.
    /// Returns the version and the key-coordinate end of the object when a byte count is present.
    public mutating func versionHeader() throws -> (version: Int16, end: Int?) {
        try need(4)
        let peek = bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: position, as: UInt32.self)) }
        var end: Int?
        if peek & 0x4000_0000 != 0 {
            position += 4
            let count = Int(peek & ~UInt32(0x4000_0000))
            end = keyPosition + count
            guard count >= 2, count <= bytes.count - position + 0 else { throw malformed("byte count \(count) exceeds buffer") }
        }
        let version = try i16()
        if version <= 0, end != nil {
            _ = try u32()  // class checksum of a version-0 (foreign) class
        }
        return (version, end)
    }

    /// Moves to the end recorded by `versionHeader`, if any.
    public mutating func finish(_ end: Int?) throws {
        if let end { try seek(keyPosition: end) }
    }
}
