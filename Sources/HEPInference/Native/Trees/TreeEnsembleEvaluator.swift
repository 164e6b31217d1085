/// Batch evaluation of a `TreeEnsemble`: rows are taken a block at a time and the trees run one after the other
/// over the whole block, so a tree's nodes stay in cache while the rows stream through. Trees in the
/// `BranchFreeForest` layout descend `lanes` at a time without branches — eight rows of one tree, or (for the rows
/// of a block that do not fill a group, and for single rows) eight trees of one row — so that independent loads
/// overlap. Every row still adds its trees' leaves in tree order, so both paths give identical sums.
extension TreeEnsemble {
    /// Rows per block: the block's features and scores stay in L1 for typical feature counts.
    static let blockRows = 64
    /// Descents interleaved by the branch-free kernel.
    static let lanes = 8

    /// Which evaluator runs the trees that the branch-free layout covers (tests compare the two).
    enum Evaluation { case automatic, general }

    /// Scores after the link, `rows × outputCount` row-major, for row-major `rows × featureCount` input values.
    /// `raw` returns the summed scores (margins) without the link.
    public func predict<T: BinaryFloatingPoint>(_ input: UnsafeBufferPointer<T>, rows: Int, raw: Bool = false) -> [Double] {
        predict(input, rows: rows, raw: raw, evaluation: .automatic)
    }

    func predict<T: BinaryFloatingPoint>(_ input: UnsafeBufferPointer<T>, rows: Int, raw: Bool,
                                         evaluation: Evaluation) -> [Double] {
        let f = featureCount, k = outputCount
        precondition(input.count >= rows * f, "input holds fewer than rows × features values")
        var out = [Double](repeating: 0, count: rows * k)
        guard rows > 0, let base = input.baseAddress else { return out }
        let forest = evaluation == .automatic ? branchFree : nil
        let block = Swift.min(Self.blockRows, rows)
        let c = forest?.columns ?? 0
        let needsPlain = forest?.coversAllTrees != true
        let plain = UnsafeMutablePointer<Double>.allocate(capacity: needsPlain ? block * f : 0)
        let wide = UnsafeMutablePointer<Double>.allocate(capacity: forest == nil ? 0 : Self.blockRows * c)
        defer {
            plain.deallocate()
            wide.deallocate()
        }
        withNodeArrays { general in
            out.withUnsafeMutableBufferPointer { outBuf in
                guard let scores = outBuf.baseAddress else { return }
                var start = 0
                while start < rows {
                    let n = Swift.min(block, rows - start)
                    let src = base + start * f
                    if needsPlain { loadPlain(src, count: n * f, into: plain) }
                    if let forest { loadWide(src, rows: n, columns: c, into: wide) }
                    let acc = scores + start * k
                    for r in 0..<n { for j in 0..<k { acc[r * k + j] = baseScores[j] } }
                    if let forest {
                        forest.nodes.withUnsafeBufferPointer { nodes in
                            addTrees(forest, nodes.baseAddress!, general, plain: plain, wide: wide, rows: n, into: acc)
                        }
                    } else {
                        for t in 0..<treeCount {
                            for r in 0..<n { addGeneralTree(t, general, row: plain + r * f, into: acc + r * k) }
                        }
                    }
                    if !raw { for r in 0..<n { link.apply(acc + r * k, count: k) } }
                    start += n
                }
            }
        }
        return out
    }

    /// The input as the comparisons see it (rounded to float for XGBoost-style models).
    @inline(__always)
    private func comparable<T: BinaryFloatingPoint>(_ v: T) -> Double {
        inputPrecision == .float32 ? Double(Float(v)) : Double(v)
    }

    private func loadPlain<T: BinaryFloatingPoint>(_ src: UnsafePointer<T>, count: Int, into x: UnsafeMutablePointer<Double>) {
        for i in 0..<count { x[i] = comparable(src[i]) }
    }

    /// Fills the branch-free row block (column-major, `blockRows` per column): per feature the value as is and with
    /// NaN as +∞ (+∞ as the largest finite value), then the −∞ column.
    private func loadWide<T: BinaryFloatingPoint>(_ src: UnsafePointer<T>, rows: Int, columns c: Int,
                                                  into w: UnsafeMutablePointer<Double>) {
        let f = featureCount, b = Self.blockRows
        for r in 0..<rows {
            let s = src + r * f
            for j in 0..<f {
                let v = comparable(s[j])
                w[2 * j * b + r] = v
                w[(2 * j + 1) * b + r] = v.isNaN ? .infinity : (v == .infinity ? .greatestFiniteMagnitude : v)
            }
        }
        let last = w + (c - 1) * b
        for r in 0..<b { last[r] = -.infinity }
    }

