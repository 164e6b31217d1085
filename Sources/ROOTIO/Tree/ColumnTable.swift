/// A columnar source that is not a ROOT file (CSV, JSON lines, Parquet): it appears as a ROOT file with one
/// tree named `Events`, so `Tree`/`TreeReader` and every command above them read it unchanged.
public protocol ColumnTable: Sendable {
    /// Short format name for messages and `info` ("csv", "jsonl", "parquet").
    var formatName: String { get }
    var entries: Int64 { get }
    /// Every column in file order, readable or with the reason it is skipped.
    var columns: [TableColumn] { get }
    /// A reader of the columns at `indices` (positions in `columns`), each read giving them in that order.
    func reader(columns indices: [Int], threads: Int) throws -> any ColumnTableReader
}

/// Reads chunks of a `ColumnTable` (stateful: may keep the current block decoded for the next chunk).
public protocol ColumnTableReader: Sendable {
    /// The columns over `entries`, and the bytes fetched from the source for them.
    func read(entries: Range<Int64>) async throws -> (batch: ColumnBatch, bytesRead: Int64)
}

/// One column of a `ColumnTable`: a flat or jagged numeric column, or a skipped one.
public struct TableColumn: Sendable {
    public var name: String
    public var type: ScalarType
    public var jagged: Bool
    /// Why the column is not read (strings, nested types), nil when readable.
    public var skipReason: String?

    public init(name: String, type: ScalarType, jagged: Bool, skipReason: String? = nil) {
        self.name = name
        self.type = type
        self.jagged = jagged
        self.skipReason = skipReason
    }

    var interpretation: Result<BranchInterpretation, SkipReason> {
        if let skipReason { return .failure(SkipReason(description: skipReason)) }
        return .success(BranchInterpretation(type: type, kind: jagged ? .jagged : .flat, shape: [], headerBytes: 0,
                                             counter: nil))
    }
}

extension Key {
    /// Class name of the one key a table file shows.
    public static let tableClassName = "hepml::Table"
    /// Name of the tree a table file shows.
    public static let tableTreeName = "Events"

    init(table: any ColumnTable) {
        nbytes = 0
        version = 0
        objlen = 0
        keylen = 0
        cycle = 1
        seekKey = 0
        seekPdir = 0
        className = Key.tableClassName
        name = Key.tableTreeName
        title = table.formatName
    }
}

extension FileHeader {
    init(tableSize: Int64) {
        rawVersion = 0
        begin = 0
        end = tableSize
        nbytesName = 0
        compress = 0
        seekInfo = 0
        nbytesInfo = 0
    }
}

extension ROOTFile {
    /// Presents `table` (read from `source`) as a file holding one tree, `Events`.
    public static func wrapping(_ table: any ColumnTable, source: ByteSource) -> ROOTFile {
        let header = FileHeader(tableSize: source.size)
        return ROOTFile(source: source, header: header, root: Directory(path: "", keys: [Key(table: table)]),
                        table: table)
    }

    /// The table tree, when this file wraps a table.
    func tableTree(_ path: String) throws -> Tree? {
        guard let table else { return nil }
        let (n, cycle) = Self.splitCycle(path.hasPrefix("/") ? String(path.dropFirst()) : path)
        guard n == Key.tableTreeName, cycle == nil || cycle == 1 else {
            throw ROOTIOError.keyNotFound(file: name, path: path)
        }
        return Tree(file: self, path: Key.tableTreeName, table: table)
    }
}

extension ColumnTable {
    var treeModel: TreeModel {
        let branches = columns.map { c in
            BranchModel(name: c.name, title: c.type.rawValue, version: 0, entryOffsetLen: 0, writeBasket: 0,
                        entries: entries, totBytes: 0, zipBytes: 0, branches: [], leaves: [], embeddedBaskets: [],
                        basketBytes: [], basketEntry: [], basketSeek: [], fileName: "", element: nil)
        }
        return TreeModel(name: Key.tableTreeName, title: formatName, version: 0, entries: entries, branches: branches)
    }
}
