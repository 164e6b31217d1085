import Foundation

/// Turns TensorFlow `TensorProto` constants into native tensors: raw `tensor_content` or typed value lists
/// (a single listed value fills the whole shape).
enum TFTensorDecoder {
    static func shape(_ s: Tensorflow_TensorShapeProto) -> [Int] { s.dim.map { Int(clamping: $0.size) } }

    static func decode(_ t: Tensorflow_TensorProto, node: String) throws -> NativeTensor? {
        let shape = shape(t.tensorShape)
        guard shape.allSatisfy({ $0 >= 0 }) else { throw NativeEngineError.malformedModel("constant '\(node)' has shape \(shape)") }
        var n = 1
        for d in shape {
            let (m, o) = n.multipliedReportingOverflow(by: d)
            guard !o, m <= NativeLimits.maxElements else { throw NativeEngineError.malformedModel("constant '\(node)' of shape \(shape) is too large") }
            n = m
        }
        let content = t.tensorContent
        func raw<T>(_: T.Type) throws -> [T]? {
            guard !content.isEmpty else { return nil }
            guard content.count == n * MemoryLayout<T>.size else {
                throw NativeEngineError.malformedModel("constant '\(node)': \(content.count) bytes for shape \(shape)")
            }
            return content.withUnsafeBytes { b in (0..<n).map { b.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) } }
        }
        // TensorFlow's rule: the last listed value fills the rest; no values at all means zeros.
        func filled<T: Numeric>(_ v: [T]) throws -> [T] {
            if v.count == n { return v }
            guard v.count < n else { throw NativeEngineError.malformedModel("constant '\(node)': \(v.count) values for shape \(shape)") }
            return v + [T](repeating: v.last ?? 0, count: n - v.count)
        }
        func filledBools(_ v: [Bool]) throws -> [Bool] {
            guard v.count <= n else { throw NativeEngineError.malformedModel("constant '\(node)': \(v.count) values for shape \(shape)") }
            return v + [Bool](repeating: v.last ?? false, count: n - v.count)
        }
        switch t.dtype {
        case .dtFloat:
            return NativeTensor(shape: shape, floats: try raw(Float.self) ?? filled(t.floatVal))
        case .dtDouble:
            return NativeTensor(shape: shape, floats: (try raw(Double.self) ?? filled(t.doubleVal)).map { Float($0) })
        case .dtInt32:
            return NativeTensor(shape: shape, ints: (try raw(Int32.self) ?? filled(t.intVal)).map { Int($0) })
        case .dtInt16, .dtInt8, .dtUint8, .dtUint16:
            guard content.isEmpty else { return nil }
            return NativeTensor(shape: shape, ints: try filled(t.intVal).map { Int($0) })
        case .dtInt64:
            return NativeTensor(shape: shape, ints: (try raw(Int64.self) ?? filled(t.int64Val)).map { Int($0) })
        case .dtBool:
            let v = try raw(UInt8.self)?.map { $0 != 0 } ?? filledBools(t.boolVal)
            return NativeTensor(shape: shape, storage: .bool(v))
        default:
            return nil
        }
    }

    /// The native element type for a TensorFlow one (nil: not representable).
    static func dataType(_ t: Tensorflow_DataType) -> NativeDataType? {
        switch t {
        case .dtFloat, .dtDouble, .dtHalf, .dtBfloat16: return .float
        case .dtInt32, .dtInt64, .dtInt16, .dtInt8, .dtUint8, .dtUint16, .dtUint32, .dtUint64: return .int
        case .dtBool: return .bool
        default: return nil
        }
    }
}
