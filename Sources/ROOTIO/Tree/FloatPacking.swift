/// How ROOT packs a `Double32_t` or `Float16_t` value on disk, decided by the range specifier in the leaf
/// title or the class member's comment (`[xmin,xmax]`, `[xmin,xmax,nbits]`, `[0,0,nbits]`).
///
/// - `float32`: a big-endian `float` (Double32_t without a specifier), widened to double.
/// - `scaled`: a big-endian UInt32 `n`, the value is `xmin + n / factor` with `factor = 2^nbits / (xmax - xmin)`
///   (`0xffffffff` for 32 bits), computed in double precision (then rounded to float for Float16_t).
/// - `truncated`: one exponent byte and a big-endian UInt16 holding `bits` mantissa bits with the sign at bit
///   `bits + 1` (Float16_t without a specifier uses 12 bits).
public enum FloatPacking: Sendable, Equatable {
    case float32
    case scaled(xmin: Double, factor: Double)
    case truncated(bits: Int)

    /// Bytes of one packed value.
    public var storedBytes: Int {
        switch self {
        case .float32, .scaled: return 4
        case .truncated: return 3
        }
    }

    /// The packing of a `Double32_t` (`isFloat16` false) or `Float16_t` whose title or comment is `spec`,
    /// or nil when the specifier asks for a mantissa width ROOT's format cannot hold.
    static func of(spec: String, isFloat16: Bool) -> FloatPacking? {
        let range = RangeSpecifier(spec)
        if let range, range.factor > 0 { return .scaled(xmin: range.xmin, factor: range.factor) }
        let bits = Int(range?.xmin ?? 0)
        if bits <= 0 { return isFloat16 ? .truncated(bits: 12) : .float32 }
        return bits <= 22 ? .truncated(bits: bits) : nil
    }

    /// Decodes `count` packed values from `source` into `out` (Float or Double storage).
    @inline(__always)
    static func decode<T: ColumnScalar>(_ packing: FloatPacking, _ source: UnsafeRawPointer, count: Int,
                                        into out: UnsafeMutablePointer<T>) {
        let raw = UnsafeMutableRawPointer(out)
        if T.self == Double.self {
            decode(packing, source, count: count, into: raw.assumingMemoryBound(to: Double.self))
        } else if T.self == Float.self {
            decode(packing, source, count: count, into: raw.assumingMemoryBound(to: Float.self))
        }
    }

    private static func decode(_ packing: FloatPacking, _ source: UnsafeRawPointer, count: Int,
                               into out: UnsafeMutablePointer<Double>) {
        switch packing {
        case .float32:
            for i in 0..<count {
                out[i] = Double(Float(bitPattern: UInt32(bigEndian: source.loadUnaligned(fromByteOffset: 4 &* i, as: UInt32.self))))
            }
        case let .scaled(xmin, factor):
            for i in 0..<count {
                let n = UInt32(bigEndian: source.loadUnaligned(fromByteOffset: 4 &* i, as: UInt32.self))
                out[i] = Double(n) / factor + xmin
            }
        case let .truncated(bits):
            for i in 0..<count { out[i] = Double(truncatedFloat(source + 3 &* i, bits: bits)) }
        }
    }

    private static func decode(_ packing: FloatPacking, _ source: UnsafeRawPointer, count: Int,
                               into out: UnsafeMutablePointer<Float>) {
        switch packing {
        case .float32:
            Float.decodeBigEndian(source, count: count, into: out)
        case let .scaled(xmin, factor):
            for i in 0..<count {
                let n = UInt32(bigEndian: source.loadUnaligned(fromByteOffset: 4 &* i, as: UInt32.self))
                out[i] = Float(Double(n) / factor + xmin)
            }
        case let .truncated(bits):
            for i in 0..<count { out[i] = truncatedFloat(source + 3 &* i, bits: bits) }
        }
    }

