/// Load-time shape inference by evaluation: the graph runs once with every free input dimension set to 1
/// and once set to 2 (zeros as data). Shape conflicts surface at load as errors naming the node; output
/// dimensions that follow the free input dimensions become -1; the value types found drive the memory plan.
enum NativeShapeProbe {
    static func infer(_ graph: inout NativeGraph) throws {
        let first = try NativeExecutor.evaluate(graph, inputs: probeInputs(graph, free: 1), workspace: nil, plan: nil)
        let second = try NativeExecutor.evaluate(graph, inputs: probeInputs(graph, free: 2), workspace: nil, plan: nil)
        var shapes = [[Int]](), types = [NativeDataType]()
        for o in graph.outputs {
            guard let a = first[o.value], let b = second[o.value] else {
                throw NativeEngineError.malformedModel("output '\(o.name)' is never computed")
            }
            shapes.append(a.shape.count == b.shape.count ? zip(a.shape, b.shape).map { $0 == $1 ? $0 : -1 } : a.shape.map { _ in -1 })
            types.append(a.dataType)
        }
        graph.outputShapes = shapes
        graph.outputTypes = types
        let kinds = first.map { $0?.dataType }
        graph.plan = NativeMemoryPlan.make(valueCount: graph.valueNames.count, inputs: graph.inputs.map(\.value),
                                           outputs: graph.outputs.map(\.value), nodes: graph.nodes,
                                           constants: graph.constants, isFloat: { kinds[$0] == .float })
    }

    private static func probeInputs(_ graph: NativeGraph, free: Int) throws -> [NativeTensor] {
        try graph.inputs.map { i in
            let shape = i.shape.map { $0 < 0 ? free : $0 }
            guard shape.elementCount <= NativeLimits.maxElements else {
                throw NativeEngineError.malformedModel("input '\(i.name)' of shape \(i.shape) is too large")
            }
            switch i.dataType {
            case .float: return NativeTensor(shape: shape, floats: [Float](repeating: 0, count: shape.elementCount))
            case .int: return NativeTensor(shape: shape, ints: [Int](repeating: 0, count: shape.elementCount))
            case .bool: return NativeTensor(shape: shape, storage: .bool([Bool](repeating: false, count: shape.elementCount)))
            }
        }
    }
}
