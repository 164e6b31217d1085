import ROOTIO

extension BranchSpec {
    /// Adds a chunk of a reader column straight from its typed values (only the events `kept`, when given),
    /// with the same arithmetic, in the same order, as `add(values:lengths:)` on the column's Double values.
    mutating func add(column c: Column, kept: [Int]?) {
        let events = kept?.count ?? c.entryCount
        switch c.kind {
        case .flat: break
        case .fixed: if events > 0 { maxLength = Swift.max(maxLength, c.shape.reduce(1, *)) }
        default:
            let o = c.entryValueOffsets
            guard o.count == c.entryCount + 1 else { break }
            var longest = -1
            if let kept {
                for e in kept { longest = Swift.max(longest, Int(o[e + 1] - o[e])) }
            } else {
                for e in 0..<c.entryCount { longest = Swift.max(longest, Int(o[e + 1] - o[e])) }
            }
            if longest >= 0 { maxLength = Swift.max(maxLength, longest) }
        }
        guard let kept else {
            self = c.values.visit(StatisticsAccumulator(spec: self))
            return
        }
        // Rows after cuts: the kept events' values, gathered once.
        let o = c.entryValueOffsets
        guard o.count == c.entryCount + 1 else { return }
        let ranges = kept.map { Int(o[$0])..<Int(o[$0 + 1]) }
        self = c.values.visit(StatisticsAccumulator(spec: self, ranges: ranges))
    }
}

/// The statistics loop over one column's typed values (all of them, or the given ranges in order).
struct StatisticsAccumulator: ScalarVisitor {
    var spec: BranchSpec
    var ranges: [Range<Int>]?

    func visit<T: LayoutScalar>(_ values: UnsafePointer<T>, count: Int) -> BranchSpec {
        var s = spec
        if let ranges {
            for r in ranges { s.accumulate(values + r.lowerBound, count: r.count) }
        } else {
            s.accumulate(values, count: count)
        }
        s.finish()
        return s
    }
}

extension BranchSpec {
    /// The double-double sums, min, max and NaN/inf counts over `count` values (see `add(values:lengths:)`).
    /// The square's rounding error comes from an exact split product (no fma call), and is 0 for types
    /// whose squares are exact in Double.
    @inline(__always) mutating func accumulate<T: LayoutScalar>(_ p: UnsafePointer<T>, count: Int) {
        guard count > 0 else { return }
        var lo = min ?? .infinity, hi = max ?? -.infinity
        var s = sum, sLow = sumLow, q = sumSquares, qLow = sumSquaresLow
        var n = self.count
        var nanCount = 0, infCount = 0
        for k in 0..<count {
            let v = p[k].layoutDouble
            if v.isNaN { nanCount += 1; continue }
            if v.isInfinite { infCount += 1; continue }
            n += 1
            let t = s + v
            let tv = t - s
            sLow += (s - (t - tv)) + (v - tv)
            s = t
            let sq = v * v
            let pe = T.squareIsExact ? 0 : Self.squareError(v, sq)
            let u = q + sq
            let up = u - q
            qLow += (q - (u - up)) + (sq - up) + pe
            q = u
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        nan += nanCount
        inf += infCount
        self.count = n
        (sum, sumLow, sumSquares, sumSquaresLow) = (s, sLow, q, qLow)
        if n > 0 { min = lo; max = hi }
    }

    /// `v * v - p` exactly, for `p = v * v` rounded: Dekker's product with Veltkamp's split where it cannot
    /// overflow or underflow (the same value a fused multiply-add gives), else the fused multiply-add.
    @inline(__always) static func squareError(_ v: Double, _ p: Double) -> Double {
        let a = Swift.abs(v)
        guard a < 0x1p400, a > 0x1p-400 else { return (-p).addingProduct(v, v) }
        let c = 134_217_729.0 * v
        let h = c - (c - v)
        let l = v - h
        return ((h * h - p) + 2 * h * l) + l * l
    }
}
