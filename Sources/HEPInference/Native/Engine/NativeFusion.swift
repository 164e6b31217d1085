/// Load-time operator fusion where it saves passes over memory: MatMul + bias + activation into one dense
/// node (sgemm with the bias preloaded), Conv2D + bias / batch normalization + activation into one
/// convolution. Only when the intermediate value has no other reader and is not a graph output.
enum NativeFusion {
    static func fuse(_ order: [NativeNode], constants: inout [Int: NativeTensor], outputs: Set<Int>,
                     newValue: (String) -> Int) -> [NativeNode] {
        var nodes: [NativeNode?] = order
        var readers = [Int: [Int]]()
        for (i, n) in order.enumerated() { for v in n.inputs { readers[v, default: []].append(i) } }
        /// The only node reading `v`, when there is exactly one and `v` is not an output.
        func soleReader(_ v: Int) -> Int? {
            guard !outputs.contains(v), let r = readers[v], r.count == 1, let j = r.first, nodes[j] != nil else { return nil }
            return j
        }
        /// The constant the reader `c` adds to `v` as a per-channel bias of `channels`, if it is one.
        func bias(_ c: NativeNode, reading v: Int, channels: Int, layout: NativeImageLayout?) -> Int? {
            guard c.inputs.count == 2 else { return nil }
            switch c.op {
            case .biasAdd(-1) where layout != .nchw, .biasAdd(1) where layout == .nchw:
                guard c.inputs[0] == v else { return nil }
            case .binary(.add): break
            default: return nil
            }
            let other = c.inputs[0] == v ? c.inputs[1] : c.inputs[0]
            guard let b = constants[other], case .float = b.storage, b.elementCount == channels else { return nil }
            let dims = b.shape.filter { $0 != 1 }
            guard dims.count <= 1 else { return nil }
            // The channel must be the last axis (NHWC, dense) or axis -3 (NCHW).
            if layout == .nchw {
                guard b.shape.count >= 3, b.shape[b.shape.count - 3] == channels || channels == 1 else { return nil }
            } else if b.shape.last != channels, channels != 1 {
                return nil
            }
            if b.shape.count > 1 {
                let flat = newValue("\(c.name)/fused_bias")
                constants[flat] = NativeTensor(shape: [channels], storage: b.storage)
                return flat
            }
            return other
        }
        for i in 0..<nodes.count {
            guard var n = nodes[i], let out = n.outputs.first, n.outputs.count == 1 else { continue }
            var channels = 0
            var layout: NativeImageLayout?
            switch n.op {
            case let .matMul(false, tb):
                guard n.inputs.count == 2, let w = constants[n.inputs[1]], w.shape.count == 2, case .float = w.storage else { continue }
                n.op = .dense(transposeB: tb, activation: .none)
                channels = tb ? w.shape[0] : w.shape[1]
            case .dense(_, .none):
                guard let w = constants[n.inputs[1]] else { continue }
                channels = w.shape.count == 2 ? (n.op == .dense(transposeB: true, activation: .none) ? w.shape[0] : w.shape[1]) : 0
            case let .conv2D(c) where c.activation == .none:
                guard let w = constants[n.inputs[1]], w.shape.count == 4 else { continue }
                layout = c.layout
                channels = c.depthwise ? w.shape[2] * w.shape[3] : (c.layout == .nhwc ? w.shape[3] : w.shape[0])
            default:
                continue
            }
            guard channels > 0 else { continue }
            // Bias.
            if n.inputs.count == 2, let j = soleReader(out), let c = nodes[j], let b = bias(c, reading: out, channels: channels, layout: layout) {
                n.inputs.append(b)
                n.outputs = c.outputs
                n.name = c.name
                nodes[i] = nil
                nodes[j] = n
                continue
            }
            // Batch normalization after a convolution: scale the filter, shift the bias.
            if case let .conv2D(conv) = n.op, let j = soleReader(out), let c = nodes[j], case let .batchNorm(eps, _) = c.op,
               c.inputs.first == out, c.inputs.count == 5, let folded = foldBatchNorm(n, c, conv, eps, channels, constants: &constants, newValue: newValue) {
                nodes[i] = nil
                nodes[j] = folded
                continue
            }
            // Activation.
            if let j = soleReader(out), let c = nodes[j], case let .unary(act) = c.op, isActivation(act) {
                switch n.op {
                case let .dense(tb, .none): n.op = .dense(transposeB: tb, activation: act)
                case var .conv2D(conv): conv.activation = act; n.op = .conv2D(conv)
                default: continue
                }
                n.outputs = c.outputs
                n.name = c.name
                nodes[i] = nil
                nodes[j] = n
            } else if n.op != nodes[i]?.op {
                nodes[i] = n
            }
        }
        return nodes.compactMap { $0 }
    }

    private static func isActivation(_ a: NativeActivation) -> Bool {
        switch a {
        case .relu, .relu6, .sigmoid, .tanh, .elu, .selu, .softplus, .leakyRelu: return true
        default: return false
        }
    }

    /// Conv followed by inference batch norm as one conv with new constant filter and bias.
    private static func foldBatchNorm(_ n: NativeNode, _ bn: NativeNode, _ conv: NativeConvolution, _ eps: Float, _ channels: Int,
                                      constants: inout [Int: NativeTensor], newValue: (String) -> Int) -> NativeNode? {
        let params = bn.inputs[1...4].compactMap { constants[$0]?.floats() }
        guard params.count == 4, params.allSatisfy({ $0.count == channels }), let w = constants[n.inputs[1]] else { return nil }
        let oldBias = n.inputs.count > 2 ? constants[n.inputs[2]]?.floats() : [Float](repeating: 0, count: channels)
        guard let oldBias, oldBias.count == channels else { return nil }
        var scale = [Float](repeating: 0, count: channels), bias = scale
        for o in 0..<channels {
            scale[o] = params[0][o] / (params[3][o] + eps).squareRoot()
            bias[o] = (oldBias[o] - params[2][o]) * scale[o] + params[1][o]
        }
        var filter = w.floats()
        // Output channel is the last axis (HWIO, depthwise HW·C·M) or the first (OIHW).
        if conv.layout == .nhwc || conv.depthwise {
            for i in 0..<filter.count { filter[i] *= scale[i % channels] }
        } else {
            let per = filter.count / channels
            for i in 0..<filter.count { filter[i] *= scale[i / per] }
        }
        let wv = newValue("\(bn.name)/folded_filter"), bv = newValue("\(bn.name)/folded_bias")
        constants[wv] = NativeTensor(shape: w.shape, floats: filter)
        constants[bv] = NativeTensor(shape: [channels], floats: bias)
        return NativeNode(name: bn.name, op: n.op, inputs: [n.inputs[0], wv, bv], outputs: [bn.outputs[0]])
    }
}
