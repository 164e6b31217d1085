/// An lwtnn network loaded from its JSON file, in either format: the sequential one (`inputs`, `layers`,
/// `outputs` labels) or the functional graph one (`inputs`, `input_sequences`, `nodes`, `layers`, `outputs`).
/// Sequential files become a graph with one input block named `inputs` and one output named `outputs`.
/// Every size is checked at load, so evaluation cannot fail on the model's own structure.
public struct LWTNNNetwork: Sendable {
    public enum Format: String, Sendable { case sequential, graph }

    public let format: Format
    /// The input blocks in tensor order.
    public let inputs: [LWTNNInputBlock]
    /// The outputs in tensor order (sorted by name for graph files, as lwtnn's map keeps them).
    public let outputs: [LWTNNOutput]
    /// The `miscellaneous` strings of a sequential file.
    public let miscellaneous: [String: String]
    let nodes: [LWTNNNode]
    /// Values per sample (per step for sequences) of each node.
    let sizes: [Int]
    /// Nodes the outputs need, sources before their users.
    let order: [Int]

    /// Number of layers in the file.
    public let layerCount: Int

    /// Parses and checks an lwtnn JSON document.
    public init(json bytes: [UInt8]) throws {
        let doc = try LWTNNJSONReader.document(bytes)
        let layers = try doc.array("layers").enumerated().map { i, l in try LWTNNJSONReader(l, context: "layer \(i)") }
        layerCount = layers.count
        var specs: [LWTNNNodeSpec] = []
        var outputSpecs: [(name: String, labels: [String], node: Int)] = []
        if doc.has("nodes") {
            format = .graph
            let plain = try doc.array("inputs").enumerated().map { i, b in
                try LWTNNInputBlock(json: LWTNNJSONReader(b, context: "input node \(i)"), isSequence: false)
            }
            let sequences = try (doc.has("input_sequences") ? doc.array("input_sequences") : []).enumerated().map { i, b in
                try LWTNNInputBlock(json: LWTNNJSONReader(b, context: "input sequence \(i)"), isSequence: true)
            }
            inputs = plain + sequences
            specs = try doc.array("nodes").enumerated().map { i, n in try LWTNNNodeSpec(json: LWTNNJSONReader(n, context: "node \(i)")) }
            let outs = try doc.object("outputs", context: "outputs")
            for name in outs.object.keys.sorted() {
                let o = try outs.object(name, context: "output '\(name)'")
                let labels = try o.array("labels").map { l -> String in
                    guard let s = l as? String else { throw o.fail("labels must be strings") }
                    return s
                }
                outputSpecs.append((name, labels, try o.int("node_index")))
            }
            miscellaneous = [:]
        } else {
            format = .sequential
            var defaults: [String: Double] = [:]
            if doc.has("defaults") {
                let d = try doc.object("defaults", context: "defaults")
                for k in d.object.keys { defaults[k] = try d.double(k) }
            }
            let variables = try doc.array("inputs").enumerated().map { i, v in
                try LWTNNVariable(json: LWTNNJSONReader(v, context: "input \(i)"), defaults: defaults)
            }
            try LWTNNInputBlock.checkUnique(variables.map(\.name), context: "inputs")
            let architectures = try layers.map { try $0.string("architecture") }
            let recurrent = architectures.indices.filter { LWTNNRecurrentLayer.architectures.contains(architectures[$0]) }
            let feedForward = architectures.indices.filter { !recurrent.contains($0) }
            inputs = [LWTNNInputBlock(name: "inputs", variables: variables, isSequence: !recurrent.isEmpty)]
            specs.append(LWTNNNodeSpec(type: recurrent.isEmpty ? "input" : "input_sequence", sources: [0], index: variables.count,
                                       context: "inputs"))
            for l in recurrent + feedForward {
                let type = recurrent.contains(l) ? "sequence" : "feed_forward"
                specs.append(LWTNNNodeSpec(type: type, sources: [specs.count - 1], index: l, context: "layer \(l)"))
            }
            let labels = try doc.array("outputs").map { l -> String in
                guard let s = l as? String else { throw doc.fail("'outputs' must be a list of label strings") }
                return s
            }
            outputSpecs = [("outputs", labels, specs.count - 1)]
            var misc: [String: String] = [:]
            if let m = doc.object["miscellaneous"] as? [String: Any] {
                for (k, v) in m { misc[k] = v as? String ?? "\(v)" }
            }
            miscellaneous = misc
        }
        let built = try LWTNNGraphBuilder(specs: specs, layers: layers, inputs: inputs, needed: outputSpecs.map(\.node))
        nodes = built.nodes
        sizes = built.sizes
        order = built.order
        let (builtNodes, builtSizes) = (built.nodes, built.sizes)
        outputs = try outputSpecs.map { o in
            guard builtNodes[o.node].givesVector else {
                throw LWTNNLoadError.invalid(context: "output '\(o.name)'", reason: "node \(o.node) is a sequence, not a vector")
            }
            guard o.labels.count == builtSizes[o.node] else {
                throw LWTNNLoadError.invalid(context: "output '\(o.name)'",
                                             reason: "\(o.labels.count) labels for \(builtSizes[o.node]) output values")
            }
            return LWTNNOutput(name: o.name, labels: o.labels, node: o.node)
        }
    }

