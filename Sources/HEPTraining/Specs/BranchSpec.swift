import ROOTIO

/// Statistics of one branch (or defined column) over the scanned events: what the layout and the
/// normalization need.
public struct BranchSpec: Codable, Sendable, Equatable {
    public var kind: String
    public var type: String
    /// Largest number of elements in one event (jagged and fixed; 1 for flat).
    public var maxLength: Int
    public var min: Double?
    public var max: Double?
    public var mean: Double?
    public var std: Double?
    public var nan: Int
    public var inf: Int
    /// Finite values seen.
    public var count: Int
    var sum: Double
    var sumSquares: Double

    enum CodingKeys: String, CodingKey {
        case kind, type, min, max, mean, std, nan, inf, count, sum
        case maxLength = "max_length", sumSquares = "sum_squares"
    }

    public init(kind: String, type: String) {
        self.kind = kind
        self.type = type
        maxLength = kind == "flat" ? 1 : 0
        nan = 0
        inf = 0
        count = 0
        sum = 0
        sumSquares = 0
    }

    /// Adds the values of one chunk (`lengths`: elements per event for jagged/fixed columns).
    mutating func add(values: [Double], lengths: [Int]?) {
        if let lengths, let m = lengths.max() { maxLength = Swift.max(maxLength, m) }
        var lo = min ?? .infinity, hi = max ?? -.infinity
        for v in values {
            if v.isNaN { nan += 1; continue }
            if v.isInfinite { inf += 1; continue }
            count += 1
            sum += v
            sumSquares += v * v
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        if count > 0 { min = lo; max = hi }
        finish()
    }

    mutating func finish() {
        guard count > 0 else { mean = nil; std = nil; return }
        let m = sum / Double(count)
        mean = m
        std = Swift.max(0, sumSquares / Double(count) - m * m).squareRoot()
    }

    /// Combines the statistics of the same branch from another file.
    mutating func merge(_ o: BranchSpec, name: String) throws {
        guard o.type == type, o.kind == kind else {
            throw TrainingError.inconsistent("branch '\(name)' is \(kind) \(type) in one file and \(o.kind) \(o.type) in another")
        }
        maxLength = Swift.max(maxLength, o.maxLength)
        nan += o.nan
        inf += o.inf
        if let a = o.min { min = min.map { Swift.min($0, a) } ?? a }
        if let b = o.max { max = max.map { Swift.max($0, b) } ?? b }
        count += o.count
        sum += o.sum
        sumSquares += o.sumSquares
        finish()
    }
}
