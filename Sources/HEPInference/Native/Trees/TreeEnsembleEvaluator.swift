/// Batch evaluation of a `TreeEnsemble`: rows are taken a block at a time and the trees run one after the other
/// over the whole block, so a tree's nodes stay in cache while the rows stream through.
extension TreeEnsemble {
    /// Rows per block: the block's features and scores stay in L1/L2 for typical feature counts.
    static let blockRows = 128

    /// Scores after the link, `rows × outputCount` row-major, for row-major `rows × featureCount` input values.
    /// `raw` returns the summed scores (margins) without the link.
    public func predict<T: BinaryFloatingPoint>(_ input: UnsafeBufferPointer<T>, rows: Int, raw: Bool = false) -> [Double] {
        let f = featureCount, k = outputCount
        precondition(input.count >= rows * f, "input holds fewer than rows × features values")
        var out = [Double](repeating: 0, count: rows * k)
        guard rows > 0 else { return out }
        let block = Swift.min(Self.blockRows, rows)
        let x = UnsafeMutablePointer<Double>.allocate(capacity: block * f)
        defer { x.deallocate() }
        out.withUnsafeMutableBufferPointer { outBuf in
            guard let scores = outBuf.baseAddress else { return }
            var start = 0
            while start < rows {
                let n = Swift.min(block, rows - start)
                loadBlock(input, from: start * f, count: n * f, into: x)
                let acc = scores + start * k
                for r in 0..<n { for j in 0..<k { acc[r * k + j] = baseScores[j] } }
                addTrees(x, rows: n, into: acc)
                if !raw { for r in 0..<n { link.apply(acc + r * k, count: k) } }
                start += n
            }
        }
        return out
    }

    private func loadBlock<T: BinaryFloatingPoint>(_ input: UnsafeBufferPointer<T>, from: Int, count: Int,
                                                   into x: UnsafeMutablePointer<Double>) {
        guard let base = input.baseAddress else { return }
        let src = base + from
        switch inputPrecision {
        case .float32:
            for i in 0..<count { x[i] = Double(Float(src[i])) }
        case .float64:
            for i in 0..<count { x[i] = Double(src[i]) }
        }
    }

    /// Adds every tree's leaf values for `rows` rows of `x` to `acc` (rows × outputCount).
    private func addTrees(_ x: UnsafeMutablePointer<Double>, rows: Int, into acc: UnsafeMutablePointer<Double>) {
        let f = featureCount, k = outputCount
        kind.withUnsafeBufferPointer { kindP in
        feature.withUnsafeBufferPointer { featP in
        threshold.withUnsafeBufferPointer { thrP in
        falseChild.withUnsafeBufferPointer { falseP in
            let kd = kindP.baseAddress!, ft = featP.baseAddress!, th = thrP.baseAddress!, fc = falseP.baseAddress!
            for t in 0..<treeRoots.count {
                let root = Int(treeRoots[t])
                let group = Int(treeGroups[t])
                for r in 0..<rows {
                    let row = x + r * f
                    var node = root
                    while true {
                        let code = kd[node]
                        if code == 0 { break }
                        let v = row[Int(ft[node])]
                        let goTrue: Bool
                        if v.isNaN {
                            goTrue = code & Self.missingTrueBit != 0
                        } else {
                            switch code & 7 {
                            case 1: goTrue = v < th[node]
                            case 2: goTrue = v <= th[node]
                            case 3: goTrue = v == th[node]
                            case 4: goTrue = v != th[node]
                            case 5:
                                goTrue = (v >= -Self.zeroThreshold && v <= Self.zeroThreshold)
                                    ? code & Self.missingTrueBit != 0 : v <= th[node]
                            case 6: goTrue = v >= 0 && categoryMatches(v, node: node)
                            default: goTrue = categoryMatches(v, node: node)
                            }
                        }
                        node = goTrue ? node + 1 : Int(fc[node])
                    }
                    if group >= 0 {
                        acc[r * k + group] += th[node]
                    } else {
                        let s = Int(ft[node]), c = Int(fc[node])
                        for e in s..<(s + c) { acc[r * k + Int(leafOutputs[e])] += leafWeights[e] }
                    }
                }
            }
        }
        }
        }
        }
    }

    /// LightGBM's bound for "zero" under missing type Zero (the float 1e-35).
    static let zeroThreshold = Double(Float(1e-35))

    /// Whether the category trunc(v) (v not NaN) is in the node's set; negative or too large values never are.
    @inline(__always)
    private func categoryMatches(_ v: Double, node: Int) -> Bool {
        let c = v.rounded(.towardZero)
        let words = Int(categoryWords[node])
        guard c >= 0, c < Double(words * 32) else { return false }
        let i = Int(c)
        return categoryBits[Int(categoryStart[node]) + i >> 5] & (1 << UInt32(i & 31)) != 0
    }
}
