import ROOTIO

/// Byte offsets (and line numbers) of every `stride`-th record of a line-based file, found by one scan, so a
/// chunk of records can be fetched with one read without keeping the file in memory.
struct RowIndex: Sendable {
    static let stride = 2048
    /// Offset and 1-based line number of records 0, stride, 2·stride, ...
    var checkpoints: [(offset: Int64, line: Int)] = []
    var records: Int64 = 0
    /// Offset just past the last record.
    var end: Int64 = 0

    /// Scans `source` from `start` (line `firstLine`) in blocks; a record ends at a newline outside double
    /// quotes when `quoted`, at every newline otherwise. Blank lines are not records.
    static func scan(_ source: ByteSource, from start: Int64, firstLine: Int, quoted: Bool) async throws -> RowIndex {
        var index = RowIndex()
        var offset = start
        var line = firstLine
        var inQuotes = false
        var recordStart = start
        var recordLine = firstLine
        var blank = true
        let block = 4 << 20
        while offset < source.size {
            let bytes = try await source.read(offset: offset, count: Int(min(Int64(block), source.size - offset)))
            bytes.withUnsafeBufferPointer { p in
                for i in 0..<p.count {
                    let b = p[i]
                    if quoted && b == UInt8(ascii: "\"") { inQuotes.toggle() }
                    if b == UInt8(ascii: "\n") {
                        line += 1
                        if inQuotes { continue }
                        if !blank { index.add(offset: recordStart, line: recordLine) }
                        recordStart = offset + Int64(i) + 1
                        recordLine = line
                        blank = true
                    } else if b != UInt8(ascii: "\r") && b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") {
                        blank = false
                    }
                }
            }
            offset += Int64(bytes.count)
        }
        if !blank { index.add(offset: recordStart, line: recordLine) }
        index.end = source.size
        return index
    }

    private mutating func add(offset: Int64, line: Int) {
        if records % Int64(Self.stride) == 0 { checkpoints.append((offset, line)) }
        records += 1
    }

    /// Byte range and first line covering records `range` (from the checkpoint at or before its start), and how
    /// many records to skip at the start of those bytes.
    func span(of range: Range<Int64>) -> (bytes: Range<Int64>, line: Int, skip: Int) {
        let s = Self.stride
        let first = Int(range.lowerBound) / s
        let last = (Int(range.upperBound) + s - 1) / s
        let endOffset = last < checkpoints.count ? checkpoints[last].offset : end
        return (checkpoints[first].offset..<endOffset, checkpoints[first].line, Int(range.lowerBound) - first * s)
    }
}
