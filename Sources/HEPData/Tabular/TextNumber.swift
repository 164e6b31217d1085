#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses numbers written as text (CSV fields) straight from bytes, without building strings.
enum TextNumber {
    /// The range without leading and trailing spaces and tabs.
    static func trimmed(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Range<Int> {
        var a = r.lowerBound, b = r.upperBound
        while a < b, p[a] == 0x20 || p[a] == 0x09 { a += 1 }
        while b > a, p[b - 1] == 0x20 || p[b - 1] == 0x09 { b -= 1 }
        return a..<b
    }

    /// Empty, `NaN`, `nan` or `NA`: a missing value.
    static func isMissing(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        let t = trimmed(p, r)
        switch t.count {
        case 0: return true
        case 2: return p[t.lowerBound] == UInt8(ascii: "N") && p[t.lowerBound + 1] == UInt8(ascii: "A")
        case 3:
            let a = p[t.lowerBound] | 0x20, b = p[t.lowerBound + 1] | 0x20, c = p[t.lowerBound + 2] | 0x20
            return a == UInt8(ascii: "n") && b == UInt8(ascii: "a") && c == UInt8(ascii: "n")
        default: return false
        }
    }

    /// A decimal integer (optional sign) or a boolean (`true`/`false` in any case → 1/0); nil otherwise or on
    /// overflow.
    static func int64(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int64? {
        let t = trimmed(p, r)
        guard !t.isEmpty else { return nil }
        var i = t.lowerBound
        var negative = false
        if p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
            negative = p[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < t.upperBound else { return nil }
        var v: Int64 = 0
        while i < t.upperBound {
            let d = p[i] &- UInt8(ascii: "0")
            guard d < 10 else { return boolean(p, t) }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            v = s
            i += 1
        }
        return v
    }

    private static func boolean(_ p: UnsafeBufferPointer<UInt8>, _ t: Range<Int>) -> Int64? {
        func equals(_ word: StaticString) -> Bool {
            guard t.count == word.utf8CodeUnitCount else { return false }
            let w = word.utf8Start
            for k in 0..<t.count where p[t.lowerBound + k] | 0x20 != w[k] { return false }
            return true
        }
        if equals("true") { return 1 }
        if equals("false") { return 0 }
        return nil
    }

    /// A floating-point number (`1.5`, `-2e-3`, `inf`, `nan`); nil when the text is not entirely a number.
    static func double(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Double? {
        let t = trimmed(p, r)
        guard !t.isEmpty, t.count < 256 else { return nil }
        if let i = int64(p, t), p[t.lowerBound] | 0x20 != UInt8(ascii: "t"), p[t.lowerBound] | 0x20 != UInt8(ascii: "f") {
            return Double(i)
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: t.count + 1) { buf -> Double? in
            for k in 0..<t.count { buf[k] = CChar(bitPattern: p[t.lowerBound + k]) }
            buf[t.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(buf.baseAddress!, &end)
            guard let end, buf.baseAddress!.distance(to: end) == t.count else { return nil }
            return v
        }
    }
}
