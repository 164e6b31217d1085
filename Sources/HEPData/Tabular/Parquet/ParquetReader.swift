import ROOTIO
import Synchronization

/// Reads chunks of selected Parquet columns. The row group under the current chunk stays decoded for the
/// next chunk, so a file is read once when chunks go forward, and memory holds one row group's columns.
final class ParquetReader: ColumnTableReader {
    let table: ParquetTable
    let leaves: [ParquetLeaf]
    let threads: Int
    private let current = Mutex<(group: Int, columns: [Column])?>(nil)

    init(table: ParquetTable, leaves: [ParquetLeaf], threads: Int) {
        self.table = table
        self.leaves = leaves
        self.threads = threads
    }

    func read(entries: Range<Int64>) async throws -> (batch: ColumnBatch, bytesRead: Int64) {
        let starts = table.rowGroupStarts
        var pieces = [[Column]](repeating: [], count: leaves.count)
        var fetched: Int64 = 0
        var g = max(0, (starts.lastIndex { $0 <= entries.lowerBound } ?? 0))
        while g < starts.count - 1 && starts[g] < entries.upperBound {
            defer { g += 1 }
            if starts[g + 1] <= entries.lowerBound { continue }
            let columns: [Column]
            if let c = current.withLock({ $0?.group == g ? $0?.columns : nil }) {
                columns = c
            } else {
                let (c, bytes) = try await table.readRowGroup(g, leaves: leaves, threads: threads)
                fetched += bytes
                current.withLock { $0 = (g, c) }
                columns = c
            }
            let lo = Int(max(entries.lowerBound, starts[g]) - starts[g])
            let hi = Int(min(entries.upperBound, starts[g + 1]) - starts[g])
            for (k, c) in columns.enumerated() { pieces[k].append(c.slice(lo..<hi)) }
        }
        let out = pieces.enumerated().map { k, p in
            Column.concatenating(p, name: leaves[k].name, type: leaves[k].scalarType, jagged: leaves[k].jagged,
                                 entryStart: entries.lowerBound)
        }
        return (ColumnBatch(entryStart: entries.lowerBound, entryCount: entries.count, columns: out), fetched)
    }
}
