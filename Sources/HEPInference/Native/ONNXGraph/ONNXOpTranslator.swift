/// Maps one ONNX node onto native IR nodes.
enum ONNXOpTranslator {
    static func translate(_ n: Onnx_NodeProto, index: Int, opset: Int, into b: NativeGraphBuilder) throws {
        let name = n.name.isEmpty ? "\(n.opType)_\(index)" : n.name
        if n.domain == "ai.onnx.ml", n.opType == "ArrayFeatureExtractor" {
            // X[..., indices]: the class labels a classifier's ArgMax picks.
            b.addNode(name: name, op: .gather(axis: -1), inputs: Array(n.input.prefix(2)), outputs: Array(n.output.prefix(1)))
            return
        }
        guard n.domain.isEmpty || n.domain == "ai.onnx" else {
            throw NativeEngineError.unsupportedOp(op: "\(n.domain).\(n.opType)", node: name)
        }
        let a = ONNXAttributes(node: n)
        // Optional inputs are given as empty names.
        let ins = n.input
        func node(_ op: NativeOp, inputs: [String]? = nil, outputs: [String]? = nil) {
            b.addNode(name: name, op: op, inputs: inputs ?? ins.filter { !$0.isEmpty }, outputs: outputs ?? Array(n.output.prefix(1)))
        }
        func constant(_ suffix: String, _ t: NativeTensor) -> String {
            let v = "\(name)/\(suffix)"
            b.addConstant(v, t)
            return v
        }
        func invalid(_ reason: String) -> NativeEngineError { .invalidNode(node: name, reason: reason) }
        switch n.opType {
        case "Identity", "Dropout":
            node(.identity, inputs: Array(ins.prefix(1)))
        case "Constant":
            if let t = a.tensor("value") {
                guard let c = try ONNXTensorDecoder.decode(t) else { throw invalid("constant of type \(t.dataType)") }
                b.addConstant(n.output[0], c)
            } else if let f = a.float("value_float") {
                b.addConstant(n.output[0], NativeTensor(shape: [], floats: [f]))
            } else if let i = a.int("value_int") {
                b.addConstant(n.output[0], NativeTensor(shape: [], ints: [i]))
            } else if let v = a.floats("value_floats") {
                b.addConstant(n.output[0], NativeTensor(shape: [v.count], floats: v))
            } else if let v = a.ints("value_ints") {
                b.addConstant(n.output[0], NativeTensor(shape: [v.count], ints: v))
            } else {
                throw invalid("Constant without a supported value")
            }
        case "MatMul":
            node(.matMul(transposeA: false, transposeB: false))
        case "Gemm":
            let alpha = a.float("alpha") ?? 1, beta = a.float("beta") ?? 1
            let ta = (a.int("transA") ?? 0) != 0, tb = (a.int("transB") ?? 0) != 0
            // The common case (a dense layer) runs as a fused dense node with the bias preloaded.
            if alpha == 1, beta == 1, !ta, ins.count == 3, let bias = b.constant(ins[2]), let w = b.constant(ins[1]), w.shape.count == 2,
               bias.elementCount == (tb ? w.shape[0] : w.shape[1]), bias.shape.filter({ $0 != 1 }).count <= 1 {
                let flat = constant("bias", NativeTensor(shape: [bias.elementCount], storage: bias.storage))
                node(.dense(transposeB: tb, activation: .none), inputs: [ins[0], ins[1], flat])
            } else {
                node(.gemm(alpha: alpha, beta: beta, transposeA: ta, transposeB: tb))
            }
        case "Softmax", "LogSoftmax":
            let axis = a.int("axis") ?? (opset >= 13 ? -1 : 1)
            guard opset >= 13 || axis == -1 || axis == 1 else { throw invalid("Softmax axis \(axis) before opset 13") }
            node(.softmax(axis: axis, log: n.opType == "LogSoftmax"))
        case "Conv":
            let k = a.ints("kernel_shape") ?? b.constant(ins[1]).map { Array($0.shape.dropFirst(2)) } ?? []
            if k.count == 1 {
                try conv1D(n, name: name, a: a, into: b)
                return
            }
            guard k.count == 2 else { throw invalid("only 1-D and 2-D convolutions are supported") }
            node(.conv2D(NativeConvolution(layout: .nchw, strides: try pair(a.ints("strides"), 1, name), dilations: try pair(a.ints("dilations"), 1, name),
                                           padding: try padding(a, name), groups: a.int("group") ?? 1)))
        case "MaxPool", "AveragePool":
            if a.ints("kernel_shape")?.count == 1 {
                try ONNXPooling1D.translate(n, name: name, a: a, into: b)
                return
            }
            guard (a.int("ceil_mode") ?? 0) == 0 else { throw invalid("ceil_mode=1 pooling is not supported") }
            guard n.output.count == 1 else { throw invalid("MaxPool indices output is not supported") }
            node(.pool(NativePooling(max: n.opType == "MaxPool", layout: .nchw, window: try pair(a.ints("kernel_shape"), nil, name),
                                     strides: try pair(a.ints("strides"), 1, name), padding: try padding(a, name),
                                     countPadding: (a.int("count_include_pad") ?? 0) != 0)))
        case "GlobalAveragePool", "GlobalMaxPool":
            node(.pool(NativePooling(max: n.opType == "GlobalMaxPool", layout: .nchw, window: (1, 1), strides: (1, 1), padding: .valid, global: true)))
        case "BatchNormalization":
            node(.batchNorm(epsilon: a.float("epsilon") ?? 1e-5, axis: 1), inputs: Array(ins.prefix(5)))
        case "Reshape":
            node(.reshape(shape: nil, copyZeros: (a.int("allowzero") ?? 0) == 0))
        case "Flatten":
            node(.flatten(axis: a.int("axis") ?? 1))
        case "Concat":
            guard let axis = a.int("axis") else { throw invalid("Concat without axis") }
            node(.concat(axis: axis))
        case "Transpose":
            node(.transpose(perm: a.ints("perm") ?? []))
        case "Gather":
            node(.gather(axis: a.int("axis") ?? 0))
        case "Slice":
            guard opset >= 10 else { throw invalid("Slice before opset 10") }
            node(.sliceAxes)
        case "Squeeze":
            if let axes = a.ints("axes") { node(.squeeze(axes: axes), inputs: [ins[0]]) } else { node(.squeeze(axes: [])) }
        case "Unsqueeze":
            if let axes = a.ints("axes") { node(.expandDims(axes: axes), inputs: [ins[0]]) } else { node(.expandDims(axes: nil)) }
        case "Shape":
            node(.shape)
        case "LSTM", "GRU":
            try ONNXRecurrentTranslator.translate(n, name: name, a: a, into: b)
        case "Cast":
            guard let t = ONNXTensorDecoder.dataType(Int32(a.int("to") ?? 0)) else { throw invalid("cast to type \(a.int("to") ?? 0)") }
            node(.cast(t))
        case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd":
            let kind: NativeReduction = ["ReduceMean": .mean, "ReduceSum": .sum, "ReduceMax": .max, "ReduceMin": .min][n.opType] ?? .prod
            let keep = (a.int("keepdims") ?? 1) != 0
            if let axes = a.ints("axes") {
                node(.reduce(kind, axes: axes, keepDims: keep), inputs: [ins[0]])
            } else if ins.count > 1, !ins[1].isEmpty {
                node(.reduce(kind, axes: nil, keepDims: keep))
            } else {
                node(.reduce(kind, axes: [], keepDims: keep), inputs: [ins[0]])
            }
        case "Clip":
            let lo = a.float("min") ?? (ins.count > 1 && !ins[1].isEmpty ? b.constant(ins[1])?.floats().first : nil)
            let hi = a.float("max") ?? (ins.count > 2 && !ins[2].isEmpty ? b.constant(ins[2])?.floats().first : nil)
            if lo == 0, hi == 6 { node(.unary(.relu6), inputs: [ins[0]]); return }
            if lo == 0, hi == nil { node(.unary(.relu), inputs: [ins[0]]); return }
            let mid = "\(name)/lower"
            b.addNode(name: "\(name)/max", op: .binary(.maximum),
                      inputs: [ins[0], constant("min", NativeTensor(shape: [], floats: [lo ?? -.greatestFiniteMagnitude]))], outputs: [mid])
            node(.binary(.minimum), inputs: [mid, constant("max", NativeTensor(shape: [], floats: [hi ?? .greatestFiniteMagnitude]))])
        case "LeakyRelu": node(.unary(.leakyRelu(a.float("alpha") ?? 0.01)))
        case "Elu": node(.unary(.elu(a.float("alpha") ?? 1)))
        case "Where": node(.select)
        case "ArgMax", "ArgMin":
            guard (a.int("select_last_index") ?? 0) == 0 else { throw invalid("select_last_index is not supported") }
            node(.argMax(axis: a.int("axis") ?? 0, keepDims: (a.int("keepdims") ?? 1) != 0, largest: n.opType == "ArgMax"))
        case "Tile": node(.tile)
        case "Range": node(.range)
        case "ConstantOfShape":
            let value = try a.tensor("value").flatMap { try ONNXTensorDecoder.decode($0) } ?? NativeTensor(shape: [1], floats: [0])
            node(.fill, inputs: [ins[0], constant("value", NativeTensor(shape: [], storage: value.storage))])
        case "Split":
            let axis = a.int("axis") ?? 0
            if let sizes = a.ints("split") {
                node(.split(axis: axis, count: sizes.count), inputs: [ins[0], constant("split", NativeTensor(shape: [sizes.count], ints: sizes))], outputs: n.output)
            } else {
                node(.split(axis: axis, count: n.output.count), outputs: n.output)
            }
        default:
            if let op = binary[n.opType] {
                guard ins.count == 2 else { throw invalid("\(n.opType) with \(ins.count) inputs") }
                node(.binary(op))
            } else if let f = unary[n.opType] {
                node(.unary(f))
            } else if n.opType == "HardSigmoid" {
                node(.unary(.hardSigmoid(alpha: a.float("alpha") ?? 0.2, beta: a.float("beta") ?? 0.5)))
            } else {
                throw NativeEngineError.unsupportedOp(op: n.opType, node: name)
            }
        }
    }

