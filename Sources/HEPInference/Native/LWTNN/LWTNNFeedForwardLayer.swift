/// A feed-forward lwtnn layer (`dense`, `normalization`, `maxout`, `highway`), built for a known input size
/// and applied to a batch of rows at once.
enum LWTNNFeedForwardLayer: Sendable {
    /// `activation(x · Wᵀ + b)`; without weights the matrix is the identity.
    case dense(matrix: LWTNNMatrix?, bias: [Double]?, activation: LWTNNActivation, size: Int)
    /// `W ⊙ (x + b)`.
    case normalization(scale: [Double], shift: [Double])
    /// The element-wise maximum over the sublayers' `x · Wᵀ + b`.
    case maxout(units: [(matrix: LWTNNMatrix, bias: [Double])])
    /// `c ⊙ t + (1 − c) ⊙ x` with `t = activation(W_t x + b_t)`, `c = sigmoid(W_c x + b_c)`.
    case highway(t: LWTNNMatrix, tBias: [Double], carry: LWTNNMatrix, carryBias: [Double], activation: LWTNNActivation)

    /// The architectures this type builds.
    static let architectures: Set<String> = ["dense", "normalization", "maxout", "highway"]

    init(json layer: LWTNNJSONReader, architecture: String, inputSize n: Int) throws {
        let ctx = layer.context
        switch architecture {
        case "dense":
            let weights = try layer.doubles("weights", optional: true)
            let bias = try layer.doubles("bias", optional: true)
            let matrix = weights.isEmpty ? nil : try LWTNNMatrix(weights: weights, columns: n, context: ctx)
            let size = matrix?.rows ?? n
            guard bias.isEmpty || bias.count == size else {
                throw layer.fail("'bias' has \(bias.count) values for \(size) outputs")
            }
            let activation = layer.has("activation") ? try LWTNNActivation(json: layer.object["activation"], context: ctx) : .linear
            self = .dense(matrix: matrix, bias: bias.isEmpty ? nil : bias, activation: activation, size: size)
        case "normalization":
            let w = try layer.doubles("weights"), b = try layer.doubles("bias")
            guard w.count == n, b.count == n else {
                throw layer.fail("normalization needs \(n) weights and \(n) biases, found \(w.count) and \(b.count)")
            }
            self = .normalization(scale: w, shift: b)
        case "maxout":
            let subs = try layer.array("sublayers")
            guard !subs.isEmpty else { throw layer.fail("maxout without sublayers") }
            var units: [(matrix: LWTNNMatrix, bias: [Double])] = []
            for (i, s) in subs.enumerated() {
                let sub = try LWTNNJSONReader(s, context: "\(ctx), sublayer \(i)")
                let m = try LWTNNMatrix(weights: try sub.doubles("weights"), columns: n, context: sub.context)
                let b = try sub.doubles("bias")
                guard b.count == m.rows else { throw sub.fail("'bias' has \(b.count) values for \(m.rows) outputs") }
                if let first = units.first, first.matrix.rows != m.rows {
                    throw sub.fail("maxout sublayers have different sizes (\(first.matrix.rows) and \(m.rows))")
                }
                units.append((matrix: m, bias: b))
            }
            self = .maxout(units: units)
        case "highway":
            let comps = try layer.object("components", context: "components")
            let t = try LWTNNComponent(json: comps, name: "t", inputSize: n)
            let c = try LWTNNComponent(json: comps, name: "carry", inputSize: n)
            guard t.matrix.rows == n, c.matrix.rows == n else {
                throw layer.fail("highway components must map \(n) inputs to \(n) outputs")
            }
            let activation = try LWTNNActivation(json: layer.object["activation"], context: ctx)
            guard activation != .softmax else { throw layer.fail("softmax is not allowed inside a highway layer") }
            self = .highway(t: t.matrix, tBias: t.bias, carry: c.matrix, carryBias: c.bias, activation: activation)
        default:
            throw layer.fail("'\(architecture)' is not a feed-forward architecture")
        }
    }

    /// Number of values per output row.
    var outputSize: Int {
        switch self {
        case let .dense(_, _, _, size): return size
        case let .normalization(scale, _): return scale.count
        case let .maxout(units): return units[0].matrix.rows
        case let .highway(t, _, _, _, _): return t.rows
        }
    }

    /// Applies the layer to `count` rows of the input size.
    func apply(_ x: [Double], count: Int) -> [Double] {
        switch self {
        case let .dense(matrix, bias, activation, size):
            var out: [Double]
            if let matrix {
                out = matrix.affine(x, count: count, bias: bias)
            } else {
                out = x
                if let bias { for i in out.indices { out[i] += bias[i % size] } }
            }
            activation.apply(&out, width: size)
            return out
        case let .normalization(scale, shift):
            let n = scale.count
            var out = x
            for i in out.indices { out[i] = scale[i % n] * (out[i] + shift[i % n]) }
            return out
        case let .maxout(units):
            var out = units[0].matrix.affine(x, count: count, bias: units[0].bias)
            for u in units.dropFirst() {
                let y = u.matrix.affine(x, count: count, bias: u.bias)
                for i in out.indices where y[i] > out[i] { out[i] = y[i] }
            }
            return out
        case let .highway(t, tBias, carry, carryBias, activation):
            var tv = t.affine(x, count: count, bias: tBias)
            activation.apply(&tv, width: t.rows)
            let c = carry.affine(x, count: count, bias: carryBias)
            var out = x
            for i in out.indices {
                let g = LWTNNActivation.sigmoid(c[i])
                out[i] = g * tv[i] + (1 - g) * x[i]
            }
            return out
        }
    }
}

/// One gate of a recurrent or highway layer (`components.i`, `.f`, ...): `W` (outputs × inputs), optional
/// recurrent `U` (outputs × outputs) and `bias`.
struct LWTNNComponent: Sendable {
    let matrix: LWTNNMatrix
    let recurrent: LWTNNMatrix?
    let bias: [Double]

    init(json components: LWTNNJSONReader, name: String, inputSize: Int, needsRecurrent: Bool = false) throws {
        let comp = try components.object(name, context: "component '\(name)'")
        matrix = try LWTNNMatrix(weights: try comp.doubles("weights"), columns: inputSize, context: comp.context)
        bias = try comp.doubles("bias")
        guard bias.count == matrix.rows else {
            throw comp.fail("'bias' has \(bias.count) values for \(matrix.rows) outputs")
        }
        let u = try comp.doubles("U", optional: true)
        if u.isEmpty {
            guard !needsRecurrent else { throw comp.fail("missing recurrent weights 'U'") }
            recurrent = nil
        } else {
            let m = try LWTNNMatrix(weights: u, columns: matrix.rows, context: comp.context, field: "U")
            guard m.rows == matrix.rows else {
                throw comp.fail("'U' is \(m.rows)×\(m.columns), expected \(matrix.rows)×\(matrix.rows)")
            }
            recurrent = m
        }
    }
}
