import Foundation

extension ONNXGraphBuilder {
    /// An int64 tensor constant (shapes, axes, pads).
    mutating func int64Initializer(_ name: String, _ values: [Int], dims: [Int]? = nil) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = (dims ?? [values.count]).map(Int64.init)
        t.dataType = 7
        t.int64Data = values.map(Int64.init)
        graph.initializer.append(t)
    }

    /// A node with int-list and string attributes besides ints and floats.
    mutating func node(_ op: String, _ inputs: [String], _ outputs: [String], ints: [String: Int] = [:], floats: [String: Float] = [:],
                       lists: [String: [Int]], strings: [String: String] = [:]) {
        node(op, inputs, outputs, ints: ints, floats: floats)
        for (k, v) in lists.sorted(by: { $0.key < $1.key }) {
            var a = Onnx_AttributeProto()
            a.name = k
            a.type = .ints
            a.ints = v.map(Int64.init)
            graph.node[graph.node.count - 1].attribute.append(a)
        }
        for (k, v) in strings.sorted(by: { $0.key < $1.key }) {
            var a = Onnx_AttributeProto()
            a.name = k
            a.type = .string
            a.s = Data(v.utf8)
            graph.node[graph.node.count - 1].attribute.append(a)
        }
    }
}
