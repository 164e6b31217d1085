import ROOTIO

/// A leaf of the Parquet schema the reader maps onto one column: flat (required/optional primitive) or jagged
/// (a primitive under exactly one repeated node: the 3-level `LIST` or a legacy repeated field).
struct ParquetLeaf: Sendable {
    var name: String
    /// Position among all schema leaves (= position of its chunk in every row group).
    var leafIndex: Int
    var physicalType: Int32
    var scalarType: ScalarType
    var maxDefinition: Int
    var maxRepetition: Int
    /// Definition level at which the repeated node holds an element (jagged columns).
    var repeatedDefinition: Int
    var jagged: Bool { maxRepetition > 0 }
}

enum ParquetSchema {
    /// Table columns (readable or skipped with a reason) and, for each readable one, its leaf.
    static func columns(_ elements: [ParquetSchemaElement]) throws(ThriftCompactReader.Failure)
        -> (columns: [TableColumn], leaves: [ParquetLeaf?])
    {
        guard let root = elements.first else { return ([], []) }
        var index = 1
        var leafCounter = 0
        var columns: [TableColumn] = []
        var leaves: [ParquetLeaf?] = []
        for _ in 0..<max(0, Int(root.numChildren)) {
            guard index < elements.count else { throw .init(position: 0, reason: "schema has fewer nodes than its children counts") }
            var paths: [[ParquetSchemaElement]] = []
            try collect(elements, &index, parents: [], into: &paths, depth: 0)
            let top = paths.first?.first ?? elements[index - 1]
            defer { leafCounter += paths.count }
            guard paths.count == 1, let path = paths.first, let leaf = path.last, let physical = leaf.type else {
                columns.append(TableColumn(name: top.name, type: .float64, jagged: false,
                                           skipReason: "nested group with \(paths.count) leaves (struct or map)"))
                leaves.append(nil)
                continue
            }
            let repeated = path.filter { $0.repetition == 2 }.count
            var repDef = 0
            var def = 0
            for e in path {
                if e.repetition != 0 { def += 1 }
                if e.repetition == 2 { repDef = def }
            }
            let type = scalarType(of: leaf, physical: physical)
            guard repeated <= 1 else {
                columns.append(TableColumn(name: top.name, type: .float64, jagged: false,
                                           skipReason: "list nested \(repeated) levels deep"))
                leaves.append(nil)
                continue
            }
            switch type {
            case let .skip(reason):
                columns.append(TableColumn(name: top.name, type: .float64, jagged: repeated > 0, skipReason: reason))
                leaves.append(nil)
            case let .type(t):
                columns.append(TableColumn(name: top.name, type: t, jagged: repeated > 0))
                leaves.append(ParquetLeaf(name: top.name, leafIndex: leafCounter, physicalType: physical, scalarType: t,
                                          maxDefinition: def, maxRepetition: repeated, repeatedDefinition: repDef))
            }
        }
        return (columns, leaves)
    }

    /// Depth-first: the root-to-leaf paths below `elements[index]`.
    private static func collect(_ elements: [ParquetSchemaElement], _ index: inout Int, parents: [ParquetSchemaElement],
                                into paths: inout [[ParquetSchemaElement]], depth: Int) throws(ThriftCompactReader.Failure)
    {
        guard depth < 64 else { throw .init(position: 0, reason: "schema nested deeper than 64") }
        guard index < elements.count else { throw .init(position: 0, reason: "schema has fewer nodes than its children counts") }
        let e = elements[index]
        index += 1
        let path = parents + [e]
        if e.type != nil || e.numChildren <= 0 {
            paths.append(path)
            return
        }
        for _ in 0..<Int(e.numChildren) { try collect(elements, &index, parents: path, into: &paths, depth: depth + 1) }
    }

    /// A leaf's column type, or why it is skipped.
    private enum Mapped {
        case type(ScalarType)
        case skip(String)
    }

    private static func scalarType(of e: ParquetSchemaElement, physical: Int32) -> Mapped {
        func skip(_ s: String) -> Mapped { .skip(s) }
        switch physical {
        case 0: return .type(.bool)
        case 1, 2:
            var bits = physical == 1 ? 32 : 64
            var signed = true
            if let i = e.integer {
                bits = Int(i.bits)
                signed = i.signed
            } else if let c = e.convertedType {
                switch c {
                case 11: (bits, signed) = (8, false)
                case 12: (bits, signed) = (16, false)
                case 13: (bits, signed) = (32, false)
                case 14: (bits, signed) = (64, false)
                case 15: bits = 8
                case 16: bits = 16
                case 17: bits = 32
                case 18: bits = 64
                case 5: return skip("DECIMAL")
                default: break
                }
            }
            switch (bits, signed) {
            case (8, true): return .type(.int8)
            case (8, false): return .type(.uint8)
            case (16, true): return .type(.int16)
            case (16, false): return .type(.uint16)
            case (32, true): return .type(.int32)
            case (32, false): return .type(.uint32)
            case (64, true): return .type(.int64)
            case (64, false): return .type(.uint64)
            default: return skip("integer of \(bits) bits")
            }
        case 4: return .type(.float32)
        case 5: return .type(.float64)
        case 3: return skip("INT96 timestamps")
        case 6: return skip(e.isString ? "strings (BYTE_ARRAY)" : "binary values (BYTE_ARRAY)")
        case 7: return skip("FIXED_LEN_BYTE_ARRAY values")
        default: return skip("physical type \(physical)")
        }
    }
}
