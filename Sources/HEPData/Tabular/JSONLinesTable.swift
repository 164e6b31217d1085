import HEPJSON
import ROOTIO

/// A JSON-lines file (one JSON object per line, one event per object), read as one tree. Numbers and booleans
/// become flat columns, arrays of numbers jagged columns; other members are skipped. Types come from the first
/// `inferenceRows` lines: integers only give `int64`, any fraction or exponent `float64`. A missing member or
/// `null` is NaN in a flat `float64` column and an empty list in a jagged one; a flat column missing a value in
/// the first lines is `float64`, and a missing value in an `int64` flat column later is an error.
struct JSONLinesTable: ColumnTable {
    static let inferenceRows = 10_000

    let source: ByteSource
    let columns: [TableColumn]
    let index: RowIndex
    var formatName: String { "jsonl" }
    var entries: Int64 { index.records }

    static func open(_ source: ByteSource) async throws -> JSONLinesTable {
        let index = try await RowIndex.scan(source, from: 0, firstLine: 1, quoted: false)
        let probe = JSONLinesTable(source: source, columns: [], index: index)
        return JSONLinesTable(source: source, columns: try await probe.inferColumns(), index: index)
    }

    /// What one member looks like in the inference lines.
    struct Seen {
        var flat = false, jagged = false, fraction = false, missing = false, other: String?
    }

    private func inferColumns() async throws -> [TableColumn] {
        let n = min(entries, Int64(Self.inferenceRows))
        guard n > 0 else { return [] }
        var order: [String] = []
        var seen: [String: Seen] = [:]
        var lines = 0
        try await forEachObject(0..<n) { members, line in
            lines += 1
            for (key, value) in members {
                if seen[key] == nil {
                    order.append(key)
                    seen[key] = Seen(missing: lines > 1)
                }
                seen[key]!.note(value, line: line)
            }
            if members.count < seen.count {
                let present = Set(members.map(\.0))
                for key in order where !present.contains(key) { seen[key]!.missing = true }
            }
        }
        return order.map { key in
            let s = seen[key]!
            if let other = s.other { return TableColumn(name: key, type: .float64, jagged: false, skipReason: other) }
            if s.flat && s.jagged {
                return TableColumn(name: key, type: .float64, jagged: false, skipReason: "both numbers and arrays")
            }
            if s.jagged { return TableColumn(name: key, type: s.fraction ? .float64 : .int64, jagged: true) }
            return TableColumn(name: key, type: s.fraction || s.missing || !s.flat ? .float64 : .int64, jagged: false)
        }
    }

    /// Calls `body` with the members of each line's object in `range`.
    func forEachObject(_ range: Range<Int64>, _ body: ([(String, JSONValue)], Int) throws -> Void) async throws {
        guard !range.isEmpty else { return }
        let span = index.span(of: range)
        let bytes = try await source.read(offset: span.bytes.lowerBound, count: span.bytes.count)
        try bytes.withUnsafeBytes { p in
            var start = 0
            var line = span.line
            var record = 0
            var taken = 0
            while taken < range.count && start < p.count {
                var end = start
                while end < p.count && p[end] != UInt8(ascii: "\n") { end += 1 }
                defer { start = end + 1; line += 1 }
                let text = UnsafeRawBufferPointer(rebasing: p[start..<end])
                if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                record += 1
                if record <= span.skip { continue }
                let value: JSONValue
                do {
                    value = try JSONValue.parse(bytes: text)
                } catch {
                    throw TabularError(file: source.name, location: "line \(line)", reason: "\(error)")
                }
                guard case let .object(members) = value else {
                    throw TabularError(file: source.name, location: "line \(line)", reason: "not a JSON object")
                }
                try body(members, line)
                taken += 1
            }
            guard taken == range.count else {
                throw TabularError(file: source.name, location: "line \(line)", reason: "file ended early")
            }
        }
    }

    func reader(columns indices: [Int], threads: Int) throws -> any ColumnTableReader {
        JSONLinesReader(table: self, indices: indices)
    }
}

extension JSONLinesTable.Seen {
    mutating func note(_ value: JSONValue, line: Int) {
        switch value {
        case .null: missing = true
        case .bool: flat = true
        case let .number(t):
            flat = true
            if Int64(t) == nil { fraction = true }
        case let .array(items):
            jagged = true
            for item in items {
                switch item {
                case .bool: continue
                case let .number(t): if Int64(t) == nil { fraction = true }
                default: other = other ?? "array with non-numbers (line \(line))"
                }
            }
        case .string: other = other ?? "strings (line \(line))"
        case .object: other = other ?? "nested objects (line \(line))"
        }
    }
}

/// Reads chunks of selected JSON-lines columns.
struct JSONLinesReader: ColumnTableReader {
    let table: JSONLinesTable
    let indices: [Int]

    func read(entries: Range<Int64>) async throws -> (batch: ColumnBatch, bytesRead: Int64) {
        let columns = indices.map { table.columns[$0] }
        var ints = [[Int64]](repeating: [], count: columns.count)
        var doubles = [[Double]](repeating: [], count: columns.count)
        var offsets = columns.map { $0.jagged ? [Int64(0)] : [] }
        let file = table.source.name
        try await table.forEachObject(entries) { members, line in
            for (k, col) in columns.enumerated() {
                let value = members.first { $0.0 == col.name }?.1 ?? .null
                func fail(_ why: String) -> TabularError {
                    TabularError(file: file, location: "line \(line), column '\(col.name)'",
                                 reason: "\(why) in a column inferred as \(col.jagged ? "jagged " : "")\(col.type.rawValue) from the first \(JSONLinesTable.inferenceRows) lines")
                }
                func append(_ item: JSONValue) throws {
                    switch item {
                    case let .bool(b):
                        if col.type == .int64 { ints[k].append(b ? 1 : 0) } else { doubles[k].append(b ? 1 : 0) }
                    case let .number(t):
                        if col.type == .int64 {
                            guard let v = Int64(t) else { throw fail("'\(t)'") }
                            ints[k].append(v)
                        } else {
                            guard let v = Double(t) else { throw fail("'\(t)'") }
                            doubles[k].append(v)
                        }
                    case .null where !col.jagged && col.type == .float64: doubles[k].append(.nan)
                    case .null: throw fail("a missing value")
                    default: throw fail("a non-number")
                    }
                }
                if col.jagged {
                    switch value {
                    case .null: break
                    case let .array(items): for item in items { try append(item) }
                    default: throw fail("a non-array")
                    }
                    offsets[k].append(Int64(col.type == .int64 ? ints[k].count : doubles[k].count))
                } else {
                    try append(value)
                }
            }
        }
        let out = columns.enumerated().map { k, col in
            Column(name: col.name, type: col.type, kind: col.jagged ? .jagged : .flat, shape: [],
                   entryStart: entries.lowerBound, entryCount: entries.count,
                   values: col.type == .int64 ? .int64(ints[k]) : .float64(doubles[k]),
                   offsets: col.jagged ? offsets[k] : nil)
        }
        let bytesRead = entries.isEmpty ? 0 : Int64(table.index.span(of: entries).bytes.count)
        return (ColumnBatch(entryStart: entries.lowerBound, entryCount: entries.count, columns: out), bytesRead)
    }
}
