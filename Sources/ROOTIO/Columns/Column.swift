/// Typed storage of a column's values (flat content for jagged columns).
public enum ColumnValues: Sendable {
    case bool([Bool]), int8([Int8]), uint8([UInt8]), int16([Int16]), uint16([UInt16])
    case int32([Int32]), uint32([UInt32]), int64([Int64]), uint64([UInt64]), float32([Float]), float64([Double])

    public var count: Int {
        switch self {
        case let .bool(v): return v.count
        case let .int8(v): return v.count
        case let .uint8(v): return v.count
        case let .int16(v): return v.count
        case let .uint16(v): return v.count
        case let .int32(v): return v.count
        case let .uint32(v): return v.count
        case let .int64(v): return v.count
        case let .uint64(v): return v.count
        case let .float32(v): return v.count
        case let .float64(v): return v.count
        }
    }

    /// Element `i` as a Double (for statistics, cuts and training features).
    public func double(at i: Int) -> Double {
        switch self {
        case let .bool(v): return v[i] ? 1 : 0
        case let .int8(v): return Double(v[i])
        case let .uint8(v): return Double(v[i])
        case let .int16(v): return Double(v[i])
        case let .uint16(v): return Double(v[i])
        case let .int32(v): return Double(v[i])
        case let .uint32(v): return Double(v[i])
        case let .int64(v): return Double(v[i])
        case let .uint64(v): return Double(v[i])
        case let .float32(v): return Double(v[i])
        case let .float64(v): return v[i]
        }
    }

    /// All values converted to Double (one type switch, then a tight loop).
    public func doubles() -> [Double] {
        switch self {
        case let .float64(v): return v
        case let .float32(v): return v.map { Double($0) }
        case let .bool(v): return v.map { $0 ? 1 : 0 }
        case let .int8(v): return v.map { Double($0) }
        case let .uint8(v): return v.map { Double($0) }
        case let .int16(v): return v.map { Double($0) }
        case let .uint16(v): return v.map { Double($0) }
        case let .int32(v): return v.map { Double($0) }
        case let .uint32(v): return v.map { Double($0) }
        case let .int64(v): return v.map { Double($0) }
        case let .uint64(v): return v.map { Double($0) }
        }
    }
}

/// How a branch's entries are shaped.
public enum ColumnKind: String, Sendable {
    /// One value per entry.
    case flat
    /// A fixed number of values per entry (`x[3]`, `x[2][2]`).
    case fixed
    /// A variable number of values per entry (`Muon_pt[nMuon]`, `std::vector<float>`).
    case jagged
    /// A variable number of variable-length lists per entry (`vector<vector<float>>`, jet constituents):
    /// `offsets` into the lists, `innerOffsets` into the values.
    case doublyJagged = "doubly_jagged"
    /// One UTF-8 string per entry (`char*` leaves, `std::string`, `TString`): `offsets` into the bytes.
    case string
    /// A variable number of strings per entry (`vector<string>`): `offsets` into the strings, `innerOffsets`
    /// into the bytes.
    case jaggedString = "jagged_string"
}

/// The values of one branch over an entry range: flat/fixed columns as one array (row-major), jagged
/// columns as `offsets` (entries + 1, starting at 0) into `values`.
public struct Column: Sendable {
    public var name: String
    public var type: ScalarType
    public var kind: ColumnKind
    /// Inner fixed shape (`[3]` for `x[3]`; empty for flat and plain jagged columns).
    public var shape: [Int]
    public var entryStart: Int64
    public var entryCount: Int
    public var values: ColumnValues
    /// Jagged, doubly jagged and string columns only (entries + 1).
    public var offsets: [Int64]?
    /// Doubly jagged and jagged-string columns only: offsets of the inner lists (strings) into `values`.
    public var innerOffsets: [Int64]?

    public init(name: String, type: ScalarType, kind: ColumnKind, shape: [Int], entryStart: Int64, entryCount: Int,
                values: ColumnValues, offsets: [Int64]?, innerOffsets: [Int64]? = nil) {
        self.innerOffsets = innerOffsets
        self.name = name
        self.type = type
        self.kind = kind
        self.shape = shape
        self.entryStart = entryStart
        self.entryCount = entryCount
        self.values = values
        self.offsets = offsets
    }

    /// Number of values of entry `i` (relative to `entryStart`).
    public func length(ofEntry i: Int) -> Int {
        if let o = offsets { return Int(o[i + 1] - o[i]) }
        return shape.reduce(1, *)
    }

    /// Range of `values` holding entry `i` (all inner lists of a doubly jagged entry).
    public func valueRange(ofEntry i: Int) -> Range<Int> {
        if let o = offsets, let inner = innerOffsets { return Int(inner[Int(o[i])])..<Int(inner[Int(o[i + 1])]) }
        if let o = offsets { return Int(o[i])..<Int(o[i + 1]) }
        let n = shape.reduce(1, *)
        return (i * n)..<((i + 1) * n)
    }
}

/// Columns of several branches over one entry range.
public struct ColumnBatch: Sendable {
    public var entryStart: Int64
    public var entryCount: Int
    public var columns: [Column]

    public init(entryStart: Int64, entryCount: Int, columns: [Column]) {
        self.entryStart = entryStart
        self.entryCount = entryCount
        self.columns = columns
    }

    public subscript(name: String) -> Column? { columns.first { $0.name == name } }
}
