import COpenBLAS
import Foundation

/// A fully connected network with its parameters, forward and backward passes over OpenBLAS (`cblas_sgemm`).
/// Row-major: activations `[batch, units]`, weights `[in, out]`.
public struct DenseNetwork: Sendable {
    public struct Layer: Sendable {
        public var weights: [Float]
        public var bias: [Float]
        public let inputs: Int
        public let outputs: Int
        public let activation: Activation
        public let dropout: Float
    }

    public var layers: [Layer]
    public let spec: NetworkSpec
    public let inputWidth: Int

    /// He/Xavier-style uniform initialization from the spec's seed.
    public init(spec: NetworkSpec, inputWidth: Int) {
        self.spec = spec
        self.inputWidth = inputWidth
        var rng = SeededGenerator(seed: spec.seed)
        var sizes = [inputWidth] + spec.layers.map(\.units)
        sizes.append(spec.outputUnits)
        let acts = spec.layers.map(\.activation) + [Activation.linear]
        let drops = spec.layers.map(\.dropout) + [0]
        layers = (0..<(sizes.count - 1)).map { i in
            let fanIn = sizes[i], fanOut = sizes[i + 1]
            let limit = acts[i] == .relu || acts[i] == .leaky_relu ? (6.0 / Float(fanIn)).squareRoot() : (6.0 / Float(fanIn + fanOut)).squareRoot()
            let w = (0..<(fanIn * fanOut)).map { _ in Float.random(in: -limit..<limit, using: &rng) }
            return Layer(weights: w, bias: [Float](repeating: 0, count: fanOut), inputs: fanIn, outputs: fanOut,
                         activation: acts[i], dropout: drops[i])
        }
    }

    /// Intermediate values of one forward pass (kept for the backward pass).
    public struct Pass {
        var inputs: [[Float]] = []
        var preActivations: [[Float]] = []
        var dropMasks: [[Float]?] = []
        public var output: [Float] = []
    }

    static func gemm(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false,
                     into c: inout [Float], beta: Float = 0) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), 1, ap.baseAddress, Int32(transA ? m : k),
                                bp.baseAddress, Int32(transB ? k : n), beta, cp.baseAddress, Int32(n))
                }
            }
        }
    }

    static func activate(_ z: [Float], _ a: Activation) -> [Float] {
        switch a {
        case .linear: return z
        case .relu: return z.map { max(0, $0) }
        case .leaky_relu: return z.map { $0 > 0 ? $0 : 0.01 * $0 }
        case .tanh: return z.map { Foundation.tanh($0) }
        case .sigmoid: return z.map { 1 / (1 + Foundation.exp(-$0)) }
        }
    }

    static func derivative(_ z: [Float], _ a: Activation) -> [Float] {
        switch a {
        case .linear: return [Float](repeating: 1, count: z.count)
        case .relu: return z.map { $0 > 0 ? 1 : 0 }
        case .leaky_relu: return z.map { $0 > 0 ? 1 : 0.01 }
        case .tanh: return z.map { let t = Foundation.tanh($0); return 1 - t * t }
        case .sigmoid: return z.map { let s = 1 / (1 + Foundation.exp(-$0)); return s * (1 - s) }
        }
    }

    /// Forward pass of `batch` rows; `training` applies dropout with `rng`. `output` holds the final
    /// layer's pre-activation (logits).
    public func forward(_ x: [Float], batch: Int, training: Bool = false, rng: inout SeededGenerator) -> Pass {
        var pass = Pass()
        var a = x
        for l in layers {
            pass.inputs.append(a)
            var z = [Float](repeating: 0, count: batch * l.outputs)
            Self.gemm(a, l.weights, m: batch, n: l.outputs, k: l.inputs, into: &z)
            for r in 0..<batch { for j in 0..<l.outputs { z[r * l.outputs + j] += l.bias[j] } }
            pass.preActivations.append(z)
            a = Self.activate(z, l.activation)
            if training, l.dropout > 0 {
                let keep = 1 - l.dropout
                let mask = (0..<a.count).map { _ in Float.random(in: 0..<1, using: &rng) < keep ? 1 / keep : 0 }
                for i in 0..<a.count { a[i] *= mask[i] }
                pass.dropMasks.append(mask)
            } else {
                pass.dropMasks.append(nil)
            }
        }
        pass.output = a
        return pass
    }

    /// Gradients of all weights and biases, given dLoss/dLogits.
    public func backward(_ pass: Pass, outputGradient: [Float], batch: Int) -> [(weights: [Float], bias: [Float])] {
        var grads = [(weights: [Float], bias: [Float])](repeating: ([], []), count: layers.count)
        var dA = outputGradient
        for i in stride(from: layers.count - 1, through: 0, by: -1) {
            let l = layers[i]
            if let m = pass.dropMasks[i] { for k in 0..<dA.count { dA[k] *= m[k] } }
            let d = Self.derivative(pass.preActivations[i], l.activation)
            var dZ = dA
            for k in 0..<dZ.count { dZ[k] *= d[k] }
            var dW = [Float](repeating: 0, count: l.inputs * l.outputs)
            Self.gemm(pass.inputs[i], dZ, m: l.inputs, n: l.outputs, k: batch, transA: true, into: &dW)
            var db = [Float](repeating: 0, count: l.outputs)
            for r in 0..<batch { for j in 0..<l.outputs { db[j] += dZ[r * l.outputs + j] } }
            grads[i] = (dW, db)
            if i > 0 {
                var prev = [Float](repeating: 0, count: batch * l.inputs)
                Self.gemm(dZ, l.weights, m: batch, n: l.inputs, k: l.outputs, transB: true, into: &prev)
                dA = prev
            }
        }
        return grads
    }

    /// Probabilities (sigmoid/softmax) or values (linear) from logits.
    public func predictions(logits: [Float], batch: Int) -> [Float] {
        switch spec.output {
        case .linear: return logits
        case .sigmoid: return logits.map { 1 / (1 + Foundation.exp(-$0)) }
        case .softmax:
            let c = spec.classes
            var p = logits
            for r in 0..<batch {
                let row = logits[(r * c)..<((r + 1) * c)]
                let m = row.max() ?? 0
                let e = row.map { Foundation.exp($0 - m) }
                let s = e.reduce(0, +)
                for j in 0..<c { p[r * c + j] = e[j] / s }
            }
            return p
        }
    }

    /// Predictions for many rows (no dropout), in chunks.
    public func predict(_ x: [Float], rows: Int) -> [Float] {
        var out: [Float] = []
        var rng = SeededGenerator(seed: 0)
        var start = 0
        while start < rows {
            let n = min(4096, rows - start)
            let pass = forward(Array(x[(start * inputWidth)..<((start + n) * inputWidth)]), batch: n, rng: &rng)
            out += predictions(logits: pass.output, batch: n)
            start += n
        }
        return out
    }
}

/// Restricts OpenBLAS to `n` threads (1 gives bit-for-bit reproducible training for a seed).
public func setBLASThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