    /// A 1-D convolution as a 2-D one over height 1: unsqueeze, convolve with the filter reshaped to
    /// [O, C/g, 1, K], squeeze.
    private static func conv1D(_ n: Onnx_NodeProto, name: String, a: ONNXAttributes, into b: NativeGraphBuilder) throws {
        let ins = n.input
        guard ins.count >= 2, let w = b.constant(ins[1]), w.shape.count == 3 else {
            throw NativeEngineError.invalidNode(node: name, reason: "1-D convolution needs a constant [O, C, K] filter")
        }
        func one(_ v: [Int]?, _ d: Int) throws -> Int {
            guard let v else { return d }
            guard v.count == 1, v[0] > 0, v[0] < 1 << 16 else { throw NativeEngineError.invalidNode(node: name, reason: "expected one positive value, got \(v)") }
            return v[0]
        }
        let stride = try one(a.ints("strides"), 1), dilation = try one(a.ints("dilations"), 1)
        let padding = try a.padding1D(node: name)
        let filter = "\(name)/filter2d", x2 = "\(name)/input2d", y2 = "\(name)/output2d"
        b.addConstant(filter, NativeTensor(shape: [w.shape[0], w.shape[1], 1, w.shape[2]], storage: w.storage))
        b.addNode(name: "\(name)/unsqueeze", op: .expandDims(axes: [2]), inputs: [ins[0]], outputs: [x2])
        var convInputs = [x2, filter]
        if ins.count > 2, !ins[2].isEmpty { convInputs.append(ins[2]) }
        b.addNode(name: name, op: .conv2D(NativeConvolution(layout: .nchw, strides: (1, stride), dilations: (1, dilation), padding: padding,
                                                            groups: a.int("group") ?? 1)), inputs: convInputs, outputs: [y2])
        b.addNode(name: "\(name)/squeeze", op: .squeeze(axes: [2]), inputs: [y2], outputs: [n.output[0]])
    }

