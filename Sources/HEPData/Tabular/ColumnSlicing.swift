import ROOTIO

extension ColumnValues {
    func slice(_ r: Range<Int>) -> ColumnValues {
        switch self {
        case let .bool(v): return .bool(Array(v[r]))
        case let .int8(v): return .int8(Array(v[r]))
        case let .uint8(v): return .uint8(Array(v[r]))
        case let .int16(v): return .int16(Array(v[r]))
        case let .uint16(v): return .uint16(Array(v[r]))
        case let .int32(v): return .int32(Array(v[r]))
        case let .uint32(v): return .uint32(Array(v[r]))
        case let .int64(v): return .int64(Array(v[r]))
        case let .uint64(v): return .uint64(Array(v[r]))
        case let .float32(v): return .float32(Array(v[r]))
        case let .float64(v): return .float64(Array(v[r]))
        }
    }

    /// Values of the same case appended (the caller guarantees equal types).
    static func concatenating(_ parts: [ColumnValues], type: ScalarType) -> ColumnValues {
        func join<T>(_ pick: (ColumnValues) -> [T]) -> [T] {
            var out: [T] = []
            out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for p in parts { out.append(contentsOf: pick(p)) }
            return out
        }
        switch type {
        case .bool: return .bool(join { if case let .bool(v) = $0 { v } else { [] } })
        case .int8: return .int8(join { if case let .int8(v) = $0 { v } else { [] } })
        case .uint8: return .uint8(join { if case let .uint8(v) = $0 { v } else { [] } })
        case .int16: return .int16(join { if case let .int16(v) = $0 { v } else { [] } })
        case .uint16: return .uint16(join { if case let .uint16(v) = $0 { v } else { [] } })
        case .int32: return .int32(join { if case let .int32(v) = $0 { v } else { [] } })
        case .uint32: return .uint32(join { if case let .uint32(v) = $0 { v } else { [] } })
        case .int64: return .int64(join { if case let .int64(v) = $0 { v } else { [] } })
        case .uint64: return .uint64(join { if case let .uint64(v) = $0 { v } else { [] } })
        case .float32: return .float32(join { if case let .float32(v) = $0 { v } else { [] } })
        case .float64: return .float64(join { if case let .float64(v) = $0 { v } else { [] } })
        }
    }
}

extension Column {
    /// Entries `r` (relative to `entryStart`) as a column of their own.
    func slice(_ r: Range<Int>) -> Column {
        if r.lowerBound == 0 && r.count == entryCount { return self }
        var c = self
        c.entryStart = entryStart + Int64(r.lowerBound)
        c.entryCount = r.count
        if let o = offsets {
            let a = Int(o[r.lowerBound]), b = Int(o[r.upperBound])
            c.values = values.slice(a..<b)
            c.offsets = o[r.lowerBound...r.upperBound].map { $0 - Int64(a) }
        } else {
            c.values = values.slice(r)
        }
        return c
    }

    /// Consecutive slices of one column joined.
    static func concatenating(_ parts: [Column], name: String, type: ScalarType, jagged: Bool, entryStart: Int64) -> Column {
        if parts.count == 1 { return parts[0] }
        var offsets: [Int64]? = jagged ? [0] : nil
        if jagged {
            for p in parts {
                let base = offsets!.last!
                offsets!.append(contentsOf: (p.offsets ?? [0]).dropFirst().map { $0 + base })
            }
        }
        return Column(name: name, type: type, kind: jagged ? .jagged : .flat, shape: [], entryStart: entryStart,
                      entryCount: parts.reduce(0) { $0 + $1.entryCount },
                      values: .concatenating(parts.map(\.values), type: type), offsets: offsets)
    }
}
