import ROOTIO

/// An Apache Parquet file read as one tree: numeric columns flat, `list<primitive>` columns jagged, strings
/// and nested groups skipped with a reason. Reading goes row group by row group; only the current row
/// group's selected column chunks are held in memory.
struct ParquetTable: ColumnTable {
    static let magic: [UInt8] = Array("PAR1".utf8)
    /// Footers larger than this are refused as corrupt.
    static let maxFooterBytes = 256 << 20

    let source: ByteSource
    let metadata: ParquetFileMetadata
    let columns: [TableColumn]
    let leaves: [ParquetLeaf?]
    /// First entry of each row group, and the total at the end.
    let rowGroupStarts: [Int64]
    var formatName: String { "parquet" }
    var entries: Int64 { rowGroupStarts.last ?? 0 }

    static func open(_ source: ByteSource) async throws -> ParquetTable {
        let file = source.name
        guard source.size >= 12 else {
            throw TabularError(file: file, location: "offset 0", reason: "\(source.size) bytes: too short for Parquet (magic and footer)")
        }
        let head = try await source.read(offset: 0, count: 4)
        guard head == magic else { throw TabularError(file: file, location: "offset 0", reason: "not a Parquet file (no PAR1 magic)") }
        let tail = try await source.read(offset: source.size - 8, count: 8)
        guard Array(tail[4...]) == magic else {
            throw TabularError(file: file, location: "offset \(source.size - 4)", reason: "no PAR1 magic at the end: truncated or not Parquet")
        }
        let length = Int64(tail[0]) | Int64(tail[1]) << 8 | Int64(tail[2]) << 16 | Int64(tail[3]) << 24
        guard length > 0, length <= source.size - 12, length <= Int64(maxFooterBytes) else {
            throw TabularError(file: file, location: "footer length at offset \(source.size - 8)",
                               reason: "footer of \(length) bytes does not fit the \(source.size)-byte file")
        }
        let footerOffset = source.size - 8 - length
        let footer = try await source.read(offset: footerOffset, count: Int(length))
        let metadata: ParquetFileMetadata
        let schema: (columns: [TableColumn], leaves: [ParquetLeaf?])
        switch decodeFooter(footer) {
        case let .failure(error):
            throw TabularError(file: file, location: "footer offset \(footerOffset + Int64(error.position))", reason: "corrupt footer: \(error.reason)")
        case let .success(decoded):
            (metadata, schema) = decoded
        }
        let leafCount = schema.leaves.compactMap { $0?.leafIndex }.max().map { $0 + 1 } ?? 0
        var starts: [Int64] = [0]
        for (g, group) in metadata.rowGroups.enumerated() {
            guard group.numRows >= 0, group.columns.count >= leafCount else {
                throw TabularError(file: file, location: "row group \(g)", reason: "\(group.numRows) rows, \(group.columns.count) column chunks")
            }
            for leaf in schema.leaves.compactMap({ $0 }) {
                let c = group.columns[leaf.leafIndex]
                guard c.filePath == nil else {
                    throw TabularError(file: file, location: "row group \(g), column '\(leaf.name)'", reason: "chunk stored in another file")
                }
                guard c.start >= 4, c.totalCompressedSize >= 0, c.start <= footerOffset - c.totalCompressedSize, c.numValues >= 0 else {
                    throw TabularError(file: file, location: "row group \(g), column '\(leaf.name)', offset \(c.start)",
                                       reason: "chunk of \(c.totalCompressedSize) bytes outside the file's data (\(footerOffset) bytes)")
                }
            }
            starts.append(starts.last! + group.numRows)
        }
        return ParquetTable(source: source, metadata: metadata, columns: schema.columns, leaves: schema.leaves,
                            rowGroupStarts: starts)
    }

    /// The footer's metadata and the columns its schema gives.
    private static func decodeFooter(_ footer: [UInt8])
        -> Result<(ParquetFileMetadata, (columns: [TableColumn], leaves: [ParquetLeaf?])), ThriftCompactReader.Failure>
    {
        var r = ThriftCompactReader(footer)
        do throws(ThriftCompactReader.Failure) {
            let metadata = try ParquetFileMetadata.decode(&r)
            return .success((metadata, try ParquetSchema.columns(metadata.schema)))
        } catch {
            return .failure(error)
        }
    }

    func reader(columns indices: [Int], threads: Int) throws -> any ColumnTableReader {
        ParquetReader(table: self, leaves: indices.compactMap { leaves[$0] }, threads: threads)
    }

    /// The columns of row group `g` for `leaves`, read and decoded (concurrently, `threads` at a time).
    func readRowGroup(_ g: Int, leaves: [ParquetLeaf], threads: Int) async throws -> (columns: [Column], bytes: Int64) {
        let group = metadata.rowGroups[g]
        let chunks = leaves.map { group.columns[$0.leafIndex] }
        let raw = try await source.read(ranges: chunks.map { ByteRange(offset: $0.start, count: Int($0.totalCompressedSize)) })
        let rows = Int(group.numRows)
        let start = rowGroupStarts[g]
        let file = source.name
        var out = [Column?](repeating: nil, count: leaves.count)
        try await withThrowingTaskGroup(of: (Int, Column).self) { tasks in
            var next = 0
            func launch() {
                let k = next
                next += 1
                let bytes = raw[k]
                tasks.addTask {
                    (k, try ParquetColumnAssembler.column(leaves[k], chunks[k], bytes: bytes, rows: rows, entryStart: start,
                                                          rowGroup: g, file: file))
                }
            }
            while next < min(max(1, threads), leaves.count) { launch() }
            while let done = try await tasks.next() {
                out[done.0] = done.1
                if next < leaves.count { launch() }
            }
        }
        return (out.compactMap { $0 }, Int64(raw.reduce(0) { $0 + $1.count }))
    }
}
