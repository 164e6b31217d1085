/// ONNX MaxPool/AveragePool over one spatial axis ([N, C, L]) as 2-D pooling over height 1: unsqueeze, pool with
/// window (1, k), squeeze.
enum ONNXPooling1D {
    static func translate(_ n: Onnx_NodeProto, name: String, a: ONNXAttributes, into b: NativeGraphBuilder) throws {
        func one(_ v: [Int]?, _ d: Int?) throws -> Int {
            if v == nil, let d { return d }
            guard let v, v.count == 1, v[0] > 0, v[0] < 1 << 16 else {
                throw NativeEngineError.invalidNode(node: name, reason: "expected one positive value, got \(v ?? [])")
            }
            return v[0]
        }
        let k = try one(a.ints("kernel_shape"), nil), s = try one(a.ints("strides"), 1)
        let padding = try a.padding1D(node: name)
        guard (a.int("ceil_mode") ?? 0) == 0, n.output.count == 1, let x = n.input.first else {
            throw NativeEngineError.invalidNode(node: name, reason: "ceil_mode and the indices output are not supported")
        }
        let x2 = "\(name)/input2d", y2 = "\(name)/output2d"
        b.addNode(name: "\(name)/unsqueeze", op: .expandDims(axes: [2]), inputs: [x], outputs: [x2])
        b.addNode(name: name, op: .pool(NativePooling(max: n.opType == "MaxPool", layout: .nchw, window: (1, k), strides: (1, s), padding: padding,
                                                      countPadding: (a.int("count_include_pad") ?? 0) != 0)), inputs: [x2], outputs: [y2])
        b.addNode(name: "\(name)/squeeze", op: .squeeze(axes: [2]), inputs: [y2], outputs: [n.output[0]])
    }
}