    static let binary: [String: NativeBinaryOp] = [
        "Add": .add, "Sub": .sub, "Mul": .mul, "Div": .div, "Pow": .pow, "Max": .maximum, "Min": .minimum,
        "Greater": .greater, "GreaterOrEqual": .greaterEqual, "Less": .less, "LessOrEqual": .lessEqual, "Equal": .equal,
        "And": .logicalAnd, "Or": .logicalOr, "Mod": .floorMod,
    ]

    static let unary: [String: NativeActivation] = [
        "Relu": .relu, "Sigmoid": .sigmoid, "Tanh": .tanh, "Selu": .selu, "Softplus": .softplus, "Exp": .exp, "Log": .log,
        "Sqrt": .sqrt, "Reciprocal": .reciprocal, "Neg": .negate, "Abs": .abs, "Erf": .erf, "Floor": .floor, "Ceil": .ceil,
        "Sign": .sign, "Not": .logicalNot,
    ]

    private static func pair(_ v: [Int]?, _ fallback: Int?, _ node: String) throws -> (Int, Int) {
        if let v, v.count == 2, v.allSatisfy({ $0 > 0 && $0 < 1 << 16 }) { return (v[0], v[1]) }
        if v == nil, let f = fallback { return (f, f) }
        throw NativeEngineError.invalidNode(node: node, reason: "expected two positive values, got \(v ?? [])")
    }

