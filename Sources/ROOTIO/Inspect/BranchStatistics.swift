/// Running statistics of one column over chunks: counts, exact integer sums, float sums in Double, min/max,
/// the first three entries, the last entry and the longest jagged entry.
public struct BranchStatistics: Sendable {
    public let name: String
    public let interpretation: BranchInterpretation
    public private(set) var entries: Int64 = 0
    public private(set) var values: Int64 = 0
    public private(set) var integerSum: Int128 = 0
    public private(set) var floatSum: Double = 0
    public private(set) var minimum: Double = .infinity
    public private(set) var maximum: Double = -.infinity
    /// Exact extremes for 64-bit integers (a Double cannot hold them).
    private var intMin: Int128 = .max
    private var intMax: Int128 = .min
    private var sawNaN = false
    public private(set) var maxLength = 0
    public private(set) var first: [JSONValue] = []
    public private(set) var last: JSONValue = .null
    /// String columns: counts, lengths and distinct values of the strings.
    public private(set) var text = StringStatistics()
    /// Doubly jagged columns: inner vectors in total, and the longest one.
    public private(set) var innerLists: Int64 = 0
    public private(set) var maxInnerLength = 0

    public init(name: String, interpretation: BranchInterpretation) {
        self.name = name
        self.interpretation = interpretation
    }

    /// Adds the entries of one chunk.
    public mutating func add(_ column: Column) {
        let v = column.values
        for i in 0..<column.entryCount {
            maxLength = max(maxLength, column.length(ofEntry: i))
        }
        if column.kind.isString {
            text.add(column)
            values = text.strings
            addEnds(column)
            return
        }
        if column.kind == .doublyJagged, let inner = column.innerOffsets, inner.count > 1 {
            innerLists += Int64(inner.count - 1)
            for k in 0..<(inner.count - 1) { maxInnerLength = max(maxInnerLength, Int(inner[k + 1] - inner[k])) }
        }
        values += Int64(v.count)
        switch v {
        case let .bool(a): addIntegers(a.lazy.map { $0 ? 1 : 0 })
        case let .int8(a): addIntegers(a.lazy.map { Int128($0) })
        case let .uint8(a): addIntegers(a.lazy.map { Int128($0) })
        case let .int16(a): addIntegers(a.lazy.map { Int128($0) })
        case let .uint16(a): addIntegers(a.lazy.map { Int128($0) })
        case let .int32(a): addIntegers(a.lazy.map { Int128($0) })
        case let .uint32(a): addIntegers(a.lazy.map { Int128($0) })
        case let .int64(a): addIntegers(a.lazy.map { Int128($0) })
        case let .uint64(a): addIntegers(a.lazy.map { Int128($0) })
        case let .float32(a): addFloats(a.lazy.map { Double($0) })
        case let .float64(a): addFloats(a.lazy)
        }
        addEnds(column)
    }

    /// Keeps the first three entries and the last one, and counts the chunk's entries.
    private mutating func addEnds(_ column: Column) {
        for i in 0..<column.entryCount where entries + Int64(i) < 3 {
            first.append(entryJSON(column, i))
        }
        if column.entryCount > 0 { last = entryJSON(column, column.entryCount - 1) }
        entries += Int64(column.entryCount)
    }

    private mutating func addIntegers<S: Sequence>(_ s: S) where S.Element == Int128 {
        for x in s {
            integerSum += x
            if x < intMin { intMin = x }
            if x > intMax { intMax = x }
        }
    }

    private mutating func addFloats<S: Sequence>(_ s: S) where S.Element == Double {
        for x in s {
            floatSum += x
            if x.isNaN { sawNaN = true; continue }
            if x < minimum { minimum = x }
            if x > maximum { maximum = x }
        }
    }

    /// Smallest and largest value as Doubles (nil when there are no values).
    public var range: (min: Double, max: Double)? {
        guard values > 0 else { return nil }
        if interpretation.type.isFloatingPoint {
            if sawNaN && minimum > maximum { return (.nan, .nan) }
            return (minimum, maximum)
        }
        return (Double(intMin), Double(intMax))
    }

    func scalarJSON(_ column: Column, _ k: Int) -> JSONValue { column.values.json(at: k) }

    /// One entry as nested JSON arrays (fixed shapes and jagged lists).
    func entryJSON(_ column: Column, _ i: Int) -> JSONValue {
        let r = column.valueRange(ofEntry: i)
        switch column.kind {
        case .flat: return scalarJSON(column, r.lowerBound)
        case .jagged:
            let inner = interpretation.itemsPerElement
            if inner == 1 { return .array(r.map { scalarJSON(column, $0) }) }
            return .array(stride(from: r.lowerBound, to: r.upperBound, by: inner).map { nested(column, $0, interpretation.shape) })
        case .fixed: return nested(column, r.lowerBound, interpretation.shape)
        case .doublyJagged, .string, .jaggedString: return column.stringOrNestedJSON(ofEntry: i) ?? .null
        }
    }

    private func nested(_ column: Column, _ start: Int, _ shape: [Int]) -> JSONValue {
        guard let n = shape.first else { return scalarJSON(column, start) }
        let rest = Array(shape.dropFirst())
        let step = rest.reduce(1, *)
        return .array((0..<n).map { nested(column, start + $0 * step, rest) })
    }

    /// The statistics in the reference-file schema.
    public var json: JSONValue {
        let i = interpretation
        var m: [(String, JSONValue)] = [
            ("kind", .string(i.kind.rawValue)), ("type", .string(i.type.rawValue)),
            ("shape", .array(i.kind == .fixed ? i.shape.map { .int($0) } : [])),
            ("entries", .int(entries)), ("values", .int(values)),
        ]
        if i.kind == .jagged {
            m.append(("counter", i.counter.map { .string($0) } ?? .null))
            m.append(("lengths_sum", .int(values / Int64(i.itemsPerElement))))
        }
        if i.kind == .doublyJagged {
            m.append(("lengths_sum", .int(innerLists)))
            m.append(("max_length", .int(maxLength)))
            m.append(("inner_lengths_sum", .int(values)))
            m.append(("max_inner_length", .int(maxInnerLength)))
        }
        if i.kind == .jaggedString {
            m.append(("lengths_sum", .int(text.strings)))
            m.append(("max_length", .int(maxLength)))
        }
        if i.kind.isString {
            m += text.jsonMembers
        } else if values > 0 {
            switch i.type {
            case .bool:
                m.append(("sum", .int(integerSum)))
                m.append(("min", .bool(intMin != 0)))
                m.append(("max", .bool(intMax != 0)))
            case .float32, .float64:
                m.append(("sum", .double(floatSum)))
                let r = range!
                m.append(("min", .double(r.min)))
                m.append(("max", .double(r.max)))
            default:
                m.append(("sum", .string(String(integerSum))))
                m.append(("min", .number(String(intMin))))
                m.append(("max", .number(String(intMax))))
            }
        }
        m.append(("first", .array(first)))
        m.append(("last", last))
        return .object(m)
    }
}
