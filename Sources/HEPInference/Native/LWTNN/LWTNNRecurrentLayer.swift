/// A sequence lwtnn layer (`lstm`, `gru`, `embedding`): maps a batch of sequences
/// (`count` × `steps` × input size, row-major) to a batch of sequences of its output size.
enum LWTNNRecurrentLayer: Sendable {
    /// Gates stacked as i, f, o, c: `W` (4H × n), `U` (4H × H), bias (4H).
    case lstm(w: LWTNNMatrix, u: LWTNNMatrix, bias: [Double], activation: LWTNNActivation, inner: LWTNNActivation)
    /// Gates z, r stacked in `w`/`uzr`, the candidate h in `wh`/`uh`: `h = z ⊙ h₋ + (1 − z) ⊙ act(W_h x + b_h + U_h (r ⊙ h₋))`.
    case gru(w: LWTNNMatrix, bias: [Double], uzr: LWTNNMatrix, uh: LWTNNMatrix, activation: LWTNNActivation, inner: LWTNNActivation)
    /// Replaces the integer variable at `index` by a column of `table` (n_out × categories), one sublayer at a time.
    case embedding([(index: Int, table: LWTNNMatrix)], outputSize: Int)

    static let architectures: Set<String> = ["lstm", "gru", "embedding"]

    init(json layer: LWTNNJSONReader, architecture: String, inputSize n: Int) throws {
        switch architecture {
        case "lstm", "gru":
            let comps = try layer.object("components", context: "components")
            let activation = try LWTNNActivation(json: layer.object["activation"], context: layer.context)
            guard layer.has("inner_activation") else { throw layer.fail("missing field 'inner_activation'") }
            let inner = try LWTNNActivation(json: layer.object["inner_activation"], context: layer.context)
            guard activation != .softmax, inner != .softmax else { throw layer.fail("softmax is not allowed inside a recurrent layer") }
            let names = architecture == "lstm" ? ["i", "f", "o", "c"] : ["z", "r", "h"]
            let gates = try names.map { try LWTNNComponent(json: comps, name: $0, inputSize: n, needsRecurrent: true) }
            let h = gates[0].matrix.rows
            guard gates.allSatisfy({ $0.matrix.rows == h }) else {
                throw layer.fail("gates have different sizes (\(gates.map(\.matrix.rows)))")
            }
            let w = LWTNNMatrix.stacked(gates.map(\.matrix))
            let bias = gates.flatMap(\.bias)
            // `needsRecurrent` guarantees every gate has U.
            let us = gates.compactMap(\.recurrent)
            if architecture == "lstm" {
                self = .lstm(w: w, u: LWTNNMatrix.stacked(us), bias: bias, activation: activation, inner: inner)
            } else {
                self = .gru(w: w, bias: bias, uzr: LWTNNMatrix.stacked(Array(us[0..<2])), uh: us[2], activation: activation, inner: inner)
            }
        case "embedding":
            let subs = try layer.array("sublayers")
            var width = n
            var tables: [(index: Int, table: LWTNNMatrix)] = []
            for (i, s) in subs.enumerated() {
                let sub = try LWTNNJSONReader(s, context: "\(layer.context), sublayer \(i)")
                let index = try sub.int("index"), nOut = try sub.int("n_out")
                let weights = try sub.doubles("weights")
                guard index >= 0, index < width else { throw sub.fail("embedding index \(index) outside the \(width) inputs") }
                guard nOut > 0, weights.count % nOut == 0, !weights.isEmpty else {
                    throw sub.fail("\(weights.count) embedding weights are not a multiple of n_out \(nOut)")
                }
                let table = try LWTNNMatrix(weights: weights, columns: weights.count / nOut, context: sub.context)
                tables.append((index: index, table: table))
                width += nOut - 1
            }
            guard !tables.isEmpty else { throw layer.fail("embedding without sublayers") }
            self = .embedding(tables, outputSize: width)
        default:
            throw layer.fail("'\(architecture)' is not a sequence architecture")
        }
    }

    var outputSize: Int {
        switch self {
        case let .lstm(_, u, _, _, _): return u.columns
        case let .gru(_, _, _, uh, _, _): return uh.rows
        case let .embedding(_, size): return size
        }
    }