    private static func padding(_ a: ONNXAttributes, _ node: String) throws -> NativePadding {
        switch a.string("auto_pad") ?? "NOTSET" {
        case "SAME_UPPER": return .same
        case "VALID": return .valid
        case "NOTSET":
            guard let p = a.ints("pads") else { return .explicit(top: 0, left: 0, bottom: 0, right: 0) }
            guard p.count == 4, p.allSatisfy({ $0 >= 0 }) else { throw NativeEngineError.invalidNode(node: node, reason: "pads \(p)") }
            return .explicit(top: p[0], left: p[1], bottom: p[2], right: p[3])
        case let other:
            throw NativeEngineError.invalidNode(node: node, reason: "auto_pad \(other) is not supported")
        }
    }
}

/// Typed access to an ONNX node's attributes (nil when absent).
struct ONNXAttributes {
    /// The padding of a 1-D window (Conv, pooling) from `auto_pad` and `pads` [begin, end], as a 2-D padding of
    /// the width axis.
    func padding1D(node name: String) throws -> NativePadding {
        switch string("auto_pad") ?? "NOTSET" {
        case "SAME_UPPER": return .same
        case "VALID": return .valid
        case "NOTSET":
            let p = ints("pads") ?? [0, 0]
            guard p.count == 2, p.allSatisfy({ $0 >= 0 }) else { throw NativeEngineError.invalidNode(node: name, reason: "pads \(p)") }
            return .explicit(top: 0, left: p[0], bottom: 0, right: p[1])
        case let other: throw NativeEngineError.invalidNode(node: name, reason: "auto_pad \(other) is not supported")
        }
    }

    let node: Onnx_NodeProto

    private func attr(_ k: String) -> Onnx_AttributeProto? { node.attribute.first { $0.name == k } }

    func float(_ k: String) -> Float? { attr(k).map(\.f) }
    func int(_ k: String) -> Int? { attr(k).map { Int(clamping: $0.i) } }
    func string(_ k: String) -> String? { attr(k).map { String(decoding: $0.s, as: UTF8.self) } }
    func ints(_ k: String) -> [Int]? { attr(k).map { $0.ints.map { Int(clamping: $0) } } }
    func floats(_ k: String) -> [Float]? { attr(k).map(\.floats) }
    func tensor(_ k: String) -> Onnx_TensorProto? { attr(k).flatMap { $0.hasT ? $0.t : nil } }
}
