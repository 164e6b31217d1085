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
        guard let first = graph.nodes.first else { return values }
        let ctx = NativeKernelContext(plan: plan, workspace: workspace, node: first)
        var ins = [NativeTensor]()
        ins.reserveCapacity(8)
        for node in graph.nodes {
            ins.removeAll(keepingCapacity: true)
            for v in node.inputs {
                guard let t = values[v] else {
                    throw NativeEngineError.malformedModel("node '\(node.name)' reads '\(graph.valueNames[v])' before it is computed")
                }
                ins.append(t)
            }
            ctx.node = node
            let outs = try NativeKernels.run(node.op, ins, ctx)
            for (k, v) in node.outputs.enumerated() where k < outs.count { values[v] = outs[k] }
        }
        return values
    }
}