    /// Runs the layer over `count` sequences of `steps` steps.
    func scan(_ x: [Double], count: Int, steps: Int) throws -> [Double] {
        guard count > 0, steps > 0 else { return [] }
        switch self {
        case let .lstm(w, u, bias, activation, inner):
            return Self.lstm(x, count: count, steps: steps, w: w, u: u, bias: bias, act: activation, inner: inner)
        case let .gru(w, bias, uzr, uh, activation, inner):
            return Self.gru(x, count: count, steps: steps, w: w, bias: bias, uzr: uzr, uh: uh, act: activation, inner: inner)
        case let .embedding(tables, _):
            var width = x.count / Swift.max(1, count * steps)
            var values = x
            for (index, table) in tables {
                values = try Self.embed(values, rows: count * steps, width: width, index: index, table: table)
                width += table.rows - 1
            }
            return values
        }
    }

    private static func embed(_ x: [Double], rows: Int, width: Int, index: Int, table: LWTNNMatrix) throws -> [Double] {
        let nOut = table.rows, categories = table.columns
        let newWidth = width - 1 + nOut
        var out = [Double](repeating: 0, count: rows * newWidth)
        for r in 0..<rows {
            let v = x[r * width + index]
            guard v == v.rounded(.down), v >= 0, v < Double(categories) else {
                throw InferenceError.invalidInput("embedding: category \(v) is not an integer in 0..<\(categories)")
            }
            let cat = Int(v)
            let o = r * newWidth
            for j in 0..<index { out[o + j] = x[r * width + j] }
            for k in 0..<nOut { out[o + index + k] = table.values[cat + k * categories] }
            for j in (index + 1)..<Swift.max(index + 1, width) { out[o + nOut - 1 + j] = x[r * width + j] }
        }
        return out
    }

    private static func lstm(_ x: [Double], count: Int, steps: Int, w: LWTNNMatrix, u: LWTNNMatrix, bias: [Double],
                             act: LWTNNActivation, inner: LWTNNActivation) -> [Double] {
        let h = u.columns, g = 4 * h
        let pre = w.affine(x, count: count * steps, bias: bias)
        var state = [Double](repeating: 0, count: count * h)
        var cell = [Double](repeating: 0, count: count * h)
        var gates = [Double](repeating: 0, count: count * g)
        var out = [Double](repeating: 0, count: count * steps * h)
        for t in 0..<steps {
            for n in 0..<count {
                let src = (n * steps + t) * g
                for j in 0..<g { gates[n * g + j] = pre[src + j] }
            }
            u.multiply(state, count: count, into: &gates, accumulate: true)
            for n in 0..<count {
                let b = n * g
                for j in 0..<h {
                    let i = inner.value(gates[b + j]), f = inner.value(gates[b + h + j])
                    let o = inner.value(gates[b + 2 * h + j]), c = act.value(gates[b + 3 * h + j])
                    let newCell = f * cell[n * h + j] + i * c
                    cell[n * h + j] = newCell
                    let hv = o * act.value(newCell)
                    state[n * h + j] = hv
                    out[(n * steps + t) * h + j] = hv
                }
            }
        }
        return out
    }

    private static func gru(_ x: [Double], count: Int, steps: Int, w: LWTNNMatrix, bias: [Double], uzr: LWTNNMatrix,
                            uh: LWTNNMatrix, act: LWTNNActivation, inner: LWTNNActivation) -> [Double] {
        let h = uh.rows, g = 3 * h
        let pre = w.affine(x, count: count * steps, bias: bias)
        var state = [Double](repeating: 0, count: count * h)
        var zr = [Double](repeating: 0, count: count * 2 * h)
        var cand = [Double](repeating: 0, count: count * h)
        var reset = [Double](repeating: 0, count: count * h)
        var out = [Double](repeating: 0, count: count * steps * h)
        for t in 0..<steps {
            for n in 0..<count {
                let src = (n * steps + t) * g
                for j in 0..<(2 * h) { zr[n * 2 * h + j] = pre[src + j] }
                for j in 0..<h { cand[n * h + j] = pre[src + 2 * h + j] }
            }
            uzr.multiply(state, count: count, into: &zr, accumulate: true)
            for n in 0..<count {
                for j in 0..<h {
                    zr[n * 2 * h + j] = inner.value(zr[n * 2 * h + j])
                    let r = inner.value(zr[n * 2 * h + h + j])
                    reset[n * h + j] = r * state[n * h + j]
                }
            }
            uh.multiply(reset, count: count, into: &cand, accumulate: true)
            for n in 0..<count {
                for j in 0..<h {
                    let z = zr[n * 2 * h + j]
                    let hv = z * state[n * h + j] + (1 - z) * act.value(cand[n * h + j])
                    state[n * h + j] = hv
                    out[(n * steps + t) * h + j] = hv
                }
            }
        }
        return out
    }
}
