#if canImport(Glibc)
import Glibc
#endif

/// A small JSON reader for request bodies: no Foundation bridging or dynamic casts, numbers parsed with
/// `strtod` straight from the bytes.
indirect enum FastJSON {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([FastJSON])
    case object([(String, FastJSON)])

    subscript(key: String) -> FastJSON? {
        if case let .object(m) = self { return m.first { $0.0 == key }?.1 }
        return nil
    }

    var array: [FastJSON]? { if case let .array(a) = self { return a } else { return nil } }
    var string: String? { if case let .string(s) = self { return s } else { return nil } }
    var number: Double? { if case let .number(d) = self { return d } else { return nil } }
    var bool: Bool? { if case let .bool(b) = self { return b } else { return nil } }

    /// Parses `bytes` (a complete document); nil when it is not valid JSON.
    static func parse(_ bytes: [UInt8]) -> FastJSON? {
        var text = bytes
        text.append(0)
        return text.withUnsafeBufferPointer { buf -> FastJSON? in
            var p = Parser(b: buf, i: 0, end: buf.count - 1)
            guard let v = p.value(depth: 0) else { return nil }
            p.space()
            return p.i == p.end ? v : nil
        }
    }

    private struct Parser {
        let b: UnsafeBufferPointer<UInt8>
        var i: Int
        let end: Int

        mutating func space() { while i < end, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }

        mutating func value(depth: Int) -> FastJSON? {
            guard depth < 256 else { return nil }
            space()
            guard i < end else { return nil }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1
                var members: [(String, FastJSON)] = []
                space()
                if i < end, b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                while true {
                    space()
                    guard i < end, b[i] == UInt8(ascii: "\""), let k = string() else { return nil }
                    space()
                    guard i < end, b[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    guard let v = value(depth: depth + 1) else { return nil }
                    members.append((k, v))
                    space()
                    guard i < end else { return nil }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                    return nil
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [FastJSON] = []
                space()
                if i < end, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    guard let v = value(depth: depth + 1) else { return nil }
                    items.append(v)
                    space()
                    guard i < end else { return nil }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    return nil
                }
            case UInt8(ascii: "\""): return string().map { .string($0) }
            case UInt8(ascii: "t"): return word("true", .bool(true))
            case UInt8(ascii: "f"): return word("false", .bool(false))
            case UInt8(ascii: "n"): return word("null", .null)
            default:
                let c = b[i]
                guard c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { return nil }
                let start = UnsafeMutablePointer(mutating: b.baseAddress! + i)
                var stop: UnsafeMutablePointer<CChar>?
                let d = start.withMemoryRebound(to: CChar.self, capacity: end - i + 1) { strtod($0, &stop) }
                guard let stop else { return nil }
                let n = UnsafeRawPointer(stop) - UnsafeRawPointer(start)
                guard n > 0 else { return nil }
                i += n
                return .number(d)
            }
        }

        mutating func word(_ w: StaticString, _ v: FastJSON) -> FastJSON? {
            let n = w.utf8CodeUnitCount
            guard i + n <= end, memcmp(b.baseAddress! + i, w.utf8Start, n) == 0 else { return nil }
            i += n
            return v
        }

        mutating func string() -> String? {
            i += 1
            let start = i
            var escaped = false
            while i < end, b[i] != UInt8(ascii: "\"") {
                if b[i] == UInt8(ascii: "\\") { escaped = true; i += 1 }
                i += 1
            }
            guard i < end else { return nil }
            let raw = UnsafeBufferPointer(rebasing: b[start..<i])
            i += 1
            if !escaped { return String(decoding: raw, as: UTF8.self) }
            var out: [UInt8] = []
            var k = 0
            while k < raw.count {
                if raw[k] == UInt8(ascii: "\\"), k + 1 < raw.count {
                    k += 1
                    switch raw[k] {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard k + 4 < raw.count, let v = UInt32(String(decoding: UnsafeBufferPointer(rebasing: raw[(k + 1)...(k + 4)]), as: UTF8.self), radix: 16),
                              let scalar = Unicode.Scalar(v) else { return nil }
                        out += Array(String(Character(scalar)).utf8)
                        k += 4
                    default: out.append(raw[k])
                    }
                } else {
                    out.append(raw[k])
                }
                k += 1
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
