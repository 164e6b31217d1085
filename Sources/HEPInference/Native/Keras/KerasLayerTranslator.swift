import Foundation

/// Maps one Keras layer call onto native IR nodes (channels-last, as Keras stores it). Layers outside the
/// supported set fail at load naming the layer class and the layer.
struct KerasLayerTranslator {
    let b: NativeGraphBuilder
    let layer: KerasModelConfig.Layer
    let weights: [NativeTensor]
    /// Name of the layer's output value; intermediate values are named under it.
    let out: String

    private var c: [String: Any] { layer.config }
    private func invalid(_ why: String) -> NativeEngineError { .invalidNode(node: layer.name, reason: why) }
    private func int(_ k: String) -> Int? { (c[k] as? NSNumber)?.intValue ?? (c[k] as? [NSNumber])?.first?.intValue }
    private func ints(_ k: String) -> [Int]? { (c[k] as? [NSNumber])?.map(\.intValue) ?? (c[k] as? NSNumber).map { [$0.intValue] } }
    private func bool(_ k: String, _ d: Bool) -> Bool { (c[k] as? NSNumber)?.boolValue ?? d }
    private func float(_ k: String, _ d: Float) -> Float { (c[k] as? NSNumber)?.floatValue ?? d }

    private func constant(_ suffix: String, _ t: NativeTensor) -> String {
        let v = "\(out)/\(suffix)"
        b.addConstant(v, t)
        return v
    }

    private func node(_ op: NativeOp, _ inputs: [String], _ output: String, _ suffix: String = "") {
        b.addNode(name: suffix.isEmpty ? layer.name : "\(layer.name)/\(suffix)", op: op, inputs: inputs, outputs: [output])
    }

    private func weight(_ i: Int, _ what: String) throws -> NativeTensor {
        guard i < weights.count else { throw invalid("missing weight \(what) (the file has \(weights.count) for this layer)") }
        return weights[i]
    }

    /// Translates the call reading `inputs` (with their masks); returns the output's mask value, if any.
    func translate(_ inputs: [String], masks: [String?]) throws -> String? {
        guard let x = inputs.first else { throw invalid("the layer has no input") }
        let mask = masks.first ?? nil
        switch layer.className {
        case "Dense":
            let kernel = try weight(0, "kernel")
            guard kernel.shape.count == 2 else { throw invalid("Dense kernel of shape \(kernel.shape)") }
            let useBias = bool("use_bias", true)
            let w = constant("kernel", kernel)
            let args = useBias ? [x, w, constant("bias", try weight(1, "bias"))] : [x, w]
            try activation(c["activation"], input: "\(out)/linear", output: out) { node(.dense(transposeB: false, activation: .none), args, $0, "dense") }
            return mask
        case "Activation":
            try activation(c["activation"], input: x, output: out, producer: nil)
            return mask
        case "Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization":
            node(.identity, [x], out)
            return mask
        case "Flatten":
            node(.flatten(axis: 1), [x], out)
        case "Reshape":
            guard let target = ints("target_shape") else { throw invalid("Reshape without target_shape") }
            node(.reshape(shape: [0] + target, copyZeros: true), [x], out)
        case "Permute":
            guard let dims = ints("dims") else { throw invalid("Permute without dims") }
            node(.transpose(perm: [0] + dims), [x], out)
        case "Concatenate":
            node(.concat(axis: int("axis") ?? -1), inputs, out)
        case "Add", "Subtract", "Multiply", "Maximum", "Minimum", "Average":
            try merge(inputs)
        case "BatchNormalization":
            try batchNorm(x, output: out)
            return mask
        case "Conv1D", "Conv2D":
            try convolution(x, oneD: layer.className == "Conv1D")
        case "MaxPooling1D", "AveragePooling1D", "MaxPooling2D", "AveragePooling2D":
            try pooling(x)
        case "GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling2D":
            try channelsLast()
            let axes = layer.className.hasSuffix("1D") ? [1] : [1, 2]
            node(.reduce(layer.className.contains("Average") ? .mean : .max, axes: axes, keepDims: bool("keepdims", false)), [x], out)
        case "Masking":
            return masking(x)
        case "LSTM", "GRU":
            return try recurrent(x, mask: mask)
        case "TimeDistributed":
            return try timeDistributed(x, mask: mask)
        default:
            throw NativeEngineError.unsupportedOp(op: "Keras layer \(layer.className)", node: layer.name)
        }
        return nil
    }

