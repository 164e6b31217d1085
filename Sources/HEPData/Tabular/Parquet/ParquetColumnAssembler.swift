import ROOTIO

/// Decodes a column chunk into a typed `Column` of one row group: nulls become NaN in float columns (an error in
/// integer ones), lists become offsets over their elements.
enum ParquetColumnAssembler {
    static func column(_ leaf: ParquetLeaf, _ chunk: ParquetColumnChunk, bytes: ArraySlice<UInt8>, rows: Int, entryStart: Int64,
                       rowGroup: Int, file: String) throws -> Column
    {
        func fail(_ offset: Int64, _ reason: String) -> TabularError {
            TabularError(file: file, location: "column '\(leaf.name)', row group \(rowGroup), offset \(offset)", reason: reason)
        }
        guard chunk.type == leaf.physicalType else {
            throw fail(chunk.start, "chunk type \(chunk.type) differs from the schema's \(leaf.physicalType)")
        }
        func build<T: ParquetPhysical>(_: T.Type) throws -> (values: [T], offsets: [Int64]?) {
            do {
                return try ParquetChunkDecoder<T>(leaf: leaf, chunk: chunk, fileOffset: chunk.start, rows: rows).decode(bytes)
            } catch let error as ParquetChunkDecoder<T>.Failure {
                throw fail(error.offset, error.reason)
            }
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
}
