import ROOTIO

/// A CSV file with a header row, read as one tree. Column types are inferred from the first
/// `inferenceRows` records: integers (and `true`/`false`, as 1/0) give `int64`, other numbers `float64`, text
/// skips the column. Missing values (empty, `NaN`, `NA`) are NaN in `float64` columns; a column with a missing
/// value in the first rows is `float64`, and a missing value in an `int64` column later is an error (the type
/// is fixed once the first chunk is read, so later chunks never change it).
struct CSVTable: ColumnTable {
    static let inferenceRows = 10_000
    static let maxHeaderBytes = 1 << 20

    let source: ByteSource
    let columns: [TableColumn]
    let index: RowIndex
    var formatName: String { "csv" }
    var entries: Int64 { index.records }

    static func open(_ source: ByteSource) async throws -> CSVTable {
        let head = try await source.read(offset: 0, count: Int(min(source.size, Int64(maxHeaderBytes))))
        var parser = CSVRecordParser(firstLine: 1)
        let names: [String] = try head.withUnsafeBufferPointer { p in
            do {
                guard try parser.next(p) else {
                    throw TabularError(file: source.name, location: "line 1", reason: "no header row")
                }
            } catch let CSVRecordParser.Failure.badQuote(line, field, reason) {
                throw TabularError(file: source.name, location: "line \(line), field \(field)", reason: reason)
            }
            if parser.offset >= p.count && Int64(p.count) < source.size {
                throw TabularError(file: source.name, location: "line 1", reason: "header row longer than 1 MB")
            }
            return parser.fields.map { f in
                String(decoding: UnsafeBufferPointer(rebasing: p[f.range]), as: UTF8.self)
            }
        }
        let index = try await RowIndex.scan(source, from: Int64(parser.offset), firstLine: parser.line, quoted: true)
        var table = CSVTable(source: source, columns: names.map { TableColumn(name: $0, type: .float64, jagged: false) },
                             index: index)
        table = CSVTable(source: source, columns: try await table.inferTypes(), index: index)
        return table
    }

    /// Types of every column from the first `inferenceRows` records.
    private func inferTypes() async throws -> [TableColumn] {
        let n = min(entries, Int64(Self.inferenceRows))
        guard n > 0 else { return columns }
        var allInt = [Bool](repeating: true, count: columns.count)
        var missing = [Bool](repeating: false, count: columns.count)
        var values = [Bool](repeating: false, count: columns.count)
        var text = [String?](repeating: nil, count: columns.count)
        try await forEachRecord(0..<n) { p, fields, line in
            for (c, f) in fields.enumerated() {
                if text[c] != nil { continue }
                if f.escaped {
                    text[c] = "line \(line): text value"
                } else if TextNumber.isMissing(p, f.range) {
                    missing[c] = true
                } else if TextNumber.int64(p, f.range) != nil {
                    values[c] = true
                } else if TextNumber.double(p, f.range) != nil {
                    values[c] = true
                    allInt[c] = false
                } else {
                    let shown = String(decoding: UnsafeBufferPointer(rebasing: p[f.range.prefix(40)]), as: UTF8.self)
                    text[c] = "text values (line \(line): '\(shown)')"
                }
            }
        }
        return columns.enumerated().map { c, col in
            var out = col
            if let t = text[c] { out.skipReason = t } else if allInt[c] && values[c] && !missing[c] { out.type = .int64 }
            return out
        }
    }

    /// Calls `body` with the fields of each record in `range`, checking the field count against the header.
    func forEachRecord(_ range: Range<Int64>,
                       _ body: (UnsafeBufferPointer<UInt8>, [CSVRecordParser.Field], Int) throws -> Void) async throws
    {
        guard !range.isEmpty else { return }
        let span = index.span(of: range)
        let bytes = try await source.read(offset: span.bytes.lowerBound, count: span.bytes.count)
        var parser = CSVRecordParser(firstLine: span.line)
        try bytes.withUnsafeBufferPointer { p in
            var seen = 0
            var taken = 0
            while taken < range.count {
                do {
                    guard try parser.next(p) else {
                        throw TabularError(file: source.name, location: "line \(parser.line)",
                                           reason: "file ended after \(range.lowerBound + Int64(taken)) records")
                    }
                } catch let CSVRecordParser.Failure.badQuote(line, field, reason) {
                    let name = field <= columns.count ? "column '\(columns[field - 1].name)'" : "field \(field)"
                    throw TabularError(file: source.name, location: "line \(line), \(name)", reason: reason)
                }
                seen += 1
                if seen <= span.skip { continue }
                guard parser.fields.count == columns.count else {
                    throw TabularError(file: source.name, location: "line \(parser.recordLine)",
                                       reason: "\(parser.fields.count) fields, the header has \(columns.count)")
                }
                try body(p, parser.fields, parser.recordLine)
                taken += 1
            }
        }
    }

    func reader(columns indices: [Int], threads: Int) throws -> any ColumnTableReader {
        CSVReader(table: self, indices: indices)
    }
}

/// Reads chunks of selected CSV columns; every chunk is one read of its records' bytes.
struct CSVReader: ColumnTableReader {
    let table: CSVTable
    let indices: [Int]

    func read(entries: Range<Int64>) async throws -> (batch: ColumnBatch, bytesRead: Int64) {
        let n = entries.count
        let columns = table.columns
        var ints = indices.map { columns[$0].type == .int64 ? [Int64](repeating: 0, count: n) : [] }
        var doubles = indices.map { columns[$0].type == .float64 ? [Double](repeating: 0, count: n) : [] }
        var row = 0
        let file = table.source.name
        try await table.forEachRecord(entries) { p, fields, line in
            for (k, c) in indices.enumerated() {
                let r = fields[c].range
                if columns[c].type == .int64 {
                    guard !fields[c].escaped, let v = TextNumber.int64(p, r) else {
                        let why = TextNumber.isMissing(p, r) ? "a missing value" : "'\(Self.shown(p, r))'"
                        throw TabularError(file: file, location: "line \(line), column '\(columns[c].name)'",
                            reason: "\(why) in a column inferred as int64 from the first \(CSVTable.inferenceRows) rows")
                    }
                    ints[k][row] = v
                } else if TextNumber.isMissing(p, r) {
                    doubles[k][row] = .nan
                } else {
                    guard !fields[c].escaped, let v = TextNumber.double(p, r) else {
                        throw TabularError(file: file, location: "line \(line), column '\(columns[c].name)'",
                            reason: "'\(Self.shown(p, r))' in a column inferred as float64 from the first \(CSVTable.inferenceRows) rows")
                    }
                    doubles[k][row] = v
                }
            }
            row += 1
        }
        let bytesRead = entries.isEmpty ? 0 : Int64(table.index.span(of: entries).bytes.count)
        let out = indices.enumerated().map { k, c in
            Column(name: columns[c].name, type: columns[c].type, kind: .flat, shape: [], entryStart: entries.lowerBound,
                   entryCount: n, values: columns[c].type == .int64 ? .int64(ints[k]) : .float64(doubles[k]), offsets: nil)
        }
        return (ColumnBatch(entryStart: entries.lowerBound, entryCount: n, columns: out), bytesRead)
    }

    static func shown(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: p[r.prefix(40)]), as: UTF8.self)
    }
}
