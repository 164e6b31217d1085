/// A Swift type that stores one `ScalarType`, with a whole-buffer big-endian decoder.
public protocol ColumnScalar: Sendable, Equatable {
    static var scalarType: ScalarType { get }
    /// Decodes `count` big-endian elements from `source` into `destination`.
    static func decodeBigEndian(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Self>)
    /// Wraps an array in the type-erased column storage.
    static func wrap(_ values: [Self]) -> ColumnValues
}

extension ColumnScalar where Self: FixedWidthInteger {
    @inline(__always)
    public static func decodeBigEndian(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Self>) {
        let step = MemoryLayout<Self>.size
        for i in 0..<count {
            destination[i] = Self(bigEndian: source.loadUnaligned(fromByteOffset: i &* step, as: Self.self))
        }
    }
}

extension Int8: ColumnScalar {
    public static var scalarType: ScalarType { .int8 }
    public static func wrap(_ v: [Int8]) -> ColumnValues { .int8(v) }
}
extension UInt8: ColumnScalar {
    public static var scalarType: ScalarType { .uint8 }
    public static func wrap(_ v: [UInt8]) -> ColumnValues { .uint8(v) }
}
extension Int16: ColumnScalar {
    public static var scalarType: ScalarType { .int16 }
    public static func wrap(_ v: [Int16]) -> ColumnValues { .int16(v) }
}
extension UInt16: ColumnScalar {
    public static var scalarType: ScalarType { .uint16 }
    public static func wrap(_ v: [UInt16]) -> ColumnValues { .uint16(v) }
}
extension Int32: ColumnScalar {
    public static var scalarType: ScalarType { .int32 }
    public static func wrap(_ v: [Int32]) -> ColumnValues { .int32(v) }
}
extension UInt32: ColumnScalar {
    public static var scalarType: ScalarType { .uint32 }
    public static func wrap(_ v: [UInt32]) -> ColumnValues { .uint32(v) }
}
extension Int64: ColumnScalar {
    public static var scalarType: ScalarType { .int64 }
    public static func wrap(_ v: [Int64]) -> ColumnValues { .int64(v) }
}
extension UInt64: ColumnScalar {
    public static var scalarType: ScalarType { .uint64 }
    public static func wrap(_ v: [UInt64]) -> ColumnValues { .uint64(v) }
}

extension Float: ColumnScalar {
    public static var scalarType: ScalarType { .float32 }
    public static func wrap(_ v: [Float]) -> ColumnValues { .float32(v) }
    @inline(__always)
    public static func decodeBigEndian(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Float>) {
        destination.withMemoryRebound(to: UInt32.self, capacity: count) { UInt32.decodeBigEndian(source, count: count, into: $0) }
    }
}

extension Double: ColumnScalar {
    public static var scalarType: ScalarType { .float64 }
    public static func wrap(_ v: [Double]) -> ColumnValues { .float64(v) }
    @inline(__always)
    public static func decodeBigEndian(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Double>) {
        destination.withMemoryRebound(to: UInt64.self, capacity: count) { UInt64.decodeBigEndian(source, count: count, into: $0) }
    }
}

extension Bool: ColumnScalar {
    public static var scalarType: ScalarType { .bool }
    public static func wrap(_ v: [Bool]) -> ColumnValues { .bool(v) }
    @inline(__always)
    public static func decodeBigEndian(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Bool>) {
        for i in 0..<count { destination[i] = source.load(fromByteOffset: i, as: UInt8.self) != 0 }
    }
}