    // MARK: layers

    private func channelsLast() throws {
        if let f = c["data_format"] as? String, f != "channels_last" { throw invalid("data_format \(f) (only channels_last is supported)") }
    }

    private func padding() throws -> NativePadding {
        switch c["padding"] as? String ?? "valid" {
        case "valid": return .valid
        case "same": return .same
        case let p: throw invalid("padding '\(p)' is not supported")
        }
    }

    private func convolution(_ x: String, oneD: Bool) throws {
        try channelsLast()
        var kernel = try weight(0, "kernel")
        let strides = ints("strides") ?? [1], dilations = ints("dilation_rate") ?? [1]
        guard kernel.shape.count == (oneD ? 3 : 4) else { throw invalid("kernel of shape \(kernel.shape)") }
        let conv: NativeConvolution
        let pair = { (v: [Int]) in oneD ? (1, v[0]) : (v[0], v.count > 1 ? v[1] : v[0]) }
        conv = NativeConvolution(layout: .nhwc, strides: pair(strides), dilations: pair(dilations), padding: try padding(), groups: int("groups") ?? 1)
        var input = x
        if oneD {
            kernel.shape = [1] + kernel.shape
            input = "\(out)/input2d"
            node(.expandDims(axes: [1]), [x], input, "expand")
        }
        var args = [input, constant("kernel", kernel)]
        if bool("use_bias", true) { args.append(constant("bias", try weight(1, "bias"))) }
        let convOut = oneD ? "\(out)/output2d" : out
        try activation(c["activation"], input: "\(convOut)/linear", output: convOut) { node(.conv2D(conv), args, $0, "conv") }
        if oneD { node(.squeeze(axes: [1]), [convOut], out, "squeeze") }
    }

    private func pooling(_ x: String) throws {
        try channelsLast()
        let oneD = layer.className.hasSuffix("1D")
        let size = ints("pool_size") ?? [2]
        let strides = ints("strides") ?? size
        let pair = { (v: [Int]) in oneD ? (1, v[0]) : (v[0], v.count > 1 ? v[1] : v[0]) }
        let pool = NativePooling(max: layer.className.hasPrefix("Max"), layout: .nhwc, window: pair(size), strides: pair(strides), padding: try padding())
        if oneD {
            node(.expandDims(axes: [1]), [x], "\(out)/input2d", "expand")
            node(.pool(pool), ["\(out)/input2d"], "\(out)/output2d", "pool")
            node(.squeeze(axes: [1]), ["\(out)/output2d"], out, "squeeze")
        } else {
            node(.pool(pool), [x], out)
        }
    }

    private func batchNorm(_ x: String, output: String) throws {
        let axis = int("axis") ?? -1
        let center = bool("center", true), scale = bool("scale", true)
        var i = 0
        func next(_ what: String) throws -> NativeTensor { defer { i += 1 }; return try weight(i, what) }
        let gamma = scale ? try next("gamma") : nil
        let beta = center ? try next("beta") : nil
        let mean = try next("moving_mean"), variance = try next("moving_variance")
        let n = mean.elementCount
        let ones = NativeTensor(shape: [n], floats: [Float](repeating: 1, count: n))
        let zeros = NativeTensor(shape: [n], floats: [Float](repeating: 0, count: n))
        let args = [x, constant("gamma", gamma ?? ones), constant("beta", beta ?? zeros), constant("moving_mean", mean),
                    constant("moving_variance", variance)]
        b.addNode(name: layer.name, op: .batchNorm(epsilon: float("epsilon", 1e-3), axis: axis), inputs: args, outputs: [output])
    }

