/// ROC curve and area under it, for scores of a positive class (weights supported, ties handled).
public struct ROCCurve: Sendable {
    /// False-positive rates and true-positive rates, from (0, 0) to (1, 1).
    public var fpr: [Double]
    public var tpr: [Double]
    public var auc: Double

    /// - Parameters: scores of each event, `positive[i]` whether it belongs to the positive class, weights.
    public init(scores: [Float], positive: [Bool], weights: [Float]? = nil) {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let w = weights ?? [Float](repeating: 1, count: scores.count)
        let totalPos = zip(positive, w).reduce(0.0) { $0 + ($1.0 ? Double($1.1) : 0) }
        let totalNeg = zip(positive, w).reduce(0.0) { $0 + ($1.0 ? 0 : Double($1.1)) }
        var tp = 0.0, fp = 0.0
        var f: [Double] = [0], t: [Double] = [0]
        var i = 0
        while i < order.count {
            let s = scores[order[i]]
            while i < order.count, scores[order[i]] == s {
                if positive[order[i]] { tp += Double(w[order[i]]) } else { fp += Double(w[order[i]]) }
                i += 1
            }
            f.append(totalNeg > 0 ? fp / totalNeg : 0)
            t.append(totalPos > 0 ? tp / totalPos : 0)
        }
        fpr = f
        tpr = t
        var area = 0.0
        for k in 1..<f.count { area += (f[k] - f[k - 1]) * (t[k] + t[k - 1]) / 2 }
        auc = totalPos > 0 && totalNeg > 0 ? area : .nan
    }
}
