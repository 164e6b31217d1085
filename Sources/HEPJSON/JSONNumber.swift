#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A number token that matched the RFC 8259 grammar `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`,
/// with its decimal significand and exponent collected while scanning.
struct JSONNumber {
    var start: Int
    var end: Int
    var negative: Bool
    /// The leading significant digits (as many as fit in 64 bits).
    var significand: UInt64
    /// Digits were dropped from `significand` (the value is then read with `strtod`).
    var truncated: Bool
    /// value = ±significand × 10^exponent (when not truncated).
    var exponent: Int
    /// No fraction and no exponent part.
    var isInteger: Bool

    private static let powers: [Double] = (0...22).map { e in (0..<e).reduce(1.0) { r, _ in r * 10 } }

    /// The nearest Double: exact arithmetic when the significand and power of ten are both exact doubles
    /// (the result is then correctly rounded), `strtod` on the token otherwise.
    func double(in bytes: UnsafeRawBufferPointer) -> Double {
        if !truncated, significand <= 1 << 53, exponent >= -22, exponent <= 22 {
            let m = Double(significand)
            let v = exponent >= 0 ? m * Self.powers[exponent] : m / Self.powers[-exponent]
            return negative ? -v : v
        }
        let n = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { text in
            for k in 0..<n { text[k] = CChar(bitPattern: bytes[start + k]) }
            text[n] = 0
            return strtod(text.baseAddress!, nil)
        }
    }

    /// The exact value as Int64, or nil when it is not an integer in range.
    func int64(in bytes: UnsafeRawBufferPointer) -> Int64? {
        if isInteger, !truncated {
            if negative {
                if significand <= UInt64(Int64.max) { return -Int64(significand) }
                return significand == UInt64(Int64.max) + 1 ? Int64.min : nil
            }
            return significand <= UInt64(Int64.max) ? Int64(significand) : nil
        }
        let d = double(in: bytes)
        return d.rounded() == d ? Int64(exactly: d) : nil
    }

    /// The exact value as UInt64, or nil when it is not a non-negative integer in range.
    func uint64(in bytes: UnsafeRawBufferPointer) -> UInt64? {
        if isInteger, !truncated { return negative ? (significand == 0 ? 0 : nil) : significand }
        let d = double(in: bytes)
        return d.rounded() == d ? UInt64(exactly: d) : nil
    }
}

extension JSONScanner {
    /// Scans a number at the current position, enforcing the RFC 8259 grammar (no leading zeros, `+`,
    /// bare `.`, hexadecimal, `Infinity` or `NaN`).
    mutating func number() throws -> JSONNumber {
        let start = i
        var n = JSONNumber(start: i, end: i, negative: false, significand: 0, truncated: false, exponent: 0, isInteger: true)
        if i < count, bytes[i] == UInt8(ascii: "-") { n.negative = true; i += 1 }
        guard i < count, isDigit(bytes[i]) else { throw fail("invalid number", at: start) }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < count, isDigit(bytes[i]) { throw fail("leading zero in a number", at: start) }
        } else {
            while i < count, isDigit(bytes[i]) { n.addDigit(bytes[i], fraction: false); i += 1 }
        }
        if i < count, bytes[i] == UInt8(ascii: ".") {
            n.isInteger = false
            i += 1
            guard i < count, isDigit(bytes[i]) else { throw fail("a digit must follow the decimal point", at: i) }
            while i < count, isDigit(bytes[i]) { n.addDigit(bytes[i], fraction: true); i += 1 }
        }
        if i < count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            n.isInteger = false
            i += 1
            var negativeExponent = false
            if i < count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                negativeExponent = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < count, isDigit(bytes[i]) else { throw fail("a digit must follow the exponent marker", at: i) }
            var e = 0
            while i < count, isDigit(bytes[i]) {
                if e < 1_000_000 { e = e * 10 + Int(bytes[i] - 0x30) }
                i += 1
            }
            n.exponent += negativeExponent ? -e : e
        }
        n.end = i
        return n
    }

    @inline(__always) func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
}

extension JSONNumber {
    @inline(__always) mutating func addDigit(_ c: UInt8, fraction: Bool) {
        let d = UInt64(c - 0x30)
        if !truncated {
            let (m, o1) = significand.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(d)
            if !o1, !o2 {
                significand = s
                if fraction { exponent -= 1 }
                return
            }
            truncated = true
        }
        if !fraction { exponent += 1 }
    }
}
