import Foundation

/// Weighted losses and their gradients with respect to the network's logits (mean over the batch weights).
public enum LossFunction {
    /// Returns the weighted mean loss and dLoss/dLogits.
    /// - Parameters:
    ///   - logits: `[batch, units]`; labels: `[batch]` (class index for softmax); weights: `[batch]`.
    public static func evaluate(_ spec: NetworkSpec, logits: [Float], labels: [Float], weights: [Float], batch: Int)
        -> (loss: Double, gradient: [Float])
    {
        let wsum = max(Double(weights.reduce(0, +)), 1e-12)
        var grad = [Float](repeating: 0, count: logits.count)
        var loss = 0.0
        switch spec.output {
        case .sigmoid:
            for i in 0..<batch {
                let z = Double(logits[i]), y = Double(labels[i]), w = Double(weights[i])
                // log(1 + e^-|z|) form: stable for large |z|
                loss += w * (max(z, 0) - z * y + log1p(exp(-abs(z))))
                let p = 1 / (1 + exp(-z))
                grad[i] = Float(w * (p - y) / wsum)
            }
        case .softmax:
            let c = spec.classes
            for i in 0..<batch {
                let row = logits[(i * c)..<((i + 1) * c)].map(Double.init)
                let m = row.max() ?? 0
                let lse = m + log(row.map { exp($0 - m) }.reduce(0, +))
                let y = Int(labels[i]), w = Double(weights[i])
                loss += w * (lse - row[max(0, min(c - 1, y))])
                for j in 0..<c { grad[i * c + j] = Float(w * (exp(row[j] - lse) - (j == y ? 1 : 0)) / wsum) }
            }
        case .linear:
            for i in 0..<batch {
                let d = Double(logits[i]) - Double(labels[i]), w = Double(weights[i])
                loss += w * d * d
                grad[i] = Float(2 * w * d / wsum)
            }
        }
        return (loss / wsum, grad)
    }
}

/// Adam (with decoupled weight decay) or SGD with momentum.
public struct Optimizer: Sendable {
    let spec: NetworkSpec
    var step = 0
    var m: [[Float]] = []
    var v: [[Float]] = []

    public init(spec: NetworkSpec, network: DenseNetwork) {
        self.spec = spec
        for l in network.layers {
            m.append([Float](repeating: 0, count: l.weights.count))
            m.append([Float](repeating: 0, count: l.bias.count))
            v.append([Float](repeating: 0, count: l.weights.count))
            v.append([Float](repeating: 0, count: l.bias.count))
        }
    }

    public mutating func apply(_ grads: [(weights: [Float], bias: [Float])], to net: inout DenseNetwork) {
        step += 1
        let lr = spec.learningRate, wd = spec.weightDecay
        let b1: Float = 0.9, b2: Float = 0.999, eps: Float = 1e-8
        let c1 = 1 - Float(pow(Double(b1), Double(step))), c2 = 1 - Float(pow(Double(b2), Double(step)))
        for (i, g) in grads.enumerated() {
            for (slot, isBias) in [(2 * i, false), (2 * i + 1, true)] {
                let grad = isBias ? g.bias : g.weights
                for k in 0..<grad.count {
                    var p = isBias ? net.layers[i].bias[k] : net.layers[i].weights[k]
                    switch spec.optimizer {
                    case .adam:
                        m[slot][k] = b1 * m[slot][k] + (1 - b1) * grad[k]
                        v[slot][k] = b2 * v[slot][k] + (1 - b2) * grad[k] * grad[k]
                        p -= lr * (m[slot][k] / c1) / ((v[slot][k] / c2).squareRoot() + eps)
                    case .sgd:
                        m[slot][k] = spec.momentum * m[slot][k] + grad[k]
                        p -= lr * m[slot][k]
                    }
                    if !isBias, wd > 0 { p -= lr * wd * p }
                    if isBias { net.layers[i].bias[k] = p } else { net.layers[i].weights[k] = p }
                }
            }
        }
    }
}
