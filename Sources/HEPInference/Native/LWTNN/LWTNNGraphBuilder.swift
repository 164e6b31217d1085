/// Builds the nodes an lwtnn graph's outputs need: resolves sources, builds each node's layer for the size
/// of its source, checks node kinds and sizes, and rejects missing nodes and cycles.
struct LWTNNGraphBuilder {
    private(set) var nodes: [LWTNNNode]
    private(set) var sizes: [Int]
    private(set) var order: [Int] = []

    init(specs: [LWTNNNodeSpec], layers: [LWTNNJSONReader], inputs: [LWTNNInputBlock], needed: [Int]) throws {
        nodes = Array(repeating: .sum(source: 0), count: specs.count)
        sizes = Array(repeating: 0, count: specs.count)
        let plain = inputs.indices.filter { !inputs[$0].isSequence }
        let sequences = inputs.indices.filter { inputs[$0].isSequence }
        // 0: not seen, 1: on the current path, 2: built.
        var state = [UInt8](repeating: 0, count: specs.count)
        for root in needed {
            guard root >= 0, root < specs.count else {
                throw LWTNNLoadError.invalid(context: "outputs", reason: "node \(root) does not exist (\(specs.count) nodes)")
            }
            var stack: [(node: Int, expanded: Bool)] = [(root, false)]
            while let (i, expanded) = stack.popLast() {
                if state[i] == 2 { continue }
                let spec = specs[i]
                if !expanded {
                    state[i] = 1
                    stack.append((i, true))
                    if spec.type == "input" || spec.type == "input_sequence" { continue }
                    for s in spec.sources {
                        guard s < specs.count else {
                            throw LWTNNLoadError.invalid(context: spec.context, reason: "source node \(s) does not exist (\(specs.count) nodes)")
                        }
                        if state[s] == 1 { throw LWTNNLoadError.invalid(context: spec.context, reason: "the graph has a cycle through node \(s)") }
                        if state[s] == 0 { stack.append((s, false)) }
                    }
                    continue
                }
                try build(i, spec: spec, layers: layers, inputs: inputs, plain: plain, sequences: sequences)
                state[i] = 2
                order.append(i)
            }
        }
    }

    private mutating func build(_ i: Int, spec: LWTNNNodeSpec, layers: [LWTNNJSONReader], inputs: [LWTNNInputBlock],
                                plain: [Int], sequences: [Int]) throws {
        func fail(_ reason: String) -> LWTNNLoadError { .invalid(context: spec.context, reason: reason) }
        func single() throws -> Int {
            guard spec.sources.count == 1 else { throw fail("needs one source, found \(spec.sources.count)") }
            return spec.sources[0]
        }
        func layer(_ kinds: Set<String>) throws -> (LWTNNJSONReader, String) {
            guard let l = spec.index, l >= 0, l < layers.count else {
                throw fail("layer_index \(spec.index ?? -1) does not exist (\(layers.count) layers)")
            }
            let arch = try layers[l].string("architecture")
            guard kinds.contains(arch) else {
                let all = LWTNNFeedForwardLayer.architectures.union(LWTNNRecurrentLayer.architectures)
                throw all.contains(arch) ? fail("a '\(spec.type)' node cannot use a '\(arch)' layer (layer \(l))")
                    : layers[l].fail("unknown architecture '\(arch)'")
            }
            return (layers[l], arch)
        }
        func vectorSource() throws -> Int {
            let s = try single()
            guard nodes[s].givesVector else { throw fail("source node \(s) is a sequence; a vector is needed") }
            return s
        }
        func sequenceSource() throws -> Int {
            let s = try single()
            guard nodes[s].givesSequence else { throw fail("source node \(s) is not a sequence") }
            return s
        }
        switch spec.type {
        case "input", "input_sequence":
            let list = spec.type == "input" ? plain : sequences
            let k = try single()
            guard k < list.count else { throw fail("refers to input \(k), but there are \(list.count)") }
            let block = list[k]
            guard spec.index == inputs[block].variables.count else {
                throw fail("size \(spec.index ?? 0) differs from the \(inputs[block].variables.count) variables of '\(inputs[block].name)'")
            }
            nodes[i] = spec.type == "input" ? .input(block: block) : .inputSequence(block: block)
            sizes[i] = inputs[block].variables.count
        case "feed_forward", "time_distributed":
            let s = spec.type == "feed_forward" ? try vectorSource() : try sequenceSource()
            let (json, arch) = try layer(LWTNNFeedForwardLayer.architectures)
            let built = try LWTNNFeedForwardLayer(json: json, architecture: arch, inputSize: sizes[s])
            nodes[i] = spec.type == "feed_forward" ? .feedForward(source: s, layer: built) : .timeDistributed(source: s, layer: built)
            sizes[i] = built.outputSize
        case "sequence":
            let s = try sequenceSource()
            let (json, arch) = try layer(LWTNNRecurrentLayer.architectures)
            let built = try LWTNNRecurrentLayer(json: json, architecture: arch, inputSize: sizes[s])
            nodes[i] = .sequence(source: s, layer: built)
            sizes[i] = built.outputSize
        case "sum":
            let s = try sequenceSource()
            nodes[i] = .sum(source: s)
            sizes[i] = sizes[s]
        case "concatenate", "add":
            guard !spec.sources.isEmpty else { throw fail("needs at least one source") }
            for s in spec.sources where !nodes[s].givesVector {
                throw fail("source node \(s) is a sequence; a vector is needed")
            }
            let ss = spec.sources.map { sizes[$0] }
            if spec.type == "add" {
                guard Set(ss).count == 1 else { throw fail("add needs sources of one size, found \(ss)") }
                nodes[i] = .add(sources: spec.sources)
                sizes[i] = ss[0]
            } else {
                nodes[i] = .concatenate(sources: spec.sources)
                sizes[i] = ss.reduce(0, +)
            }
        default:
            throw fail("unknown node type '\(spec.type)'")
        }
        guard sizes[i] > 0, sizes[i] <= LWTNNJSONReader.maxElements else { throw fail("node has size \(sizes[i])") }
    }
}
