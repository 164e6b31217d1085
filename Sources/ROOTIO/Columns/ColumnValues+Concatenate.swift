extension ColumnValues {
    /// An empty array of the given type.
    public static func empty(_ type: ScalarType) -> ColumnValues {
        switch type {
        case .bool: return .bool([])
        case .int8: return .int8([])
        case .uint8: return .uint8([])
        case .int16: return .int16([])
        case .uint16: return .uint16([])
        case .int32: return .int32([])
        case .uint32: return .uint32([])
        case .int64: return .int64([])
        case .uint64: return .uint64([])
        case .float32: return .float32([])
        case .float64: return .float64([])
        }
    }

    /// Joins parts of one type in order (a single part is returned without copying).
    public static func concatenate(_ parts: [ColumnValues], type: ScalarType) -> ColumnValues {
        if parts.count == 1 { return parts[0] }
        func join<T>(_ pick: (ColumnValues) -> [T]?) -> [T] {
            var out: [T] = []
            out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for p in parts { if let a = pick(p) { out.append(contentsOf: a) } }
            return out
        }
        switch type {
        case .bool: return .bool(join { if case let .bool(a) = $0 { a } else { nil } })
        case .int8: return .int8(join { if case let .int8(a) = $0 { a } else { nil } })
        case .uint8: return .uint8(join { if case let .uint8(a) = $0 { a } else { nil } })
        case .int16: return .int16(join { if case let .int16(a) = $0 { a } else { nil } })
        case .uint16: return .uint16(join { if case let .uint16(a) = $0 { a } else { nil } })
        case .int32: return .int32(join { if case let .int32(a) = $0 { a } else { nil } })
        case .uint32: return .uint32(join { if case let .uint32(a) = $0 { a } else { nil } })
        case .int64: return .int64(join { if case let .int64(a) = $0 { a } else { nil } })
        case .uint64: return .uint64(join { if case let .uint64(a) = $0 { a } else { nil } })
        case .float32: return .float32(join { if case let .float32(a) = $0 { a } else { nil } })
        case .float64: return .float64(join { if case let .float64(a) = $0 { a } else { nil } })
        }
    }
}