    /// Output size of each output, in `outputs` order.
    public var outputSizes: [Int] { outputs.map { sizes[$0.node] } }

    /// Runs the network on `count` samples. `blocks[i]` holds the raw (not yet preprocessed) values of input
    /// block `i`, row-major `[count, width]` or `[count, steps[i], width]` for sequences. Returns each output's
    /// values, row-major `[count, size]`.
    public func evaluate(blocks: [[Double]], count: Int, steps: [Int]) throws -> [[Double]] {
        guard blocks.count == inputs.count, steps.count == inputs.count else {
            throw InferenceError.invalidInput("lwtnn: \(inputs.count) input blocks expected, got \(blocks.count)")
        }
        for (i, b) in inputs.enumerated() {
            let expected = count * (b.isSequence ? steps[i] : 1) * b.variables.count
            guard blocks[i].count == expected else {
                throw InferenceError.invalidInput("lwtnn input '\(b.name)': \(blocks[i].count) values, expected \(expected)")
            }
        }
        var values: [Int: LWTNNNodeValue] = [:]
        for i in order {
            values[i] = try LWTNNNodeValue.compute(nodes[i], size: sizes[i], count: count, values: values,
                                                   sizes: sizes, blocks: blocks, steps: steps, inputs: inputs)
        }
        return outputs.map { o in values[o.node].map { $0.vector(count: count, size: sizes[o.node]) } ?? [] }
    }

    /// Runs one sample given by variable name (sequence variables take one value per step); each output's
    /// values by label. Absent variables take their defaults; unknown or missing names throw.
    public func evaluate(named: [String: [Double]]) throws -> [String: [String: Double]] {
        let (blocks, steps) = try blockValues(named: named)
        let result = try evaluate(blocks: blocks, count: 1, steps: steps)
        var out: [String: [String: Double]] = [:]
        for (o, v) in zip(outputs, result) {
            out[o.name] = Dictionary(uniqueKeysWithValues: zip(o.labels, v))
        }
        return out
    }

    /// Arranges one sample given by variable name into block arrays (and the steps of each block).
    public func blockValues(named: [String: [Double]]) throws -> (blocks: [[Double]], steps: [Int]) {
        let known = Set(inputs.flatMap { $0.variables.map(\.name) })
        if let unknown = named.keys.sorted().first(where: { !known.contains($0) }) {
            throw InferenceError.invalidInput("unknown input variable '\(unknown)'")
        }
        var blocks: [[Double]] = [], steps: [Int] = []
        for b in inputs {
            var columns: [[Double]] = []
            for v in b.variables {
                if let given = named[v.name] {
                    columns.append(given)
                } else if let d = v.defaultValue {
                    columns.append([d])
                } else {
                    throw InferenceError.invalidInput("missing input variable '\(v.name)'")
                }
            }
            let t = b.isSequence ? (columns.map(\.count).max() ?? 0) : 1
            for (v, c) in zip(b.variables, columns) where c.count != t && !(c.count == 1 && b.isSequence) {
                throw InferenceError.invalidInput("input variable '\(v.name)': \(c.count) values, expected \(t)")
            }
            var block = [Double](repeating: 0, count: t * b.variables.count)
            for step in 0..<t {
                for (j, c) in columns.enumerated() { block[step * columns.count + j] = c.count == 1 ? c[0] : c[step] }
            }
            blocks.append(block)
            steps.append(t)
        }
        return (blocks, steps)
    }
}
