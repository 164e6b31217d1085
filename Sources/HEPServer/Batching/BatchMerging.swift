import HEPInference

/// What must agree for two requests to share a model run: input names, element types and the shapes
/// after the batch dimension, and the outputs asked for. Requests with BYTES tensors, inputs of unequal
/// batch sizes or repeated input names have no key and always run alone.
struct BatchKey: Hashable, Sendable {
    struct Input: Hashable, Sendable {
        var name: String
        var datatype: TensorDataType
        var innerShape: [Int]
    }
    var inputs: [Input]
    var outputs: [String]?

    /// The key and batch size (the common first dimension) of a request, or nil when it cannot be merged.
    static func of(_ inputs: [Tensor], outputs: [String]?) -> (key: BatchKey, batchSize: Int)? {
        guard let first = inputs.first?.shape.first else { return nil }
        var parts: [Input] = []
        parts.reserveCapacity(inputs.count)
        for t in inputs {
            guard t.datatype != .BYTES, t.shape.first == first else { return nil }
            parts.append(Input(name: t.name, datatype: t.datatype, innerShape: Array(t.shape.dropFirst())))
        }
        parts.sort { $0.name < $1.name }
        for k in parts.indices.dropFirst() where parts[k].name == parts[k - 1].name { return nil }
        return (BatchKey(inputs: parts, outputs: outputs), first)
    }
}

/// Concatenating requests along the batch dimension and cutting the outputs back into per-request pieces.
enum BatchMerging {
    /// One tensor per input name (in the first request's order), the requests' rows one after another.
    /// All requests must have the same `BatchKey`.
    static func merge(_ requests: [[Tensor]]) throws -> [Tensor] {
        guard let first = requests.first else { return [] }
        return try first.map { head in
            var parts: [Tensor] = []
            parts.reserveCapacity(requests.count)
            for r in requests {
                guard let t = r.first(where: { $0.name == head.name }) else {
                    throw InferenceError.invalidInput("input '\(head.name)' is missing from a request of the batch")
                }
                parts.append(t)
            }
            let rows = parts.reduce(0) { $0 + ($1.shape.first ?? 0) }
            let bytes = parts.reduce(0) { $0 + $1.data.count }
            let data = [UInt8](unsafeUninitializedCapacity: bytes) { out, count in
                var at = 0
                for p in parts {
                    p.data.withUnsafeBufferPointer { src in
                        if let from = src.baseAddress, let to = out.baseAddress, src.count > 0 {
                            (to + at).initialize(from: from, count: src.count)
                        }
                    }
                    at += p.data.count
                }
                count = bytes
            }
            return Tensor(name: head.name, datatype: head.datatype, shape: [rows] + head.shape.dropFirst(), data: data)
        }
    }

    /// Cuts each output into consecutive pieces of `sizes` rows; throws when an output's first dimension is
    /// not the merged batch (the caller then runs the requests one by one).
    static func split(_ outputs: [Tensor], sizes: [Int]) throws -> [[Tensor]] {
        let total = sizes.reduce(0, +)
        var pieces = [[Tensor]](repeating: [], count: sizes.count)
        for t in outputs {
            guard t.datatype != .BYTES, t.shape.first == total, total > 0, t.data.count % total == 0 else {
                throw InferenceError.backend("output '\(t.name)' of shape \(t.shape) has no batch dimension of \(total)")
            }
            let rowBytes = t.data.count / total
            var row = 0
            for (k, n) in sizes.enumerated() {
                let slice = Array(t.data[(row * rowBytes)..<((row + n) * rowBytes)])
                pieces[k].append(Tensor(name: t.name, datatype: t.datatype, shape: [n] + t.shape.dropFirst(), data: slice))
                row += n
            }
        }
        return pieces
    }
}
