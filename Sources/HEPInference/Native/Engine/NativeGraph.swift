/// One operation of a native graph: reads values by id, writes values by id.
public struct NativeNode: Sendable {
    public var name: String
    public var op: NativeOp
    public var inputs: [Int]
    public var outputs: [Int]
}

/// A model input: its name in the source file, the value it feeds and its declared shape (-1: any size).
public struct NativeGraphInput: Sendable {
    public var name: String
    public var value: Int
    public var shape: [Int]
    public var dataType: NativeDataType
    /// Declared float64 in the source model: requests send FP64 (the engine computes in float32).
    public var float64 = false
}

/// A loaded, optimized graph: nodes in execution order, constants folded, fused where it pays, with the
/// shapes and element types of its outputs found at load and a memory plan. Immutable, so concurrent calls
/// share it.
public struct NativeGraph: Sendable {
    public var valueNames: [String]
    /// Constant values by value id (nil: computed at run time).
    var constants: [NativeTensor?]
    public var inputs: [NativeGraphInput]
    public var outputs: [(name: String, value: Int)]
    public var nodes: [NativeNode]
    /// Output shapes (-1: depends on the inputs) and types found by load-time shape inference.
    public var outputShapes: [[Int]] = []
    public var outputTypes: [NativeDataType] = []
    /// Indices of outputs declared float64 in the source model (answered as FP64).
    public var float64Outputs: Set<Int> = []
    var plan = NativeMemoryPlan(slotOfValue: [], slotCount: 0)
    /// Count of nodes per op type in the source file (before folding and fusion).
    public var sourceOpHistogram: [String: Int] = [:]
    /// Facts from the source file shown by inspection (e.g. a Keras model's class and layers).
    public var metadata: [(name: String, value: String)] = []

    /// Count of nodes per op kind, for inspection.
    public var opHistogram: [String: Int] {
        var h = [String: Int]()
        for n in nodes { h[n.op.kindName, default: 0] += 1 }
        return h
    }

    /// Number of float parameters in the constants the nodes read.
    public var parameterCount: Int {
        let used = Set(nodes.flatMap(\.inputs))
        return used.reduce(0) { acc, v in
            if let c = constants[v], case .float = c.storage { return acc + c.elementCount }
            return acc
        }
    }
}

extension NativeOp {
    /// A short kind name (the enum case), e.g. "conv2D".
    public var kindName: String {
        let s = "\(self)"
        return String(s.prefix { $0 != "(" })
    }

    /// Ops whose output shares input 0's storage (a new shape over the same elements).
    var aliasesInput: Bool {
        switch self {
        case .identity, .reshape, .flatten, .squeeze, .expandDims: return true
        default: return false
        }
    }
}
