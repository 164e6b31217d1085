import Foundation
import SwiftProtobuf

/// Imports the ONNX subset the native engine runs (dense, convolutional and element-wise graphs) onto the
/// same IR as TensorFlow graphs, so one file can be compared across ONNX Runtime and hepml's engine.
public enum ONNXGraphImporter {
    public static func load(path: String) throws -> NativeGraph {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NativeEngineError.malformedModel("cannot read \((path as NSString).lastPathComponent)")
        }
        return try load(data: data)
    }

    public static func load(data: Data) throws -> NativeGraph {
        let model: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            model = try Onnx_ModelProto(serializedBytes: data, options: options)
        } catch {
            throw NativeEngineError.malformedModel("not an ONNX model (\(error))")
        }
        guard model.hasGraph, !model.graph.node.isEmpty else { throw NativeEngineError.malformedModel("the ONNX model has no graph") }
        let opset = Int(model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 13)
        return try build(model.graph, opset: opset)
    }

    static func build(_ g: Onnx_GraphProto, opset: Int) throws -> NativeGraph {
        let b = NativeGraphBuilder()
        var initialized = Set<String>()
        // Initializers of types the engine does not hold (strings, int32 lists) matter only if a supported
        // node reads them; then the load fails naming the value.
        for t in g.initializer {
            initialized.insert(t.name)
            guard let c = try? ONNXTensorDecoder.decode(t) else { continue }
            b.addConstant(t.name, c)
        }
        for i in g.input where !initialized.contains(i.name) {
            let tt = i.type.tensorType
            guard let dt = ONNXTensorDecoder.dataType(tt.elemType) else {
                throw NativeEngineError.invalidNode(node: i.name, reason: "input type \(tt.elemType) is not supported")
            }
            let shape = tt.shape.dim.map { d -> Int in
                if case let .dimValue(v)? = d.value, v > 0 { return Int(clamping: v) }
                return -1
            }
            b.addInput(name: i.name, value: i.name, shape: shape, dataType: dt)
        }
        for (k, n) in g.node.enumerated() {
            try ONNXOpTranslator.translate(n, index: k, opset: opset, into: b)
        }
        for o in g.output { b.addOutput(name: o.name, value: o.name) }
        var graph = try b.build()
        for n in g.node { graph.sourceOpHistogram[n.opType, default: 0] += 1 }
        return graph
    }
}

/// ONNX initializers and Constant values as native tensors.
enum ONNXTensorDecoder {
    static func dataType(_ t: Int32) -> NativeDataType? {
        switch t {
        case 1, 10, 11: return .float
        case 2, 3, 4, 5, 6, 7, 12, 13: return .int
        case 9: return .bool
        default: return nil
        }
    }

    static func decode(_ t: Onnx_TensorProto) throws -> NativeTensor? {
        let shape = t.dims.map { Int(clamping: $0) }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw NativeEngineError.malformedModel("tensor '\(t.name)' has shape \(shape)") }
        var n = 1
        for d in shape {
            let (m, o) = n.multipliedReportingOverflow(by: d)
            guard !o, m <= NativeLimits.maxElements else { throw NativeEngineError.malformedModel("tensor '\(t.name)' of shape \(shape) is too large") }
            n = m
        }
        let raw = t.rawData
        func load<T>(_: T.Type) throws -> [T] {
            guard raw.count == n * MemoryLayout<T>.size else {
                throw NativeEngineError.malformedModel("tensor '\(t.name)': \(raw.count) bytes for shape \(shape)")
            }
            return raw.withUnsafeBytes { p in (0..<n).map { p.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) } }
        }
        func check(_ count: Int) throws {
            guard count == n else { throw NativeEngineError.malformedModel("tensor '\(t.name)': \(count) values for shape \(shape)") }
        }
        switch t.dataType {
        case 1:
            if raw.isEmpty { try check(t.floatData.count); return NativeTensor(shape: shape, floats: t.floatData) }
            return NativeTensor(shape: shape, floats: try load(Float.self))
        case 11:
            if raw.isEmpty { try check(t.doubleData.count); return NativeTensor(shape: shape, floats: t.doubleData.map { Float($0) }) }
            return NativeTensor(shape: shape, floats: try load(Double.self).map { Float($0) })
        case 7:
            if raw.isEmpty { try check(t.int64Data.count); return NativeTensor(shape: shape, ints: t.int64Data.map { Int($0) }) }
            return NativeTensor(shape: shape, ints: try load(Int64.self).map { Int($0) })
        case 2, 3, 4, 5, 6:
            if raw.isEmpty { try check(t.int32Data.count); return NativeTensor(shape: shape, ints: t.int32Data.map { Int($0) }) }
            guard t.dataType == 6 else { return nil }
            return NativeTensor(shape: shape, ints: try load(Int32.self).map { Int($0) })
        case 9:
            return NativeTensor(shape: shape, storage: .bool(try load(UInt8.self).map { $0 != 0 }))
        default:
            return nil
        }
    }
}