    private func merge(_ inputs: [String]) throws {
        guard inputs.count >= 2 else { throw invalid("\(layer.className) needs at least two inputs") }
        let op: NativeBinaryOp = ["Add": .add, "Subtract": .sub, "Multiply": .mul, "Maximum": .maximum, "Minimum": .minimum][layer.className] ?? .add
        guard layer.className != "Subtract" || inputs.count == 2 else { throw invalid("Subtract needs exactly two inputs") }
        var acc = inputs[0]
        for (k, v) in inputs.dropFirst().enumerated() {
            let last = k == inputs.count - 2 && layer.className != "Average"
            let target = last ? out : "\(out)/partial\(k)"
            node(.binary(op), [acc, v], target, last ? "" : "partial\(k)")
            acc = target
        }
        if layer.className == "Average" {
            node(.binary(.mul), [acc, constant("scale", NativeTensor(shape: [], floats: [1 / Float(inputs.count)]))], out)
        }
    }

    /// Keras Masking: steps whose features all equal `mask_value` are zeroed and masked for later layers.
    private func masking(_ x: String) -> String {
        let value = constant("mask_value", NativeTensor(shape: [], floats: [float("mask_value", 0)]))
        let maskValue = "\(out)/mask"
        node(.binary(.notEqual), [x, value], "\(out)/differs", "differs")
        node(.cast(.float), ["\(out)/differs"], "\(out)/differs_float", "cast")
        node(.reduce(.max, axes: [-1], keepDims: false), ["\(out)/differs_float"], maskValue, "any")
        node(.expandDims(axes: [-1]), [maskValue], "\(out)/mask3d", "expand")
        node(.binary(.mul), [x, "\(out)/mask3d"], out)
        return maskValue
    }

    /// LSTM/GRU: Keras weights (kernel [I, G·H], recurrent kernel [H, G·H], bias) reordered to ONNX's layout.
    private func recurrent(_ x: String, mask: String?) throws -> String? {
        let lstm = layer.className == "LSTM"
        guard let units = int("units"), units > 0 else { throw invalid("no units") }
        guard !bool("return_state", false) else { throw invalid("return_state is not supported") }
        let sequences = bool("return_sequences", false), backwards = bool("go_backwards", false)
        guard !(backwards && sequences) else { throw invalid("go_backwards with return_sequences is not supported") }
        let gates = lstm ? 4 : 3
        let kernel = try weight(0, "kernel"), recurrentKernel = try weight(1, "recurrent_kernel")
        guard kernel.shape.count == 2, kernel.shape[1] == gates * units, recurrentKernel.shape == [units, gates * units] else {
            throw invalid("kernels of shapes \(kernel.shape), \(recurrentKernel.shape) for \(units) units")
        }
        let resetAfter = !lstm && bool("reset_after", true)
        // Keras LSTM gates i, f, c, o → ONNX i, o, f, c; GRU z, r, h as in ONNX.
        let order = lstm ? [0, 3, 1, 2] : [0, 1, 2]
        func onnxMatrix(_ t: NativeTensor) -> NativeTensor {
            let rows = t.shape[0], v = t.floats()
            var m = [Float](repeating: 0, count: v.count)
            for (g, src) in order.enumerated() {
                for j in 0..<units {
                    for i in 0..<rows { m[(g * units + j) * rows + i] = v[i * gates * units + src * units + j] }
                }
            }
            return NativeTensor(shape: [1, gates * units, rows], floats: m)
        }
        var bias = [Float](repeating: 0, count: 2 * gates * units)
        if bool("use_bias", true) {
            let v = try weight(2, "bias").floats()
            let perSet = gates * units
            guard v.count == perSet || v.count == 2 * perSet else { throw invalid("bias of \(v.count) values for \(units) units") }
            for set in 0..<(v.count / perSet) {
                for (g, src) in order.enumerated() {
                    for j in 0..<units { bias[set * perSet + g * units + j] = v[set * perSet + src * units + j] }
                }
            }
        }
        let gate = try Self.activation(name: c["recurrent_activation"] as? String ?? "sigmoid", layer: layer.name)
        let candidate = try Self.activation(name: c["activation"] as? String ?? "tanh", layer: layer.name)
        let op = NativeRecurrent(cell: lstm ? .lstm : .gru(linearBeforeReset: resetAfter), hiddenSize: units,
                                 direction: backwards ? .reverse : .forward, batchMajor: true, gateActivation: gate,
                                 candidateActivation: candidate, outputActivation: candidate,
                                 zeroSkippedOutputs: bool("zero_output_for_mask", false))
        let absent = constant("absent", NativeTensor(shape: [0], floats: []))
        let args = [x, constant("W", onnxMatrix(kernel)), constant("R", onnxMatrix(recurrentKernel)),
                    constant("B", NativeTensor(shape: [1, 2 * gates * units], floats: bias)), mask ?? absent]
        let outs = ["\(out)/Y", "\(out)/Y_h"] + (lstm ? ["\(out)/Y_c"] : [])
        b.addNode(name: layer.name, op: .recurrent(op), inputs: args, outputs: outs)
        if sequences {
            node(.reshape(shape: [0, 0, units], copyZeros: true), ["\(out)/Y"], out, "sequences")
            return mask
        }
        node(.reshape(shape: [0, units], copyZeros: true), ["\(out)/Y_h"], out, "state")
        return nil
    }

