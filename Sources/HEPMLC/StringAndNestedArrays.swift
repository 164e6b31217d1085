import ROOTIO

/// Arrow layouts of string and doubly jagged columns: `LargeUtf8` strings (int64 offsets into UTF-8 bytes),
/// `LargeList<LargeUtf8>` for `vector<string>` and `LargeList<LargeList<T>>` for `vector<vector<T>>`. The
/// column's offsets and values are used in place.
enum StringAndNestedArrays {
    /// The Arrow field of a string or doubly jagged branch, nil for other kinds.
    static func field(name: String, interpretation i: BranchInterpretation) -> ArrowField? {
        switch i.kind {
        case .flat, .fixed, .jagged: return nil
        case .string: return ArrowField(name: name, format: "U")
        case .jaggedString: return ArrowField(name: name, format: "+L", children: [ArrowField(name: "item", format: "U")])
        case .doublyJagged:
            let values = ArrowField(name: "item", format: ArrowField.format(of: i.type))
            return ArrowField(name: name, format: "+L", children: [ArrowField(name: "item", format: "+L", children: [values])])
        }
    }

    /// The Arrow array of a string or doubly jagged column, nil for other kinds.
    static func column(_ c: Column) throws -> ArrowNode? {
        switch c.kind {
        case .flat, .fixed, .jagged: return nil
        case .string:
            guard case let .uint8(bytes) = c.values else { throw ColumnArrays.inconsistent(c, "string column without bytes") }
            return try strings(c, offsets: c.offsets, count: c.entryCount, bytes: bytes)
        case .jaggedString:
            guard case let .uint8(bytes) = c.values, let inner = c.innerOffsets else {
                throw ColumnArrays.inconsistent(c, "string-list column without bytes and string offsets")
            }
            let child = try strings(c, offsets: inner, count: inner.count - 1, bytes: bytes)
            return try list(c, offsets: c.offsets, count: c.entryCount, child: child)
        case .doublyJagged:
            guard let inner = c.innerOffsets else { throw ColumnArrays.inconsistent(c, "doubly jagged column without inner offsets") }
            let child = try list(c, offsets: inner, count: inner.count - 1, child: ColumnArrays.values(c.values))
            return try list(c, offsets: c.offsets, count: c.entryCount, child: child)
        }
    }

    private static func checked(_ c: Column, _ offsets: [Int64]?, count: Int, end: Int64) throws -> [Int64] {
        guard let o = offsets, count >= 0, o.count == count + 1, o.first == 0, o.last == end else {
            throw ColumnArrays.inconsistent(c, "offsets do not cover \(count) items of \(end) children")
        }
        return o
    }

    private static func strings(_ c: Column, offsets: [Int64]?, count: Int, bytes: [UInt8]) throws -> ArrowNode {
        let o = try checked(c, offsets, count: count, end: Int64(bytes.count))
        let ob = o.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        let data = bytes.isEmpty ? UnsafeRawPointer(ColumnArrays.emptyBuffer)
            : bytes.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        return ArrowNode(length: Int64(count), buffers: [nil, ob, data], owners: [o, bytes])
    }

    private static func list(_ c: Column, offsets: [Int64]?, count: Int, child: ArrowNode) throws -> ArrowNode {
        let o = try checked(c, offsets, count: count, end: child.length)
        let ob = o.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        return ArrowNode(length: Int64(count), buffers: [nil, ob], children: [child], owners: [o])
    }
}
