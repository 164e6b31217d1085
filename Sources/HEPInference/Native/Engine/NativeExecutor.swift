/// Runs a graph's nodes in order over a workspace.
enum NativeExecutor {
    /// Evaluates `graph` for `inputs` (one per graph input, in order). With a workspace, outputs live in its
    /// buffers: read them before the workspace is reused.
    static func run(_ graph: NativeGraph, inputs: [NativeTensor], workspace: NativeWorkspace?,
                    plan: NativeMemoryPlan?) throws -> [NativeTensor] {
        let values = try evaluate(graph, inputs: inputs, workspace: workspace, plan: plan)
        return try graph.outputs.map { o in
            guard let v = values[o.value] else { throw NativeEngineError.malformedModel("output '\(o.name)' is never computed") }
            return v
        }
    }

    /// All values of one evaluation, by value id.
    static func evaluate(_ graph: NativeGraph, inputs: [NativeTensor], workspace: NativeWorkspace?,
                         plan: NativeMemoryPlan?) throws -> [NativeTensor?] {
        var values = graph.constants
        for (spec, t) in zip(graph.inputs, inputs) { values[spec.value] = t }
        let ctx = NativeKernelContext(plan: plan, workspace: workspace)
        var ins = [NativeTensor]()
        ins.reserveCapacity(8)
        try graph.nodes.withUnsafeBufferPointer { nodes in
            for i in 0..<nodes.count {
                ins.removeAll(keepingCapacity: true)
                for v in nodes[i].inputs {
                    guard let t = values[v] else {
                        throw NativeEngineError.malformedModel("node '\(nodes[i].name)' reads '\(graph.valueNames[v])' before it is computed")
                    }
                    ins.append(t)
                }
                ctx.at(nodes, i)
                let outs = try NativeKernels.run(nodes[i].op, ins, ctx)
                for (k, v) in nodes[i].outputs.enumerated() where k < outs.count { values[v] = outs[k] }
            }
        }
        return values
    }
}