    /// TimeDistributed over layers that act on the last axis only (Dense, Activation, Dropout, BatchNormalization).
    private func timeDistributed(_ x: String, mask: String?) throws -> String? {
        guard let inner = c["layer"] as? [String: Any], let cls = inner["class_name"] as? String, let ic = inner["config"] as? [String: Any] else {
            throw invalid("TimeDistributed without a wrapped layer")
        }
        guard ["Dense", "Activation", "Dropout", "BatchNormalization"].contains(cls) else {
            throw NativeEngineError.unsupportedOp(op: "Keras layer TimeDistributed(\(cls))", node: layer.name)
        }
        let wrapped = KerasModelConfig.Layer(className: cls, name: layer.name, config: ic, calls: layer.calls)
        return try KerasLayerTranslator(b: b, layer: wrapped, weights: weights, out: out).translate([x], masks: [mask])
    }

    // MARK: activations

    /// Writes `activation(input)` to `output`. `producer` (if any) is called first with the value it must write
    /// (`input`, or `output` directly when the activation is linear).
    private func activation(_ spec: Any?, input: String, output: String, producer: ((String) -> Void)?) throws {
        let name = spec as? String ?? "linear"
        if name == "linear" {
            if let producer { producer(output) } else { node(.identity, [input], output) }
            return
        }
        producer?(input)
        switch name {
        case "softmax": node(.softmax(axis: -1, log: false), [input], output, producer == nil ? "" : "activation")
        case "log_softmax": node(.softmax(axis: -1, log: true), [input], output, producer == nil ? "" : "activation")
        case "swish", "silu":
            node(.unary(.sigmoid), [input], "\(output)/sigmoid", "sigmoid")
            node(.binary(.mul), [input, "\(output)/sigmoid"], output, "activation")
        default:
            node(.unary(try Self.activation(name: name, layer: layer.name)), [input], output, producer == nil ? "" : "activation")
        }
    }

    static func activation(name: String, layer: String) throws -> NativeActivation {
        switch name {
        case "linear": return .none
        case "relu": return .relu
        case "relu6": return .relu6
        case "sigmoid": return .sigmoid
        case "tanh": return .tanh
        case "elu": return .elu(1)
        case "selu": return .selu
        case "softplus": return .softplus
        case "exponential": return .exp
        case "leaky_relu": return .leakyRelu(0.2)
        default: throw NativeEngineError.invalidNode(node: layer, reason: "activation '\(name)' is not supported")
        }
    }
}
