/// A value flowing through a native graph: a shape and row-major storage. Data tensors are float32 in
/// `FloatBuffer`s (planned, reused); shape and index tensors are small `Int` arrays; comparisons give `Bool`s.
public struct NativeTensor: @unchecked Sendable {
    public enum Storage {
        case float(FloatBuffer)
        case int([Int])
        case bool([Bool])
    }

    public var shape: [Int]
    public var storage: Storage

    public init(shape: [Int], storage: Storage) {
        self.shape = shape
        self.storage = storage
    }

    /// A constant float tensor holding `values`.
    public init(shape: [Int], floats: [Float]) {
        self.init(shape: shape, storage: .float(FloatBuffer(floats)))
    }

    public init(shape: [Int], ints: [Int]) { self.init(shape: shape, storage: .int(ints)) }

    public var elementCount: Int { shape.elementCount }

    public var dataType: NativeDataType {
        switch storage {
        case .float: return .float
        case .int: return .int
        case .bool: return .bool
        }
    }

    /// The float buffer, or an error naming `node` when this is not a float tensor.
    func floatBuffer(_ node: String) throws -> FloatBuffer {
        if case let .float(b) = storage { return b }
        throw NativeEngineError.invalidNode(node: node, reason: "expected a float tensor, got \(dataType)")
    }

    /// The values as Ints (float values truncated), for shape and index operands.
    func ints() -> [Int] {
        switch storage {
        case let .int(v): return v
        case let .bool(v): return v.map { $0 ? 1 : 0 }
        case let .float(b): return (0..<elementCount).map { i in
            let x = b.pointer[i]
            return x.isFinite && abs(x) < 9e18 ? Int(x) : 0
        }
        }
    }

    /// The values as Floats (a copy).
    func floats() -> [Float] {
        switch storage {
        case let .float(b): return b.array(count: elementCount)
        case let .int(v): return v.map { Float($0) }
        case let .bool(v): return v.map { $0 ? 1 : 0 }
        }
    }
}

/// Element types of native tensors.
public enum NativeDataType: String, Sendable, Equatable {
    case float, int, bool
}

extension Array where Element == Int {
    /// Product of the dimensions (1 for a scalar).
    var elementCount: Int { reduce(1, *) }
}