    /// One exponent byte and a 16-bit mantissa word rebuilt into a float (bit layout as ROOT writes it).
    @inline(__always)
    private static func truncatedFloat(_ p: UnsafeRawPointer, bits: Int) -> Float {
        let exponent = UInt32(p.load(as: UInt8.self))
        let mantissa = UInt32(UInt16(bigEndian: p.loadUnaligned(fromByteOffset: 1, as: UInt16.self)))
        let mask: UInt32 = (1 << (bits + 1)) - 1
        let pattern = (exponent << 23) | ((mantissa & mask) << (23 - bits))
        let value = Float(bitPattern: pattern)
        return mantissa & (1 << (bits + 1)) != 0 ? -value : value
    }
}

/// The `[xmin,xmax(,nbits)]` range specifier of a Double32_t/Float16_t title, with ROOT's reading of it: the
/// first bracket that holds a comma (a leading `[n]` is a dimension), `pi` forms, nbits 2...32 (else 32), and a
/// `[0,0,nbits]` form (xmin ≥ xmax, nbits < 15) that means "mantissa of nbits bits", stored as xmin = nbits.
struct RangeSpecifier {
    var xmin: Double
    var xmax: Double
    var factor: Double

    init?(_ title: String) {
        let chars = Array(title.utf8)
        func find(_ c: UInt8, from: Int) -> Int? { chars[from...].firstIndex(of: c) }
        guard var left = find(UInt8(ascii: "["), from: 0), var right = find(UInt8(ascii: "]"), from: left) else { return nil }
        var comma = find(UInt8(ascii: ","), from: left)
        if comma == nil || comma! > right {
            guard let l = find(UInt8(ascii: "["), from: right), let r = find(UInt8(ascii: "]"), from: l) else { return nil }
            left = l
            right = r
            comma = find(UInt8(ascii: ","), from: left)
            guard let c = comma, c < right else { return nil }
        }
        guard let comma else { return nil }
        var nbits = 32
        if let second = find(UInt8(ascii: ","), from: comma + 1), second < right {
            nbits = RangeSpecifier.leadingInteger(chars[(second + 1)..<right]) ?? 32
            if nbits < 2 || nbits > 32 { nbits = 32 }
            right = second
        }
        var xmin = RangeSpecifier.bound(chars[(left + 1)..<comma])
        let xmax = RangeSpecifier.bound(chars[(comma + 1)..<right])
        let bigint: Double = nbits < 32 ? Double(UInt32(1) << UInt32(nbits)) : Double(UInt32.max)
        let factor = xmin < xmax ? bigint / (xmax - xmin) : 0
        if xmin >= xmax, nbits < 15 { xmin = Double(nbits) + 0.1 }
        self.xmin = xmin
        self.xmax = xmax
        self.factor = factor
    }

    /// A bound: a number (its longest numeric prefix, as `%lg` reads it) or a multiple of pi.
    private static func bound(_ bytes: ArraySlice<UInt8>) -> Double {
        let text = String(decoding: bytes, as: UTF8.self).lowercased().filter { $0 != " " }
        if text.contains("pi") {
            var v = Double.pi
            if text.contains("2pi") || text.contains("2*pi") || text.contains("twopi") {
                v = 2 * Double.pi
            } else if text.contains("pi/2") {
                v = Double.pi / 2
            } else if text.contains("pi/4") {
                v = Double.pi / 4
            }
            return text.contains("-") ? -v : v
        }
        var best = 0.0
        var end = text.startIndex
        while end < text.endIndex {
            end = text.index(after: end)
            if let v = Double(text[text.startIndex..<end]), v.isFinite { best = v }
        }
        return best
    }

    /// The integer `%d` reads at the start of `bytes` (blanks, a sign, digits).
    private static func leadingInteger(_ bytes: ArraySlice<UInt8>) -> Int? {
        var s = Substring(String(decoding: bytes, as: UTF8.self)).drop { $0 == " " || $0 == "\t" }
        var sign = 1
        if s.first == "-" || s.first == "+" {
            if s.first == "-" { sign = -1 }
            s = s.dropFirst()
        }
        guard let n = Int(s.prefix { $0.isASCII && $0.isNumber }) else { return nil }
        return sign * n
    }
}
