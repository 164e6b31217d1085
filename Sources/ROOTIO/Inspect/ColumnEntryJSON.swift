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

    /// Entry `i` as JSON, whatever the kind: a number, nested arrays for fixed shapes and jagged lists, a
    /// string, or a list of strings.
    public func entryJSON(_ i: Int) -> JSONValue {
        if let v = stringOrNestedJSON(ofEntry: i) { return v }
        let r = valueRange(ofEntry: i)
        let step = shape.reduce(1, *)
        switch kind {
        case .flat: return values.json(at: r.lowerBound)
        case .fixed: return values.json(from: r.lowerBound, shape: shape)
        default:
            return .array(stride(from: r.lowerBound, to: r.upperBound, by: max(1, step)).map { values.json(from: $0, shape: shape) })
        }
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
    /// The values from `start` laid out as nested arrays of `shape` (a scalar when `shape` is empty).
    public func json(from start: Int, shape: [Int]) -> JSONValue {
        guard let n = shape.first else { return json(at: start) }
        let rest = Array(shape.dropFirst())
        let step = rest.reduce(1, *)
        return .array((0..<n).map { json(from: start + $0 * step, shape: rest) })
    }

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
