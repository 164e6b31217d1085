/// Collects a graph from an importer (values by name, nodes, constants, inputs, outputs) and turns it into
/// an executable `NativeGraph`: keeps only what the outputs need, orders the nodes, folds constants, fuses
/// layers, infers shapes and plans memory.
public final class NativeGraphBuilder {
    private var valueNames = [String]()
    private var valueIndex = [String: Int]()
    private var constants = [Int: NativeTensor]()
    private var inputs = [NativeGraphInput]()
    private var outputs = [(name: String, value: Int)]()
    private var nodes = [NativeNode]()
    private var float64Outputs = Set<Int>()

    public init() {}

    /// The id of the value called `name` (created on first use).
    @discardableResult
    public func value(_ name: String) -> Int {
        if let v = valueIndex[name] { return v }
        valueNames.append(name)
        valueIndex[name] = valueNames.count - 1
        return valueNames.count - 1
    }

    public func hasValue(_ name: String) -> Bool { valueIndex[name] != nil }

    public func addInput(name: String, value: String, shape: [Int], dataType: NativeDataType = .float, float64: Bool = false) {
        inputs.append(NativeGraphInput(name: name, value: self.value(value), shape: shape, dataType: dataType, float64: float64))
    }

    public func addConstant(_ value: String, _ tensor: NativeTensor) { constants[self.value(value)] = tensor }

    public func addNode(name: String, op: NativeOp, inputs: [String], outputs: [String]) {
        nodes.append(NativeNode(name: name, op: op, inputs: inputs.map { value($0) }, outputs: outputs.map { value($0) }))
    }

    public func addOutput(name: String, value: String, float64: Bool = false) {
        if float64 { float64Outputs.insert(outputs.count) }
        outputs.append((name, self.value(value)))
    }

    /// Constant value called `name`, if any (importers read attributes passed as tensors).
    public func constant(_ name: String) -> NativeTensor? { valueIndex[name].flatMap { constants[$0] } }

    public func build() throws -> NativeGraph {
        var graph = try buildSubgraph()
        try NativeShapeProbe.infer(&graph)
        return graph
    }

    /// The graph without load-time shape inference and memory plan: the body or condition of a loop, whose
    /// inputs' shapes are known only when it runs.
    public func buildSubgraph() throws -> NativeGraph {
        let order = try executionOrder()
        var graph = NativeGraph(valueNames: valueNames, constants: [], inputs: inputs, outputs: outputs, nodes: [])
        var folded = try foldConstants(order)
        folded = NativeFusion.fuse(folded, constants: &constants, outputs: Set(outputs.map(\.value)), newValue: { self.value($0) })
        graph.valueNames = valueNames
        graph.constants = (0..<valueNames.count).map { constants[$0] }
        graph.nodes = folded
        graph.float64Outputs = float64Outputs
        return graph
    }

    /// Nodes the outputs depend on, producers first. Fails on cycles, missing producers and double producers.
    private func executionOrder() throws -> [NativeNode] {
        guard !outputs.isEmpty else { throw NativeEngineError.malformedModel("the graph has no outputs") }
        var producer = [Int: Int]()
        for (i, n) in nodes.enumerated() {
            for o in n.outputs {
                if producer[o] != nil || constants[o] != nil {
                    throw NativeEngineError.malformedModel("value '\(valueNames[o])' is produced twice")
                }
                producer[o] = i
            }
        }
        let inputValues = Set(inputs.map(\.value))
        var state = [UInt8](repeating: 0, count: nodes.count) // 0 new, 1 on stack, 2 done
        var order = [NativeNode]()
        for out in outputs {
            guard let start = producer[out.value] else {
                if constants[out.value] != nil || inputValues.contains(out.value) { continue }
                throw NativeEngineError.malformedModel("output '\(out.name)' has no producer")
            }
            // Iterative depth-first search (deep graphs must not overflow the stack).
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            if state[start] == 2 { continue }
            state[start] = 1
            while var top = stack.popLast() {
                let n = nodes[top.node]
                if top.next < n.inputs.count {
                    let v = n.inputs[top.next]
                    top.next += 1
                    stack.append(top)
                    if constants[v] != nil || inputValues.contains(v) { continue }
                    guard let p = producer[v] else {
                        throw NativeEngineError.malformedModel("node '\(n.name)' reads '\(valueNames[v])', which nothing produces")
                    }
                    if state[p] == 1 { throw NativeEngineError.malformedModel("the graph has a cycle through '\(nodes[p].name)'") }
                    if state[p] == 0 {
                        state[p] = 1
                        stack.append((p, 0))
                    }
                } else {
                    state[top.node] = 2
                    order.append(n)
                }
            }
        }
        return order
    }

    /// Evaluates nodes whose inputs are all constants once, at load.
    private func foldConstants(_ order: [NativeNode]) throws -> [NativeNode] {
        var kept = [NativeNode]()
        for n in order {
            guard !n.inputs.isEmpty, n.inputs.allSatisfy({ constants[$0] != nil }) else {
                kept.append(n)
                continue
            }
            let ctx = NativeKernelContext(plan: nil, workspace: nil, node: n)
            let outs = try NativeKernels.run(n.op, n.inputs.compactMap { constants[$0] }, ctx)
            for (k, v) in n.outputs.enumerated() where k < outs.count { constants[v] = outs[k] }
        }
        return kept
    }
}
