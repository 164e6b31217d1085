import ROOTIO

/// Turns a decoded column chunk (values and levels) into a typed `Column` of one row group: nulls become NaN in
/// float columns (an error in integer ones), lists become offsets over their elements.
enum ParquetColumnAssembler {
    static func column(_ leaf: ParquetLeaf, _ chunk: ParquetColumnChunk, bytes: [UInt8], rows: Int, entryStart: Int64,
                       rowGroup: Int, file: String) throws -> Column
    {
        func fail(_ offset: Int64, _ reason: String) -> TabularError {
            TabularError(file: file, location: "column '\(leaf.name)', row group \(rowGroup), offset \(offset)", reason: reason)
        }
        guard chunk.type == leaf.physicalType else {
            throw fail(chunk.start, "chunk type \(chunk.type) differs from the schema's \(leaf.physicalType)")
        }
        func build<T: ParquetPhysical>(_: T.Type) throws -> (values: [T], offsets: [Int64]?) {
            let decoded: ParquetChunkDecoder<T>.Decoded
            do {
                decoded = try ParquetChunkDecoder<T>(leaf: leaf, chunk: chunk, fileOffset: chunk.start).decode(bytes)
            } catch let error as ParquetChunkDecoder<T>.Failure {
                throw fail(error.offset, error.reason)
            }
            return try shape(decoded, leaf: leaf, rows: rows) { fail(chunk.start, $0) }
        }
        let values: ColumnValues
        var offsets: [Int64]?
        switch leaf.physicalType {
        case 0:
            let r = try build(Bool.self)
            values = .bool(r.values)
            offsets = r.offsets
        case 1:
            let r = try build(Int32.self)
            offsets = r.offsets
            switch leaf.scalarType {
            case .int8: values = .int8(r.values.map { Int8(truncatingIfNeeded: $0) })
            case .uint8: values = .uint8(r.values.map { UInt8(truncatingIfNeeded: $0) })
            case .int16: values = .int16(r.values.map { Int16(truncatingIfNeeded: $0) })
            case .uint16: values = .uint16(r.values.map { UInt16(truncatingIfNeeded: $0) })
            case .uint32: values = .uint32(r.values.map { UInt32(bitPattern: $0) })
            default: values = .int32(r.values)
            }
        case 2:
            let r = try build(Int64.self)
            offsets = r.offsets
            values = leaf.scalarType == .uint64 ? .uint64(r.values.map { UInt64(bitPattern: $0) }) : .int64(r.values)
        case 4:
            let r = try build(Float.self)
            values = .float32(r.values)
            offsets = r.offsets
        default:
            let r = try build(Double.self)
            values = .float64(r.values)
            offsets = r.offsets
        }
        return Column(name: leaf.name, type: leaf.scalarType, kind: leaf.jagged ? .jagged : .flat, shape: [],
                      entryStart: entryStart, entryCount: rows, values: values, offsets: offsets)
    }

    /// Places nulls and splits lists into rows by the levels.
    static func shape<T: ParquetPhysical>(_ d: ParquetChunkDecoder<T>.Decoded, leaf: ParquetLeaf, rows: Int,
                                          fail: (String) -> TabularError) throws -> (values: [T], offsets: [Int64]?)
    {
        let maxDef = UInt32(leaf.maxDefinition)
        if !leaf.jagged {
            if leaf.maxDefinition == 0 || d.values.count == d.definition.count {
                guard d.values.count == rows else { throw fail("\(d.values.count) values for \(rows) rows") }
                return (d.values, nil)
            }
            guard d.definition.count == rows else { throw fail("\(d.definition.count) levels for \(rows) rows") }
            guard let null = T.null else { throw fail("null values in an integer column") }
            var out: [T] = []
            out.reserveCapacity(rows)
            var next = 0
            for level in d.definition {
                if level == maxDef {
                    guard next < d.values.count else { throw fail("fewer values than levels") }
                    out.append(d.values[next])
                    next += 1
                } else {
                    out.append(null)
                }
            }
            return (out, nil)
        }
        let n = d.repetition.count
        guard d.definition.count == n || leaf.maxDefinition == 0 else { throw fail("level counts differ") }
        var offsets: [Int64] = []
        offsets.reserveCapacity(rows + 1)
        var out: [T] = []
        out.reserveCapacity(d.values.count)
        var next = 0
        let repDef = UInt32(leaf.repeatedDefinition)
        let noNulls = d.values.count == n
        for i in 0..<n {
            if d.repetition[i] == 0 { offsets.append(Int64(out.count)) }
            let level = leaf.maxDefinition == 0 ? maxDef : d.definition[i]
            if level < repDef { continue }
            if level == maxDef {
                guard next < d.values.count else { throw fail("fewer values than levels") }
                out.append(d.values[next])
                next += 1
            } else {
                guard let null = T.null else { throw fail("null list elements in an integer column") }
                out.append(null)
            }
            _ = noNulls
        }
        guard offsets.count == rows, offsets.first ?? 0 == 0 else { throw fail("\(offsets.count) lists for \(rows) rows") }
        offsets.append(Int64(out.count))
        return (out, offsets)
    }
}
