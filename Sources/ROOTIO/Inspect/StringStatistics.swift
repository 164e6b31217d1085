/// Running statistics of the strings of a string column: how many, their bytes, shortest and longest, and
/// the distinct values (counted exactly up to `distinctLimit`, with the first `sampleSize` kept in order).
public struct StringStatistics: Sendable {
    public static let distinctLimit = 10_000
    public static let sampleSize = 10

    public private(set) var strings: Int64 = 0
    public private(set) var bytes: Int64 = 0
    public private(set) var minLength = Int.max
    public private(set) var maxLength = 0
    /// Distinct strings seen, in order of first appearance (the first `sampleSize`).
    public private(set) var sample: [String] = []
    private var distinct = Set<String>()
    /// Whether more than `distinctLimit` distinct strings were seen (the count stops there).
    public private(set) var distinctSaturated = false

    public init() {}

    public var distinctCount: Int { distinct.count }

    /// Adds every string of a `.string` or `.jaggedString` column.
    mutating func add(_ column: Column) {
        let bounds = column.kind == .jaggedString ? column.innerOffsets : column.offsets
        guard let o = bounds, o.count > 1 else { return }
        for k in 0..<(o.count - 1) {
            let n = Int(o[k + 1] - o[k])
            strings += 1
            bytes += Int64(n)
            minLength = min(minLength, n)
            maxLength = max(maxLength, n)
            guard !distinctSaturated else { continue }
            let s = column.string(at: k)
            if distinct.insert(s).inserted {
                if sample.count < Self.sampleSize { sample.append(s) }
                if distinct.count > Self.distinctLimit { distinctSaturated = true }
            }
        }
    }

    /// The members `inspect` prints for a string column.
    var jsonMembers: [(String, JSONValue)] {
        var m: [(String, JSONValue)] = [("strings", .int(strings)), ("bytes", .int(bytes))]
        if strings > 0 {
            m.append(("min_length", .int(minLength)))
            m.append(("max_length", .int(maxLength)))
        }
        m.append(("distinct", .int(min(distinct.count, Self.distinctLimit))))
        m.append(("distinct_saturated", .bool(distinctSaturated)))
        m.append(("distinct_sample", .array(sample.map { .string($0) })))
        return m
    }
}
