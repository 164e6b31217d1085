import ROOTIO

/// Statistics of one branch (or defined column) over the scanned events: what the layout and the
/// normalization need.
///
/// Sums are double-double (`sum` + `sumLow`): each value is added with an error-free transformation, so the
/// sums are exact to about 1e-30 relative whatever the order of the values, and statistics of parts of the
/// data merged in any order (files here, file parts in hepml.dask) give the same mean and std to the last bits.
/// The variance is computed in double-double from the sums, so no precision is lost to cancellation.
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
    /// Low parts of the double-double sums.
    var sumLow: Double = 0
    var sumSquaresLow: Double = 0

    enum CodingKeys: String, CodingKey {
        case kind, type, min, max, mean, std, nan, inf, count, sum
        case maxLength = "max_length", sumSquares = "sum_squares", sumLow = "sum_low", sumSquaresLow = "sum_squares_low"
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

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        type = try c.decode(String.self, forKey: .type)
        maxLength = try c.decode(Int.self, forKey: .maxLength)
        min = try c.decodeIfPresent(Double.self, forKey: .min)
        max = try c.decodeIfPresent(Double.self, forKey: .max)
        mean = try c.decodeIfPresent(Double.self, forKey: .mean)
        std = try c.decodeIfPresent(Double.self, forKey: .std)
        nan = try c.decode(Int.self, forKey: .nan)
        inf = try c.decode(Int.self, forKey: .inf)
        count = try c.decode(Int.self, forKey: .count)
        sum = try c.decode(Double.self, forKey: .sum)
        sumSquares = try c.decode(Double.self, forKey: .sumSquares)
        sumLow = try c.decodeIfPresent(Double.self, forKey: .sumLow) ?? 0
        sumSquaresLow = try c.decodeIfPresent(Double.self, forKey: .sumSquaresLow) ?? 0
    }

    /// Adds the values of one chunk (`lengths`: elements per event for jagged/fixed columns).
    mutating func add(values: [Double], lengths: [Int]?) {
        if let lengths, let m = lengths.max() { maxLength = Swift.max(maxLength, m) }
        var lo = min ?? .infinity, hi = max ?? -.infinity
        var s = sum, sLow = sumLow, q = sumSquares, qLow = sumSquaresLow
        var n = count
        values.withUnsafeBufferPointer { buffer in
            for v in buffer {
                if v.isNaN { nan += 1; continue }
                if v.isInfinite { inf += 1; continue }
                n += 1
                // TwoSum: t + error == s + v exactly.
                let t = s + v
                let tv = t - s
                sLow += (s - (t - tv)) + (v - tv)
                s = t
                // v*v == p + pe exactly (fused multiply-add), then TwoSum.
                let p = v * v
                let pe = (-p).addingProduct(v, v)
                let u = q + p
                let up = u - q
                qLow += (q - (u - up)) + (p - up) + pe
                q = u
                if v < lo { lo = v }
                if v > hi { hi = v }
            }
        }
        count = n
        (sum, sumLow, sumSquares, sumSquaresLow) = (s, sLow, q, qLow)
        if count > 0 { min = lo; max = hi }
        finish()
    }

    /// `(a + b)` as a normalized double-double (hi = a + b rounded).
    static func twoSum(_ a: Double, _ b: Double) -> (Double, Double) {
        let s = a + b
        let bv = s - a
        return (s, (a - (s - bv)) + (b - bv))
    }

    /// Normalizes the sums and computes mean and std (the variance in double-double: E[x²] − E[x]², with a
    /// variance below the sums' resolution taken as 0).
    mutating func finish() {
        (sum, sumLow) = Self.twoSum(sum, sumLow)
        (sumSquares, sumSquaresLow) = Self.twoSum(sumSquares, sumSquaresLow)
        guard count > 0 else { mean = nil; std = nil; return }
        let n = Double(count)
        let mHigh = sum / n
        mean = mHigh
        let mLow = (sum.addingProduct(-mHigh, n) + sumLow) / n
        let qHigh = sumSquares / n
        let qLow = (sumSquares.addingProduct(-qHigh, n) + sumSquaresLow) / n
        let p = mHigh * mHigh
        let pLow = (-p).addingProduct(mHigh, mHigh) + 2 * mHigh * mLow
        let variance = (qHigh - p) + (qLow - pLow)
        std = variance > Self.varianceResolution * qHigh ? variance.squareRoot() : 0
    }

    /// Relative resolution of a double-double E[x²] (8 ε²): variances below it are rounding, not spread.
    static let varianceResolution = 8 * Double.ulpOfOne * Double.ulpOfOne / 4

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
        let (s, sErr) = Self.twoSum(sum, o.sum)
        (sum, sumLow) = (s, sumLow + o.sumLow + sErr)
        let (q, qErr) = Self.twoSum(sumSquares, o.sumSquares)
        (sumSquares, sumSquaresLow) = (q, sumSquaresLow + o.sumSquaresLow + qErr)
        finish()
    }
}
