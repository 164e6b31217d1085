import ROOTIO

/// A column element type the layout and the statistics read directly (no Double copy of the column):
/// every reader scalar type converts to Double exactly as `ColumnValues.doubles()` does.
protocol LayoutScalar {
    var layoutDouble: Double { get }
    /// True when `Double(x) * Double(x)` is exact for every value of the type (no product error term).
    static var squareIsExact: Bool { get }
}

extension Bool: LayoutScalar {
    var layoutDouble: Double { self ? 1 : 0 }
    static var squareIsExact: Bool { true }
}
extension Int8: LayoutScalar {
    var layoutDouble: Double { Double(self) }
    static var squareIsExact: Bool { true }
}
extension UInt8: LayoutScalar {
    var layoutDouble: Double { Double(self) }
    static var squareIsExact: Bool { true }
}
extension Int16: LayoutScalar {
    var layoutDouble: Double { Double(self) }
    static var squareIsExact: Bool { true }
}
extension UInt16: LayoutScalar {
    var layoutDouble: Double { Double(self) }
    static var squareIsExact: Bool { true }
}
extension Int32: LayoutScalar {
    var layoutDouble: Double { Double(self) }
    static var squareIsExact: Bool { false }
}
extension UInt32: LayoutScalar {
    var layoutDouble: Double { Double(self) }
    static var squareIsExact: Bool { false }
}
extension Int64: LayoutScalar {
    var layoutDouble: Double { Double(self) }
    static var squareIsExact: Bool { false }
}
extension UInt64: LayoutScalar {
    var layoutDouble: Double { Double(self) }
    static var squareIsExact: Bool { false }
}
extension Float: LayoutScalar {
    var layoutDouble: Double { Double(self) }
    static var squareIsExact: Bool { true }
}
extension Double: LayoutScalar {
    var layoutDouble: Double { self }
    static var squareIsExact: Bool { false }
}

/// A loop over one column's typed values, called once per column with the concrete element type (so the
/// compiler specializes the loop per type; no per-value type switch and no Double copy of the column).
protocol ScalarVisitor {
    associatedtype Result
    func visit<T: LayoutScalar>(_ values: UnsafePointer<T>, count: Int) -> Result
}

/// A column's typed storage as a pointer, valid while the column's array is alive and unchanged (the
/// chunk that owns the column keeps it so).
enum ScalarPointer: @unchecked Sendable {
    case bool(UnsafePointer<Bool>), int8(UnsafePointer<Int8>), uint8(UnsafePointer<UInt8>), int16(UnsafePointer<Int16>)
    case uint16(UnsafePointer<UInt16>), int32(UnsafePointer<Int32>), uint32(UnsafePointer<UInt32>), int64(UnsafePointer<Int64>)
    case uint64(UnsafePointer<UInt64>), float32(UnsafePointer<Float>), float64(UnsafePointer<Double>)

    /// Runs `visitor` over the first `count` values.
    func visit<V: ScalarVisitor>(_ visitor: V, count: Int) -> V.Result {
        switch self {
        case let .bool(p): return visitor.visit(p, count: count)
        case let .int8(p): return visitor.visit(p, count: count)
        case let .uint8(p): return visitor.visit(p, count: count)
        case let .int16(p): return visitor.visit(p, count: count)
        case let .uint16(p): return visitor.visit(p, count: count)
        case let .int32(p): return visitor.visit(p, count: count)
        case let .uint32(p): return visitor.visit(p, count: count)
        case let .int64(p): return visitor.visit(p, count: count)
        case let .uint64(p): return visitor.visit(p, count: count)
        case let .float32(p): return visitor.visit(p, count: count)
        case let .float64(p): return visitor.visit(p, count: count)
        }
    }
}

extension Array {
    /// The storage address (a valid dummy for an empty array); see `ScalarPointer` for its lifetime.
    var readAddress: UnsafePointer<Element> {
        withUnsafeBufferPointer { $0.baseAddress } ?? UnsafePointer(bitPattern: MemoryLayout<Element>.alignment).unsafelyUnwrapped
    }
}

extension ColumnValues {
    var pointer: ScalarPointer {
        switch self {
        case let .bool(v): return .bool(v.readAddress)
        case let .int8(v): return .int8(v.readAddress)
        case let .uint8(v): return .uint8(v.readAddress)
        case let .int16(v): return .int16(v.readAddress)
        case let .uint16(v): return .uint16(v.readAddress)
        case let .int32(v): return .int32(v.readAddress)
        case let .uint32(v): return .uint32(v.readAddress)
        case let .int64(v): return .int64(v.readAddress)
        case let .uint64(v): return .uint64(v.readAddress)
        case let .float32(v): return .float32(v.readAddress)
        case let .float64(v): return .float64(v.readAddress)
        }
    }
}

extension ColumnValues {
    /// Runs `visitor` over the typed storage.
    func visit<V: ScalarVisitor>(_ visitor: V) -> V.Result {
        pointer.visit(visitor, count: count)
    }
}
