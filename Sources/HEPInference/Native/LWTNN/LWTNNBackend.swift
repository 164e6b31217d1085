import Foundation

/// Serves an lwtnn network: one FP32 tensor per input block (`[N, variables]`, sequences `[N, T, variables]`),
/// one FP32 tensor `[N, labels]` per output.
public final class LWTNNBackend: InferenceBackend, NamedInputModel, ModelDescribable {
    public let network: LWTNNNetwork
    public let signature: ModelSignature

    public init(network: LWTNNNetwork) {
        self.network = network
        signature = ModelSignature(
            inputs: network.inputs.map {
                TensorSpec(name: $0.name, datatype: .FP32, shape: $0.isSequence ? [-1, -1, $0.variables.count] : [-1, $0.variables.count])
            },
            outputs: zip(network.outputs, network.outputSizes).map { TensorSpec(name: $0.name, datatype: .FP32, shape: [-1, $1]) })
    }

    /// Loads the lwtnn JSON file at `path`.
    public convenience init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InferenceError.unavailable("lwtnn model file cannot be read (\((path as NSString).lastPathComponent))")
        }
        try self.init(network: LWTNNNetwork(json: [UInt8](data)))
    }

    public func infer(_ inputs: [Tensor], outputs: [String]?) throws -> [Tensor] {
        var blocks: [[Double]] = [], steps: [Int] = []
        var count: Int?
        for spec in signature.inputs {
            guard let t = inputs.first(where: { $0.name == spec.name }) else {
                throw InferenceError.invalidInput("missing input '\(spec.name)'")
            }
            try spec.validate(t)
            guard count == nil || count == t.shape[0] else {
                throw InferenceError.invalidInput("input '\(t.name)': batch \(t.shape[0]) differs from the other inputs' \(count ?? 0)")
            }
            count = t.shape[0]
            blocks.append(t.doubles())
            steps.append(t.shape.count == 3 ? t.shape[1] : 1)
        }
        let n = count ?? 0
        let values = try network.evaluate(blocks: blocks, count: n, steps: steps)
        let wanted = outputs ?? network.outputs.map(\.name)
        return try wanted.map { name in
            guard let k = network.outputs.firstIndex(where: { $0.name == name }) else {
                throw InferenceError.invalidInput("no output '\(name)' (outputs: \(network.outputs.map(\.name).joined(separator: ", ")))")
            }
            return Tensor(name: name, shape: [n, network.outputSizes[k]], values: values[k].map { Float($0) })
        }
    }

    public var variableNames: [String] { network.inputs.flatMap { $0.variables.map(\.name) } }

    public func tensors(named values: [String: [Double]]) throws -> [Tensor] {
        let (blocks, steps) = try network.blockValues(named: values)
        return zip(network.inputs, zip(blocks, steps)).map { b, v in
            let shape = b.isSequence ? [1, v.1, b.variables.count] : [1, b.variables.count]
            return Tensor(name: b.name, shape: shape, values: v.0.map { Float($0) })
        }
    }

    public var summary: ModelSummary {
        var items = [ModelSummary.Item("layers", String(network.layerCount))]
        let withDefaults = network.inputs.flatMap(\.variables).filter { $0.defaultValue != nil }.count
        items.append(ModelSummary.Item("variables with defaults", String(withDefaults)))
        for (k, v) in network.miscellaneous.sorted(by: { $0.key < $1.key }) { items.append(ModelSummary.Item(k, v)) }
        return ModelSummary(format: "lwtnn \(network.format.rawValue)",
                            inputVariables: network.inputs.map { ($0.name, $0.variables.map(\.name)) },
                            outputLabels: network.outputs.map { ($0.name, $0.labels) },
                            items: items)
    }
}
