import HEPInference

/// Exports a trained network as ONNX with the feature normalization in the graph: clients send raw values,
/// NaN (JSON `null` on hepml's endpoints) for padded slots. Binary classifiers output `probabilities`
/// `[N, 2]` (background, signal), softmax ones `[N, C]`, regressions `output` `[N, 1]`.
public enum ONNXExporter {
    public static let inputName = "features"

    public static func outputName(_ spec: NetworkSpec) -> String { spec.output == .linear ? "output" : "probabilities" }
    public static func outputWidth(_ spec: NetworkSpec) -> Int { spec.output == .sigmoid ? 2 : spec.outputUnits }

    public static func export(network: DenseNetwork, layout: VectorLayout, name: String) throws -> [UInt8] {
        let spec = network.spec
        let f = layout.width
        var scale = [Float](repeating: 1, count: f), shift = [Float](repeating: 0, count: f)
        var lo = [Float](repeating: -Float.greatestFiniteMagnitude, count: f), hi = [Float](repeating: Float.greatestFiniteMagnitude, count: f)
        for b in layout.blocks {
            for k in 0..<b.length {
                scale[b.offset + k] = Float(b.scale)
                shift[b.offset + k] = Float(b.shift)
                if b.clip { lo[b.offset + k] = 0; hi[b.offset + k] = 1 }
            }
        }
        var g = ONNXGraphBuilder(name: name)
        g.input(inputName, dims: [nil, f])
        g.initializer("norm_scale", dims: [f], values: scale)
        g.initializer("norm_shift", dims: [f], values: shift)
        g.initializer("norm_lo", dims: [f], values: lo)
        g.initializer("norm_hi", dims: [f], values: hi)
        g.initializer("pad_value", dims: [1], values: [layout.padValue])
        g.node("IsNaN", [inputName], ["is_padding"])
        g.node("Mul", [inputName, "norm_scale"], ["scaled"])
        g.node("Add", ["scaled", "norm_shift"], ["shifted"])
        g.node("Max", ["shifted", "norm_lo"], ["clipped_lo"])
        g.node("Min", ["clipped_lo", "norm_hi"], ["clipped"])
        g.node("Where", ["is_padding", "pad_value", "clipped"], ["normalized"])
        var x = "normalized"
        if spec.maskFeatures {
            g.node("Not", ["is_padding"], ["is_real"])
            g.node("Cast", ["is_real"], ["mask"], ints: ["to": 1])
            g.node("Concat", ["normalized", "mask"], ["network_input"], ints: ["axis": 1])
            x = "network_input"
        }
        for (i, l) in network.layers.enumerated() {
            g.initializer("W\(i)", dims: [l.inputs, l.outputs], values: l.weights)
            g.initializer("b\(i)", dims: [l.outputs], values: l.bias)
            g.node("Gemm", [x, "W\(i)", "b\(i)"], ["z\(i)"])
            let out = "a\(i)"
            switch l.activation {
            case .relu: g.node("Relu", ["z\(i)"], [out])
            case .tanh: g.node("Tanh", ["z\(i)"], [out])
            case .sigmoid: g.node("Sigmoid", ["z\(i)"], [out])
            case .leaky_relu: g.node("LeakyRelu", ["z\(i)"], [out], floats: ["alpha": 0.01])
            case .linear: g.node("Identity", ["z\(i)"], [out])
            }
            x = out
        }
        switch spec.output {
        case .sigmoid:
            g.initializer("one", dims: [1], values: [1])
            g.node("Sigmoid", [x], ["signal"])
            g.node("Sub", ["one", "signal"], ["background"])
            g.node("Concat", ["background", "signal"], ["probabilities"], ints: ["axis": 1])
        case .softmax:
            g.node("Softmax", [x], ["probabilities"], ints: ["axis": 1])
        case .linear:
            g.node("Identity", [x], ["output"])
        }
        g.output(outputName(spec), dims: [nil, outputWidth(spec)])
        return try g.build(producer: "hepml", version: "0.1.0", metadata: ["features": layout.featureNames.joined(separator: ",")])
    }
}
