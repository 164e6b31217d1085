extension EventValues {
    /// Keeps the events where `keep` is true.
    func select(_ keep: [Bool]) -> EventValues {
        switch self {
        case .scalar: return self
        case let .flat(v): return .flat(zip(v, keep).compactMap { $1 ? $0 : nil })
        case let .jagged(o, v):
            var offsets: [Int64] = [0]
            var values: [Double] = []
            for (i, k) in keep.enumerated() where k {
                values.append(contentsOf: v[Int(o[i])..<Int(o[i + 1])])
                offsets.append(Int64(values.count))
            }
            return .jagged(offsets: offsets, values: values)
        }
    }

    /// Elements per event (nil for per-event values).
    func lengths(count: Int) -> [Int]? {
        guard case let .jagged(o, _) = self else { return nil }
        return (0..<count).map { Int(o[$0 + 1] - o[$0]) }
    }

    /// All values, flattened.
    var allValues: [Double] {
        switch self {
        case let .scalar(x): return [x]
        case let .flat(v): return v
        case let .jagged(_, v): return v
        }
    }

    var kindName: String {
        if case .jagged = self { return "jagged" }
        return "flat"
    }
}
