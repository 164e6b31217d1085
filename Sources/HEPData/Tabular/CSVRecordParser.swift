/// Splits CSV bytes into records and fields (RFC 4180: comma separator, double-quoted fields with `""` as an
/// escaped quote, quoted fields may span lines). Field ranges are reused between records: no per-field allocation.
struct CSVRecordParser {
    /// A field's bytes (inside the quotes for a quoted field) and whether it holds escaped quotes.
    struct Field {
        var range: Range<Int>
        var escaped: Bool
    }

    enum Failure: Error {
        case badQuote(line: Int, field: Int, reason: String)
    }

    private(set) var fields: [Field] = []
    /// 1-based line where the current record starts.
    private(set) var line: Int
    private var position = 0

    init(firstLine: Int) { line = firstLine }

    /// Parses the next non-blank record of `bytes`; false at the end.
    mutating func next(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> Bool {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        while position < bytes.count, isBlankLine(bytes) {}
        guard position < bytes.count else { return false }
        recordLine = line
        fields.removeAll(keepingCapacity: true)
        var i = position
        var lineNow = line
        while true {
            if i < bytes.count && bytes[i] == quote {
                let start = i + 1
                var j = start
                var escaped = false
                while true {
                    guard j < bytes.count else {
                        throw .badQuote(line: line, field: fields.count + 1, reason: "quoted field is never closed")
                    }
                    if bytes[j] == quote {
                        if j + 1 < bytes.count && bytes[j + 1] == quote { escaped = true; j += 2; continue }
                        break
                    }
                    if bytes[j] == newline { lineNow += 1 }
                    j += 1
                }
                fields.append(Field(range: start..<j, escaped: escaped))
                i = j + 1
                guard i >= bytes.count || bytes[i] == comma || bytes[i] == newline || bytes[i] == cr else {
                    throw .badQuote(line: lineNow, field: fields.count, reason: "text after a closing quote")
                }
            } else {
                let start = i
                while i < bytes.count && bytes[i] != comma && bytes[i] != newline {
                    if bytes[i] == quote {
                        throw .badQuote(line: lineNow, field: fields.count + 1, reason: "quote inside an unquoted field")
                    }
                    i += 1
                }
                var end = i
                if end > start && bytes[end - 1] == cr && (i >= bytes.count || bytes[i] == newline) { end -= 1 }
                fields.append(Field(range: start..<end, escaped: false))
            }
            if i < bytes.count && bytes[i] == cr { i += 1 }
            if i >= bytes.count { break }
            if bytes[i] == newline { i += 1; lineNow += 1; break }
            i += 1  // comma
        }
        position = i
        line = lineNow
        return true
    }

    /// 1-based line number where the record just parsed starts.
    private(set) var recordLine = 0
    /// Offset just past the record just parsed.
    var offset: Int { position }

    /// Skips one blank line at `position` (returns false when the line is not blank).
    private mutating func isBlankLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = position
        while i < bytes.count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") || bytes[i] == UInt8(ascii: "\r") {
            i += 1
        }
        if i >= bytes.count { position = i; return false }
        guard bytes[i] == UInt8(ascii: "\n") else { return false }
        position = i + 1
        line += 1
        return true
    }
}
