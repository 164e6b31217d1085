/// The values of one node for a batch: `[count, size]`, or `[count, steps, size]` for a sequence.
struct LWTNNNodeValue {
    var values: [Double]
    /// nil for a vector value.
    var steps: Int?

    /// The value as one vector per sample: a sequence gives its last step (zeros when it has no steps).
    func vector(count: Int, size: Int) -> [Double] {
        guard let steps else { return values }
        var out = [Double](repeating: 0, count: count * size)
        guard steps > 0 else { return out }
        for n in 0..<count {
            let src = (n * steps + steps - 1) * size
            for j in 0..<size { out[n * size + j] = values[src + j] }
        }
        return out
    }

    static func compute(_ node: LWTNNNode, size: Int, count: Int, values: [Int: LWTNNNodeValue], sizes: [Int],
                        blocks: [[Double]], steps: [Int], inputs: [LWTNNInputBlock]) throws -> LWTNNNodeValue {
        func vec(_ s: Int) -> [Double] { values[s]?.vector(count: count, size: sizes[s]) ?? [] }
        switch node {
        case let .input(block):
            return LWTNNNodeValue(values: inputs[block].preprocess(blocks[block]), steps: nil)
        case let .inputSequence(block):
            return LWTNNNodeValue(values: inputs[block].preprocess(blocks[block]), steps: steps[block])
        case let .feedForward(s, layer):
            return LWTNNNodeValue(values: layer.apply(vec(s), count: count), steps: nil)
        case let .timeDistributed(s, layer):
            let t = values[s]?.steps ?? 0
            return LWTNNNodeValue(values: layer.apply(values[s]?.values ?? [], count: count * t), steps: t)
        case let .sequence(s, layer):
            let t = values[s]?.steps ?? 0
            return LWTNNNodeValue(values: try layer.scan(values[s]?.values ?? [], count: count, steps: t), steps: t)
        case let .sum(s):
            let t = values[s]?.steps ?? 0, n = sizes[s]
            var out = [Double](repeating: 0, count: count * n)
            if let v = values[s]?.values {
                for r in 0..<count { for step in 0..<t { for j in 0..<n { out[r * n + j] += v[(r * t + step) * n + j] } } }
            }
            return LWTNNNodeValue(values: out, steps: nil)
        case let .concatenate(sources):
            var out = [Double](repeating: 0, count: count * size)
            var offset = 0
            for s in sources {
                let v = vec(s), w = sizes[s]
                for r in 0..<count { for j in 0..<w { out[r * size + offset + j] = v[r * w + j] } }
                offset += w
            }
            return LWTNNNodeValue(values: out, steps: nil)
        case let .add(sources):
            var out = [Double](repeating: 0, count: count * size)
            for s in sources {
                let v = vec(s)
                for k in out.indices { out[k] += v[k] }
            }
            return LWTNNNodeValue(values: out, steps: nil)
        }
    }
}
