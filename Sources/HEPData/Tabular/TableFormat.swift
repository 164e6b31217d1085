import ROOTIO

/// The file formats `hepml` reads: ROOT files and the tabular formats shown as one tree, `Events`.
public enum TableFormat: String, Sendable, CaseIterable {
    case root, csv, jsonl, parquet

    /// The format a name's extension implies (`.csv`, `.jsonl`/`.ndjson`, `.parquet`/`.pq`; anything else: ROOT).
    public static func guess(_ name: String) -> TableFormat {
        let base = name.split(separator: "?").first.map(String.init) ?? name
        guard let dot = base.lastIndex(of: "."), !base[dot...].contains("/") else { return .root }
        switch base[base.index(after: dot)...].lowercased() {
        case "csv": return .csv
        case "jsonl", "ndjson": return .jsonl
        case "parquet", "pq": return .parquet
        default: return .root
        }
    }

    /// Parses a `--format` value (`root`, `csv`, `jsonl`/`json-lines`, `parquet`).
    public init?(option: String) {
        switch option.lowercased() {
        case "root": self = .root
        case "csv": self = .csv
        case "jsonl", "json-lines", "ndjson": self = .jsonl
        case "parquet": self = .parquet
        default: return nil
        }
    }

    /// Opens `source` as a table of this format (nil for ROOT).
    public func table(_ source: ByteSource) async throws -> (any ColumnTable)? {
        switch self {
        case .root: return nil
        case .csv: return try await CSVTable.open(source)
        case .jsonl: return try await JSONLinesTable.open(source)
        case .parquet: return try await ParquetTable.open(source)
        }
    }
}
