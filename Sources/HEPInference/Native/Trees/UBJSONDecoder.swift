import Foundation

/// Decodes Universal Binary JSON (the format of XGBoost `.ubj` models) into the same shapes
/// `JSONSerialization` produces: `[String: Any]`, `[Any]`, `String`, `Double`, `Int64`, `Bool`, `NSNull`;
/// strongly typed arrays (`[$type#count`) become `[Float]`, `[Double]`, `[Int32]`, `[Int64]`, `[UInt8]`,
/// `[Int8]` or `[Int16]`. Counts are checked against the bytes left, and nesting is limited.
struct UBJSONDecoder {
    static let maxDepth = 64
    private let bytes: [UInt8]
    private var pos = 0
    private let format = "XGBoost UBJSON"

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func decode(_ bytes: [UInt8]) throws -> Any {
        var d = UBJSONDecoder(bytes)
        let v = try d.value(depth: 0)
        return v
    }

    private func fail(_ m: String) -> TreeModelError { .malformed(format, "\(m) at byte \(pos)") }

    private mutating func byte() throws -> UInt8 {
        guard pos < bytes.count else { throw fail("unexpected end of data") }
        defer { pos += 1 }
        return bytes[pos]
    }

    private mutating func marker() throws -> UInt8 {
        var m = try byte()
        while m == UInt8(ascii: "N") { m = try byte() }
        return m
    }

    private mutating func bigEndian<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let n = MemoryLayout<T>.size
        guard bytes.count - pos >= n else { throw fail("unexpected end of data") }
        var v: T = 0
        for i in 0..<n { v = v << 8 | T(truncatingIfNeeded: bytes[pos + i]) }
        pos += n
        return v
    }

    private static func size(of type: UInt8) -> Int? {
        switch type {
        case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "C"): return 1
        case UInt8(ascii: "I"): return 2
        case UInt8(ascii: "l"), UInt8(ascii: "d"): return 4
        case UInt8(ascii: "L"), UInt8(ascii: "D"): return 8
        default: return nil
        }
    }

    private mutating func integer(type: UInt8) throws -> Int64 {
        switch type {
        case UInt8(ascii: "i"): return Int64(Int8(bitPattern: try byte()))
        case UInt8(ascii: "U"): return Int64(try byte())
        case UInt8(ascii: "I"): return Int64(try bigEndian(Int16.self))
        case UInt8(ascii: "l"): return Int64(try bigEndian(Int32.self))
        case UInt8(ascii: "L"): return try bigEndian(Int64.self)
        default: throw fail("expected an integer type, found '\(Character(UnicodeScalar(type)))'")
        }
    }

    private mutating func count() throws -> Int {
        let n = try integer(type: try byte())
        guard n >= 0, n <= Int64(bytes.count) else { throw fail("count \(n) is negative or exceeds the data") }
        return Int(n)
    }

    private mutating func string() throws -> String {
        let n = try count()
        guard bytes.count - pos >= n else { throw fail("string of \(n) bytes exceeds the data") }
        defer { pos += n }
        return String(decoding: bytes[pos..<(pos + n)], as: UTF8.self)
    }

    private mutating func value(depth: Int) throws -> Any {
        try value(type: try marker(), depth: depth)
    }

    private mutating func value(type: UInt8, depth: Int) throws -> Any {
        switch type {
        case UInt8(ascii: "Z"): return NSNull()
        case UInt8(ascii: "T"): return true
        case UInt8(ascii: "F"): return false
        case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "I"), UInt8(ascii: "l"), UInt8(ascii: "L"):
            return try integer(type: type)
        case UInt8(ascii: "d"): return Double(Float(bitPattern: try bigEndian(UInt32.self)))
        case UInt8(ascii: "D"): return Double(bitPattern: try bigEndian(UInt64.self))
        case UInt8(ascii: "C"): return String(UnicodeScalar(try byte()))
        case UInt8(ascii: "S"), UInt8(ascii: "H"): return try string()
        case UInt8(ascii: "["):
            guard depth < Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth)") }
            return try array(depth: depth + 1)
        case UInt8(ascii: "{"):
            guard depth < Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth)") }
            return try object(depth: depth + 1)
        default:
            throw fail("unknown marker 0x\(String(type, radix: 16))")
        }
    }

    /// Optional `$type` and `#count` after an opening bracket.
    private mutating func containerHeader() throws -> (type: UInt8?, count: Int?) {
        var type: UInt8?
        var n: Int?
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "$") {
            pos += 1
            type = try byte()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "#") else { throw fail("'$' without '#'") }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "#") {
            pos += 1
            n = try count()
        }
        return (type, n)
    }

    private mutating func array(depth: Int) throws -> Any {
        let (type, n) = try containerHeader()
        if let type, let n {
            if let size = Self.size(of: type) {
                guard n <= (bytes.count - pos) / size else { throw fail("array of \(n) elements exceeds the data") }
                return try typedArray(type: type, count: n)
            }
            var out = [Any]()
            for _ in 0..<min(n, bytes.count - pos + 1) { out.append(try value(type: type, depth: depth)) }
            guard out.count == n else { throw fail("array of \(n) elements exceeds the data") }
            return out
        }
        var out = [Any]()
        if let n {
            guard n <= bytes.count - pos else { throw fail("array of \(n) elements exceeds the data") }
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try value(depth: depth)) }
            return out
        }
        while true {
            let m = try marker()
            if m == UInt8(ascii: "]") { return out }
            out.append(try value(type: m, depth: depth))
        }
    }

    private mutating func typedArray(type: UInt8, count n: Int) throws -> Any {
        switch type {
        case UInt8(ascii: "d"): return try (0..<n).map { _ in Float(bitPattern: try bigEndian(UInt32.self)) }
        case UInt8(ascii: "D"): return try (0..<n).map { _ in Double(bitPattern: try bigEndian(UInt64.self)) }
        case UInt8(ascii: "l"): return try (0..<n).map { _ in try bigEndian(Int32.self) }
        case UInt8(ascii: "L"): return try (0..<n).map { _ in try bigEndian(Int64.self) }
        case UInt8(ascii: "I"): return try (0..<n).map { _ in try bigEndian(Int16.self) }
        case UInt8(ascii: "i"): return try (0..<n).map { _ in Int8(bitPattern: try byte()) }
        default: return try (0..<n).map { _ in try byte() }
        }
    }

    private mutating func object(depth: Int) throws -> Any {
        let (type, n) = try containerHeader()
        var out = [String: Any]()
        if let n {
            guard n <= bytes.count - pos else { throw fail("object of \(n) entries exceeds the data") }
            for _ in 0..<n {
                let key = try string()
                out[key] = try type.map { try value(type: $0, depth: depth) } ?? value(depth: depth)
            }
            return out
        }
        while true {
            guard pos < bytes.count else { throw fail("unexpected end of data") }
            if bytes[pos] == UInt8(ascii: "}") {
                pos += 1
                return out
            }
            let key = try string()
            out[key] = try value(depth: depth)
        }
    }
}
