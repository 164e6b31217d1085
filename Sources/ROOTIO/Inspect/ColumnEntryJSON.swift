extension Column {
    /// String `k` of a string column (entry `k` of `.string`, string `k` of all entries of `.jaggedString`),
    /// decoded as UTF-8 (invalid bytes become U+FFFD).
    public func string(at k: Int) -> String {
        guard case let .uint8(bytes) = values else { return "" }
        let bounds = kind == .jaggedString ? innerOffsets : offsets
        guard let o = bounds, k >= 0, k + 1 < o.count else { return "" }
        return String(decoding: bytes[Int(o[k])..<Int(o[k + 1])], as: UTF8.self)
    }

    /// The strings of entry `i` (one for `.string`, any number for `.jaggedString`).
    public func strings(ofEntry i: Int) -> [String] {
        guard let o = offsets else { return [] }
        if kind == .string { return [string(at: i)] }
        return (Int(o[i])..<Int(o[i + 1])).map { string(at: $0) }
    }

    /// Entry `i` of a string or doubly jagged column as JSON: a string, a list of strings, or a list of lists
    /// of numbers. Nil for other kinds.
    public func stringOrNestedJSON(ofEntry i: Int) -> JSONValue? {
        switch kind {
        case .flat, .fixed, .jagged: return nil
        case .string: return .string(string(at: i))
        case .jaggedString: return .array(strings(ofEntry: i).map { .string($0) })
        case .doublyJagged:
            guard let o = offsets, let inner = innerOffsets else { return .array([]) }
            return .array((Int(o[i])..<Int(o[i + 1])).map { k in
                .array((Int(inner[k])..<Int(inner[k + 1])).map { values.json(at: $0) })
            })
        }
    }
}

extension ColumnValues {
    /// Element `k` as a JSON number or boolean (float32 widened to Double, integers exact).
    public func json(at k: Int) -> JSONValue {
        switch self {
        case let .bool(a): return .bool(a[k])
        case let .int8(a): return .int(a[k])
        case let .uint8(a): return .int(a[k])
        case let .int16(a): return .int(a[k])
        case let .uint16(a): return .int(a[k])
        case let .int32(a): return .int(a[k])
        case let .uint32(a): return .int(a[k])
        case let .int64(a): return .int(a[k])
        case let .uint64(a): return .int(a[k])
        case let .float32(a): return .double(Double(a[k]))
        case let .float64(a): return .double(a[k])
        }
    }
}
