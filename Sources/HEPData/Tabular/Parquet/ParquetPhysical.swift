/// A Parquet physical type the reader decodes (BOOLEAN, INT32, INT64, FLOAT, DOUBLE), with its PLAIN decoder.
protocol ParquetPhysical: Sendable {
    /// Appends `count` PLAIN-encoded values from `p`; returns the bytes used, nil if `p` is too short.
    static func appendPlain(_ p: UnsafeRawBufferPointer, count: Int, to out: inout [Self]) -> Int?
    /// The value a null becomes (NaN for floats), nil when nulls cannot be represented.
    static var null: Self? { get }
    /// From a DELTA_BINARY_PACKED value (integers only).
    init?(delta: Int64)
    /// From a 1-bit RLE value (booleans only).
    init?(bit: UInt32)
}

extension ParquetPhysical {
    init?(bit: UInt32) { return nil }
}

extension ParquetPhysical where Self: FixedWidthInteger & BitwiseCopyable {
    static func appendPlain(_ p: UnsafeRawBufferPointer, count: Int, to out: inout [Self]) -> Int? {
        appendLittleEndian(p, count: count, to: &out)
    }
    static var null: Self? { nil }
}

/// Appends `count` little-endian values of a fixed-width type with one copy (hosts are little-endian).
func appendLittleEndian<T: BitwiseCopyable>(_ p: UnsafeRawBufferPointer, count: Int, to out: inout [T]) -> Int? {
    let n = count * MemoryLayout<T>.stride
    guard count >= 0, n <= p.count else { return nil }
    guard n > 0 else { return 0 }
    let page = [T](unsafeUninitializedCapacity: count) { b, initialized in
        UnsafeMutableRawPointer(b.baseAddress!).copyMemory(from: p.baseAddress!, byteCount: n)
        initialized = count
    }
    if out.isEmpty { out = page } else { out.append(contentsOf: page) }
    return n
}

extension Int32: ParquetPhysical {
    init?(delta: Int64) { self.init(truncatingIfNeeded: delta) }
}

extension Int64: ParquetPhysical {
    init?(delta: Int64) { self = delta }
}

extension Float: ParquetPhysical {
    static func appendPlain(_ p: UnsafeRawBufferPointer, count: Int, to out: inout [Float]) -> Int? {
        appendLittleEndian(p, count: count, to: &out)
    }
    static var null: Float? { .nan }
    init?(delta: Int64) { return nil }
}

extension Double: ParquetPhysical {
    static func appendPlain(_ p: UnsafeRawBufferPointer, count: Int, to out: inout [Double]) -> Int? {
        appendLittleEndian(p, count: count, to: &out)
    }
    static var null: Double? { .nan }
    init?(delta: Int64) { return nil }
}

extension Bool: ParquetPhysical {
    /// PLAIN booleans: one bit each, LSB first.
    static func appendPlain(_ p: UnsafeRawBufferPointer, count: Int, to out: inout [Bool]) -> Int? {
        let n = (count + 7) / 8
        guard n <= p.count else { return nil }
        out.reserveCapacity(out.count + count)
        for i in 0..<count { out.append(p[i >> 3] >> UInt8(i & 7) & 1 == 1) }
        return n
    }
    static var null: Bool? { nil }
    init?(delta: Int64) { return nil }
    init?(bit: UInt32) { self = bit != 0 }
}
