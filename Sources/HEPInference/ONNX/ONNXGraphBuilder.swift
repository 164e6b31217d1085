import Foundation
import SwiftProtobuf

/// Builds small ONNX models: float initializers, nodes with attributes, typed inputs and outputs.
public struct ONNXGraphBuilder {
    var graph = Onnx_GraphProto()
    public let opset: Int64

    public init(name: String, opset: Int64 = 13) {
        graph.name = name
        self.opset = opset
    }

    /// A float tensor constant.
    public mutating func initializer(_ name: String, dims: [Int], values: [Float]) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = dims.map(Int64.init)
        t.dataType = 1
        t.rawData = values.withUnsafeBytes { Data($0) }
        graph.initializer.append(t)
    }

    /// A node; attributes are ints, floats or int lists.
    public mutating func node(_ op: String, _ inputs: [String], _ outputs: [String], ints: [String: Int] = [:],
                              floats: [String: Float] = [:]) {
        var n = Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        n.output = outputs
        n.name = "\(op)_\(graph.node.count)"
        for (k, v) in ints.sorted(by: { $0.key < $1.key }) {
            var a = Onnx_AttributeProto()
            a.name = k
            a.type = .int
            a.i = Int64(v)
            n.attribute.append(a)
        }
        for (k, v) in floats.sorted(by: { $0.key < $1.key }) {
            var a = Onnx_AttributeProto()
            a.name = k
            a.type = .float
            a.f = v
            n.attribute.append(a)
        }
        graph.node.append(n)
    }

    static func valueInfo(_ name: String, elementType: Int32, dims: [Int?]) -> Onnx_ValueInfoProto {
        var v = Onnx_ValueInfoProto()
        v.name = name
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = elementType
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = Int64(d) } else { dim.dimParam = "N" }
            return dim
        }
        tensor.shape = shape
        v.type.tensorType = tensor
        return v
    }

    /// A float graph input (`nil` dimensions are dynamic, named `N`).
    public mutating func input(_ name: String, dims: [Int?]) { graph.input.append(Self.valueInfo(name, elementType: 1, dims: dims)) }

    /// A float graph output.
    public mutating func output(_ name: String, dims: [Int?]) { graph.output.append(Self.valueInfo(name, elementType: 1, dims: dims)) }

    /// The serialized model.
    public func build(producer: String, version: String, metadata: [String: String] = [:]) throws -> [UInt8] {
        var m = Onnx_ModelProto()
        m.irVersion = 8
        m.producerName = producer
        m.producerVersion = version
        var op = Onnx_OperatorSetIdProto()
        op.domain = ""
        op.version = opset
        m.opsetImport = [op]
        m.graph = graph
        m.metadataProps = metadata.sorted { $0.key < $1.key }.map { k, v in
            var e = Onnx_StringStringEntryProto()
            e.key = k
            e.value = v
            return e
        }
        return try m.serializedBytes()
    }
}
