/// One field record of an RNTuple schema (header or footer extension).
public struct RNTupleField: Sendable {
    /// Structural roles of the spec.
    public enum Role: UInt16, Sendable {
        case leaf = 0, collection = 1, record = 2, variant = 3, streamer = 4
    }
    public var id: Int
    public var parentId: Int
    public var role: Role?
    public var flags: UInt16
    public var name: String
    public var typeName: String
    public var typeAlias: String
    /// Fixed-size array length (flag 0x01), else nil.
    public var repetition: Int?
    /// Source field of a projected field (flag 0x02), else nil.
    public var sourceFieldId: Int?

    public var isTopLevel: Bool { parentId == id }
    public var isProjected: Bool { sourceFieldId != nil }
}

/// One physical column record.
public struct RNTupleColumn: Sendable {
    public var id: Int
    public var type: RNTupleColumnType?
    public var rawType: UInt16
    public var bitsOnStorage: Int
    public var fieldId: Int
    public var representationIndex: Int
    /// Elements before this index are zero (deferred column), 0 otherwise.
    public var firstElementIndex: Int64
    /// Value range of quantized columns.
    public var range: (min: Double, max: Double)?
}

/// Fields, physical columns and alias columns (projected fields' views of physical columns).
public struct RNTupleSchema: Sendable {
    public var fields: [RNTupleField] = []
    public var columns: [RNTupleColumn] = []
    /// (physical column id, field id) pairs, in serialization order.
    public var aliases: [(physical: Int, field: Int)] = []

    /// Appends the four schema lists (fields, columns, alias columns, extra type infos) at the cursor.
    mutating func append(from c: inout EnvelopeCursor) throws {
        let fieldBase = fields.count
        let columnBase = columns.count
        let newFields = try c.list("field") { c, i in
            try c.record("field") { c -> RNTupleField in
                _ = try c.u32()  // field version
                _ = try c.u32()  // type version
                let parent = Int(try c.u32())
                let role = try c.u16()
                let flags = try c.u16()
                let name = try c.string()
                let type = try c.string()
                let alias = try c.string()
                _ = try c.string()  // description
                var repetition: Int?
                var source: Int?
                if flags & 1 != 0 {
                    let n = try c.u64()
                    guard n > 0, n <= 1 << 24 else { throw c.malformed("field '\(name)': array size \(n)") }
                    repetition = Int(n)
                }
                if flags & 2 != 0 { source = Int(try c.u32()) }
                return RNTupleField(id: fieldBase + i, parentId: parent, role: RNTupleField.Role(rawValue: role), flags: flags,
                                    name: name, typeName: type, typeAlias: alias, repetition: repetition,
                                    sourceFieldId: source)
            }
        }
        fields += newFields
        let newColumns = try c.list("column") { c, i in
            try c.record("column") { c -> RNTupleColumn in
                let type = try c.u16()
                let bits = Int(try c.u16())
                let field = Int(try c.u32())
                let flags = try c.u16()
                let representation = Int(try c.u16())
                var first: Int64 = 0
                var range: (Double, Double)?
                if flags & 1 != 0 { first = try c.i64() }
                if flags & 2 != 0 { range = (try c.f64(), try c.f64()) }
                return RNTupleColumn(id: columnBase + i, type: RNTupleColumnType(rawValue: type), rawType: type,
                                     bitsOnStorage: bits, fieldId: field, representationIndex: representation,
                                     firstElementIndex: first, range: range)
            }
        }
        columns += newColumns
        aliases += try c.list("alias column") { c, _ in
            try c.record("alias column") { c in (Int(try c.u32()), Int(try c.u32())) }
        }
        _ = try c.list("extra type info") { _, _ in () }
        for f in fields where f.parentId >= fields.count || (f.sourceFieldId ?? 0) >= fields.count {
            throw c.malformed("field '\(f.name)' refers to field \(max(f.parentId, f.sourceFieldId ?? 0)) of \(fields.count)")
        }
        for col in columns where col.fieldId >= fields.count {
            throw c.malformed("column \(col.id) refers to field \(col.fieldId) of \(fields.count)")
        }
        for a in aliases where a.physical >= columns.count || a.field >= fields.count {
            throw c.malformed("alias column refers to column \(a.physical) of \(columns.count), field \(a.field)")
        }
    }

    /// Children of a field, in id order.
    func children(of id: Int) -> [RNTupleField] {
        fields.filter { $0.parentId == id && $0.id != id }
    }

    /// The physical columns attached to a field (its own, or through alias columns for a projected field),
    /// grouped by representation: `[representation][column position]`.
    func columnRepresentations(of fieldId: Int) -> [[Int]] {
        var attached = columns.filter { $0.fieldId == fieldId }.map { ($0.representationIndex, $0.id) }
        if attached.isEmpty {
            attached = aliases.filter { $0.field == fieldId }.map { (columns[$0.physical].representationIndex, $0.physical) }
        }
        let reps = Set(attached.map(\.0)).sorted()
        return reps.map { r in attached.filter { $0.0 == r }.map(\.1) }
    }
}
