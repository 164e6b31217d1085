/// Accuracy and ROC/AUC (binary, or one-vs-rest per class) of predictions.
public struct Metrics: Sendable {
    public var accuracy: Double
    /// Binary AUC, or the mean one-vs-rest AUC; for regression the MSE is in `accuracy`'s place as NaN.
    public var auc: Double
    /// ROC curve per class (one entry for binary).
    public var rocs: [ROCCurve]

    public static func compute(spec: NetworkSpec, predictions p: [Float], labels: [Float], weights: [Float]) -> Metrics {
        let n = labels.count
        switch spec.output {
        case .sigmoid:
            let correct = (0..<n).reduce(0.0) { $0 + ((p[$1] >= 0.5) == (labels[$1] >= 0.5) ? Double(weights[$1]) : 0) }
            let roc = ROCCurve(scores: p, positive: labels.map { $0 >= 0.5 }, weights: weights)
            return Metrics(accuracy: correct / max(1e-12, Double(weights.reduce(0, +))), auc: roc.auc, rocs: [roc])
        case .softmax:
            let c = spec.classes
            var correct = 0.0
            for i in 0..<n {
                let row = p[(i * c)..<((i + 1) * c)]
                if let arg = row.indices.max(by: { row[$0] < row[$1] }), arg - i * c == Int(labels[i]) { correct += Double(weights[i]) }
            }
            let rocs = (0..<c).map { k in
                ROCCurve(scores: (0..<n).map { p[$0 * c + k] }, positive: labels.map { Int($0) == k }, weights: weights)
            }
            let aucs = rocs.map(\.auc).filter { !$0.isNaN }
            return Metrics(accuracy: correct / max(1e-12, Double(weights.reduce(0, +))),
                           auc: aucs.isEmpty ? .nan : aucs.reduce(0, +) / Double(aucs.count), rocs: rocs)
        case .linear:
            return Metrics(accuracy: .nan, auc: .nan, rocs: [])
        }
    }
}
