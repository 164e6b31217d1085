/// A strict RFC 8259 reader over a contiguous document: whitespace, punctuation, strings (escapes checked,
/// UTF-8 validated, no raw control characters), numbers (see `JSONNumber`) and literals. Typed readers
/// (`JSONValue.parse`, `InferRequestJSON`, `TFaaSRequestJSON`) drive it member by member, so values can go
/// straight to their destination without a document tree.
struct JSONScanner {
    let bytes: UnsafeRawBufferPointer
    let count: Int
    var i: Int
    let maxDepth: Int

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, maxDepth: Int) {
        self.bytes = bytes
        count = bytes.count
        i = start
        self.maxDepth = maxDepth
    }

    func fail(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? i, reason: reason)
    }

    @inline(__always) mutating func skipSpace() {
        while i < count {
            let c = bytes[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    /// The next non-space byte, not consumed.
    @inline(__always) mutating func peek() throws -> UInt8 {
        skipSpace()
        guard i < count else { throw fail("unexpected end of the document") }
        return bytes[i]
    }

    mutating func expect(_ c: UInt8) throws {
        guard try peek() == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
        i += 1
    }

    /// Consumes `c` if it is the next non-space byte.
    mutating func consume(_ c: UInt8) throws -> Bool {
        guard try peek() == c else { return false }
        i += 1
        return true
    }

    /// After a member or element: true after a `,`, false after `close`.
    mutating func commaOr(_ close: UInt8) throws -> Bool {
        let c = try peek()
        i += 1
        if c == UInt8(ascii: ",") { return true }
        if c == close { return false }
        i -= 1
        throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'")
    }

    /// Only whitespace may follow the top-level value.
    mutating func finish() throws {
        skipSpace()
        guard i == count else { throw fail("unexpected characters after the JSON value") }
    }

    func checkDepth(_ depth: Int) throws {
        guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth) levels") }
    }

    /// Opens an object; false when it is empty (the `}` is consumed as well).
    mutating func beginObject(depth: Int) throws -> Bool {
        try checkDepth(depth)
        try expect(UInt8(ascii: "{"))
        return try !consume(UInt8(ascii: "}"))
    }

    /// Opens an array; false when it is empty.
    mutating func beginArray(depth: Int) throws -> Bool {
        try checkDepth(depth)
        try expect(UInt8(ascii: "["))
        return try !consume(UInt8(ascii: "]"))
    }

    /// A member name and its `:`.
    mutating func key() throws -> String {
        guard try peek() == UInt8(ascii: "\"") else { throw fail("expected a member name") }
        let k = try string()
        try expect(UInt8(ascii: ":"))
        return k
    }

    /// Consumes `literal` (true, false, null) at the current position.
    mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= count else { throw fail("invalid literal") }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] { throw fail("invalid literal") }
        i += n
    }

    /// Skips any value, checking its syntax.
    mutating func skipValue(depth: Int) throws {
        switch try peek() {
        case UInt8(ascii: "{"):
            if try beginObject(depth: depth) {
                repeat {
                    _ = try key()
                    try skipValue(depth: depth + 1)
                } while try commaOr(UInt8(ascii: "}"))
            }
        case UInt8(ascii: "["):
            if try beginArray(depth: depth) {
                repeat { try skipValue(depth: depth + 1) } while try commaOr(UInt8(ascii: "]"))
            }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try number()
        }
    }

    /// A string value (the current byte is its opening quote).
    mutating func string() throws -> String {
        let open = i
        i += 1
        let start = i
        while i < count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let s = try utf8(UnsafeRawBufferPointer(rebasing: bytes[start..<i]), at: start)
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { return try escapedString(from: start) }
            guard c >= 0x20 else { throw fail("control character in a string") }
            i += 1
        }
        throw fail("unterminated string", at: open)
    }

    private mutating func escapedString(from start: Int) throws -> String {
        var out = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
        while i < count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                let offset = start
                guard let text = String(validating: out, as: UTF8.self) else { throw fail("string is not valid UTF-8", at: offset) }
                return text
            }
            guard c >= 0x20 else { throw fail("control character in a string") }
            guard c == UInt8(ascii: "\\") else { out.append(c); i += 1; continue }
            guard i + 1 < count else { break }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800, scalar < 0xDC00 {
                    guard i + 1 < count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate in a \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard low >= 0xDC00, low < 0xE000 else { throw fail("unpaired surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("unpaired surrogate in a \\u escape") }
                out.append(contentsOf: String(Character(u)).utf8)
            default:
                throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))'", at: i - 2)
            }
        }
        throw fail("unterminated string", at: start - 1)
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: throw fail("invalid hex digit in a \\u escape")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    private func utf8(_ raw: UnsafeRawBufferPointer, at offset: Int) throws -> String {
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw fail("string is not valid UTF-8", at: offset)
        }
        return s
    }
}
