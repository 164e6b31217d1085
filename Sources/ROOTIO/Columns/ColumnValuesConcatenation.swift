extension ColumnValues {
    /// The values of `parts` (all of element type `type`) one after the other.
    public static func concatenation(_ parts: [ColumnValues], type: ScalarType) -> ColumnValues {
        if parts.count == 1 { return parts[0] }
        switch type {
        case .bool: return .bool(join(parts) { if case let .bool(a) = $0 { a } else { nil } })
        case .int8: return .int8(join(parts) { if case let .int8(a) = $0 { a } else { nil } })
        case .uint8: return .uint8(join(parts) { if case let .uint8(a) = $0 { a } else { nil } })
        case .int16: return .int16(join(parts) { if case let .int16(a) = $0 { a } else { nil } })
        case .uint16: return .uint16(join(parts) { if case let .uint16(a) = $0 { a } else { nil } })
        case .int32: return .int32(join(parts) { if case let .int32(a) = $0 { a } else { nil } })
        case .uint32: return .uint32(join(parts) { if case let .uint32(a) = $0 { a } else { nil } })
        case .int64: return .int64(join(parts) { if case let .int64(a) = $0 { a } else { nil } })
        case .uint64: return .uint64(join(parts) { if case let .uint64(a) = $0 { a } else { nil } })
        case .float32: return .float32(join(parts) { if case let .float32(a) = $0 { a } else { nil } })
        case .float64: return .float64(join(parts) { if case let .float64(a) = $0 { a } else { nil } })
        }
    }

    private static func join<T>(_ parts: [ColumnValues], _ extract: (ColumnValues) -> [T]?) -> [T] {
        var out: [T] = []
        out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for p in parts { if let a = extract(p) { out.append(contentsOf: a) } }
        return out
    }
}
