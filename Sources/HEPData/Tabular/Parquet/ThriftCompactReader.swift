/// Reads the Thrift compact protocol (the encoding of Parquet's footer and page headers): zigzag varints,
/// field headers with id deltas, lists, maps and nested structs. Every read is bounds-checked; nesting and
/// collection sizes are limited so a corrupt footer fails with an error instead of exhausting memory.
struct ThriftCompactReader {
    /// Compact-protocol wire types.
    enum WireType: UInt8 {
        case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8
        case list = 9, set = 10, map = 11, structure = 12
    }

    /// A problem in the Thrift bytes, at a byte position relative to the start of the buffer.
    struct Failure: Error, Equatable {
        var position: Int
        var reason: String
    }

    /// The buffer; `position` counts from its first byte.
    let bytes: ArraySlice<UInt8>
    private(set) var position: Int
    private var lastFieldIDs: [Int16] = []
    private var lastFieldID: Int16 = 0
    /// Value of the boolean carried in the last field header.
    private var pendingBool: Bool?
    static let maxDepth = 64

    init(_ bytes: [UInt8], position: Int = 0) {
        self.init(bytes[...], position: position)
    }

    /// Reads a slice without copying it (a column chunk's page headers).
    init(_ bytes: ArraySlice<UInt8>, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    private func fail(_ reason: String) -> Failure { Failure(position: position, reason: reason) }

    mutating func byte() throws(Failure) -> UInt8 {
        guard position < bytes.count else { throw fail("ends inside a value") }
        defer { position += 1 }
        return bytes[bytes.startIndex + position]
    }

    mutating func varint() throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw fail("varint longer than 10 bytes") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func zigzag() throws(Failure) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func i32() throws(Failure) -> Int32 {
        let v = try zigzag()
        guard let r = Int32(exactly: v) else { throw fail("i32 out of range: \(v)") }
        return r
    }

    mutating func i64() throws(Failure) -> Int64 { try zigzag() }

    mutating func binary() throws(Failure) -> ArraySlice<UInt8> {
        let n = try varint()
        guard n <= UInt64(bytes.count - position) else { throw fail("binary of \(n) bytes past the end") }
        defer { position += Int(n) }
        return bytes[(bytes.startIndex + position)..<(bytes.startIndex + position + Int(n))]
    }

    mutating func string() throws(Failure) -> String { String(decoding: try binary(), as: UTF8.self) }

    /// The boolean value of a field whose header was just read.
    mutating func bool() throws(Failure) -> Bool {
        if let b = pendingBool { pendingBool = nil; return b }
        return try byte() == 1
    }

    /// The next field's id and type, or nil at the struct's stop byte.
    mutating func fieldHeader() throws(Failure) -> (id: Int16, type: WireType)? {
        let b = try byte()
        guard let type = WireType(rawValue: b & 0x0F) else { throw fail("unknown wire type \(b & 0x0F)") }
        if type == .stop { return nil }
        let delta = Int16(b >> 4)
        if delta == 0 {
            let id = try zigzag()
            guard let i = Int16(exactly: id) else { throw fail("field id \(id)") }
            lastFieldID = i
        } else {
            lastFieldID &+= delta
        }
        if type == .boolTrue || type == .boolFalse { pendingBool = type == .boolTrue }
        return (lastFieldID, type)
    }

    mutating func beginStruct() throws(Failure) {
        guard lastFieldIDs.count < Self.maxDepth else { throw fail("structs nested deeper than \(Self.maxDepth)") }
        lastFieldIDs.append(lastFieldID)
        lastFieldID = 0
    }

    mutating func endStruct() {
        lastFieldID = lastFieldIDs.popLast() ?? 0
    }

    /// A list or set header: element count and type.
    mutating func listHeader() throws(Failure) -> (count: Int, type: WireType) {
        let b = try byte()
        var n = UInt64(b >> 4)
        if n == 15 { n = try varint() }
        guard let type = WireType(rawValue: b & 0x0F) else { throw fail("unknown list element type \(b & 0x0F)") }
        // Every element takes at least one byte, so a count beyond the remaining bytes is corrupt.
        guard n <= UInt64(bytes.count - position) else { throw fail("list of \(n) elements past the end") }
        return (Int(n), type)
    }

    /// Reads a struct with `body` called for each field; unknown fields must be skipped by `body`.
    mutating func readStruct(_ body: (inout ThriftCompactReader, Int16, WireType) throws(Failure) -> Void) throws(Failure) {
        try beginStruct()
        while let f = try fieldHeader() { try body(&self, f.id, f.type) }
        endStruct()
    }

    /// Reads a list whose elements are read by `element`.
    mutating func readList<T>(_ element: (inout ThriftCompactReader) throws(Failure) -> T) throws(Failure) -> [T] {
        let (n, _) = try listHeader()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try element(&self)) }
        return out
    }

    /// Skips a value of `type` (unknown fields).
    mutating func skip(_ type: WireType, depth: Int = 0) throws(Failure) {
        guard depth < Self.maxDepth else { throw fail("values nested deeper than \(Self.maxDepth)") }
        switch type {
        case .stop: return
        case .boolTrue, .boolFalse: pendingBool = nil
        case .byte: _ = try byte()
        case .i16, .i32, .i64: _ = try varint()
        case .double:
            guard bytes.count - position >= 8 else { throw fail("double past the end") }
            position += 8
        case .binary: _ = try binary()
        case .list, .set:
            let (n, t) = try listHeader()
            for _ in 0..<n {
                if t == .boolTrue || t == .boolFalse { _ = try byte() } else { try skip(t, depth: depth + 1) }
            }
        case .map:
            let n = try varint()
            guard n <= UInt64(bytes.count - position) else { throw fail("map of \(n) entries past the end") }
            if n == 0 { return }
            let kv = try byte()
            guard let k = WireType(rawValue: kv >> 4), let v = WireType(rawValue: kv & 0x0F) else {
                throw fail("unknown map types \(kv)")
            }
            for _ in 0..<n {
                if k == .boolTrue || k == .boolFalse { _ = try byte() } else { try skip(k, depth: depth + 1) }
                if v == .boolTrue || v == .boolFalse { _ = try byte() } else { try skip(v, depth: depth + 1) }
            }
        case .structure:
            try beginStruct()
            while let f = try fieldHeader() { try skip(f.type, depth: depth + 1) }
            endStruct()
        }
    }
}