    /// Adds every tree's leaf values for `rows` rows to `acc` (rows × outputCount), branch-free where possible.
    private func addTrees(_ forest: BranchFreeForest, _ nodes: UnsafePointer<BranchFreeForest.Node>,
                          _ general: GeneralNodes, plain: UnsafeMutablePointer<Double>, wide: UnsafeMutablePointer<Double>,
                          rows: Int, into acc: UnsafeMutablePointer<Double>) {
        let f = featureCount, k = outputCount, lanes = Self.lanes
        let grouped = rows - rows % lanes
        forest.roots.withUnsafeBufferPointer { rootsBuf in
        forest.depths.withUnsafeBufferPointer { depthsBuf in
        forest.shallowest.withUnsafeBufferPointer { shallowBuf in
        treeGroups.withUnsafeBufferPointer { groupsBuf in
            let roots = rootsBuf.baseAddress!, depths = depthsBuf.baseAddress!, groups = groupsBuf.baseAddress!
            let shallowest = shallowBuf.baseAddress!
            var lane = BranchFreeLanes()
            // Rows in groups of `lanes`: one tree at a time over the group.
            if grouped > 0 {
                for t in 0..<treeCount {
                    let root = Int(roots[t])
                    if root < 0 {
                        for r in 0..<grouped { addGeneralTree(t, general, row: plain + r * f, into: acc + r * k) }
                        continue
                    }
                    let steps = Int(depths[t]), settled = Int(shallowest[t]), g = Int(groups[t])
                    var r = 0
                    while r < grouped {
                        let leaves = lane.descend(nodes, steps: steps, settled: settled, sameRoot: root, rows: wide + r)
                        for i in 0..<lanes { acc[(r + i) * k + g] += nodes[leaves[i]].threshold }
                        r += lanes
                    }
                }
            }
            // Remaining rows one at a time.
            for r in grouped..<rows {
                let row = wide + r, out = acc + r * k
                var t = 0
                while t < treeCount {
                    if roots[t] < 0 {
                        addGeneralTree(t, general, row: plain + r * f, into: out)
                        t += 1
                        continue
                    }
                    var count = 0, steps = 0, settled = 0
                    while count < lanes, t + count < treeCount, roots[t + count] >= 0 {
                        steps = Swift.max(steps, Int(depths[t + count]))
                        settled = Swift.max(settled, Int(shallowest[t + count]))
                        count += 1
                    }
                    let leaves = lane.descend(nodes, steps: steps, settled: settled, roots: roots + t, count: count, row: row)
                    for i in 0..<count { out[Int(groups[t + i])] += nodes[leaves[i]].threshold }
                    t += count
                }
            }
        }
        }
        }
        }
    }

    /// Unsafe views of the general node arrays for one evaluation.
    struct GeneralNodes {
        let kind: UnsafePointer<UInt8>
        let feature: UnsafePointer<Int32>
        let threshold: UnsafePointer<Double>
        let falseChild: UnsafePointer<Int32>
        /// nil when no leaf has several outputs.
        let leafOutputs: UnsafePointer<Int32>?
        let leafWeights: UnsafePointer<Double>?
    }

    private func withNodeArrays<R>(_ body: (GeneralNodes) -> R) -> R {
        kind.withUnsafeBufferPointer { kindP in
        feature.withUnsafeBufferPointer { featP in
        threshold.withUnsafeBufferPointer { thrP in
        falseChild.withUnsafeBufferPointer { falseP in
        leafOutputs.withUnsafeBufferPointer { outP in
        leafWeights.withUnsafeBufferPointer { weightP in
            body(GeneralNodes(kind: kindP.baseAddress!, feature: featP.baseAddress!, threshold: thrP.baseAddress!,
                              falseChild: falseP.baseAddress!, leafOutputs: outP.baseAddress,
                              leafWeights: weightP.baseAddress))
        }
        }
        }
        }
        }
        }
    }

    /// Walks tree `t` for one row (`featureCount` values, NaN as missing) and adds its leaf to `out` (outputCount).
    @inline(__always)
    private func addGeneralTree(_ t: Int, _ g: GeneralNodes, row: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        var node = Int(treeRoots[t])
        while true {
            let code = g.kind[node]
            if code == 0 { break }
            let v = row[Int(g.feature[node])]
            let th = g.threshold[node]
            let goTrue: Bool
            if v.isNaN {
                goTrue = code & Self.missingTrueBit != 0
            } else {
                switch code & 7 {
                case 1: goTrue = v < th
                case 2: goTrue = v <= th
                case 3: goTrue = v == th
                case 4: goTrue = v != th
                case 5:
                    goTrue = (v >= -Self.zeroThreshold && v <= Self.zeroThreshold)
                        ? code & Self.missingTrueBit != 0 : v <= th
                case 6: goTrue = v >= 0 && categoryMatches(v, node: node)
                default: goTrue = categoryMatches(v, node: node)
                }
            }
            node = goTrue ? node + 1 : Int(g.falseChild[node])
        }
        let group = Int(treeGroups[t])
        if group >= 0 {
            out[group] += g.threshold[node]
        } else if let outputs = g.leafOutputs, let weights = g.leafWeights {
            let s = Int(g.feature[node]), c = Int(g.falseChild[node])
            for e in s..<(s + c) { out[Int(outputs[e])] += weights[e] }
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
