/// A Parquet physical type the reader decodes (BOOLEAN, INT32, INT64, FLOAT, DOUBLE), with its PLAIN decoder.
protocol ParquetPhysical: Sendable, BitwiseCopyable {
    /// Bits one PLAIN value takes.
    static var plainBits: Int { get }
    /// Writes `count` PLAIN-encoded values from `p` to `out`; returns the bytes used, nil if `p` is too short.
    static func copyPlain(_ p: UnsafeRawBufferPointer, count: Int, to out: UnsafeMutablePointer<Self>) -> Int?
    /// The value a null becomes (NaN for floats), nil when nulls cannot be represented.
    static var null: Self? { get }
    /// From a DELTA_BINARY_PACKED value (integers only).
    init?(delta: Int64)
    /// From a 1-bit RLE value (booleans only).
    init?(bit: UInt32)
}

extension ParquetPhysical {
    init?(bit: UInt32) { return nil }

    static var plainBits: Int { 8 * MemoryLayout<Self>.size }

    /// Copies `count` little-endian values (hosts are little-endian).
    static func copyPlain(_ p: UnsafeRawBufferPointer, count: Int, to out: UnsafeMutablePointer<Self>) -> Int? {
        let n = count * MemoryLayout<Self>.stride
        guard count >= 0, n <= p.count else { return nil }
        if n > 0, let src = p.baseAddress { UnsafeMutableRawPointer(out).copyMemory(from: src, byteCount: n) }
        return n
    }

    /// `count` PLAIN values as an array (a dictionary page), nil if `p` is too short.
    static func plainArray(_ p: UnsafeRawBufferPointer, count: Int) -> [Self]? {
        guard count >= 0, count <= p.count * 8 / plainBits else { return nil }
        var ok = false
        let values = [Self](unsafeUninitializedCapacity: count) { b, n in
            ok = count == 0 || b.baseAddress.map { copyPlain(p, count: count, to: $0) != nil } ?? false
            n = ok ? count : 0
        }
        return ok ? values : nil
    }
}

extension Int32: ParquetPhysical {
    static var null: Int32? { nil }
    init?(delta: Int64) { self.init(truncatingIfNeeded: delta) }
}

extension Int64: ParquetPhysical {
    static var null: Int64? { nil }
    init?(delta: Int64) { self = delta }
}

extension Float: ParquetPhysical {
    static var null: Float? { .nan }
    init?(delta: Int64) { return nil }
}

extension Double: ParquetPhysical {
    static var null: Double? { .nan }
    init?(delta: Int64) { return nil }
}

extension Bool: ParquetPhysical {
    static var plainBits: Int { 1 }

    /// PLAIN booleans: one bit each, LSB first.
    static func copyPlain(_ p: UnsafeRawBufferPointer, count: Int, to out: UnsafeMutablePointer<Bool>) -> Int? {
        let n = (count + 7) / 8
        guard count >= 0, n <= p.count else { return nil }
        for i in 0..<count { out[i] = p[i >> 3] >> UInt8(i & 7) & 1 == 1 }
        return n
    }
    static var null: Bool? { nil }
    init?(delta: Int64) { return nil }
    init?(bit: UInt32) { self = bit != 0 }
}
