/// Maps one TensorFlow node onto native IR nodes (or an input or constant).
enum TFOpTranslator {
    /// `inputName`: the name a Placeholder is exposed under (a SavedModel signature's key), default its node name.
    static func translate(_ n: Tensorflow_NodeDef, into b: NativeGraphBuilder, inputName: String? = nil) throws {
        let a = TFAttributes(node: n)
        let ins = n.input.filter { !$0.hasPrefix("^") }.map(TFGraphImporter.valueName)
        func node(_ op: NativeOp, inputs: [String]? = nil, outputs: Int = 1) {
            b.addNode(name: n.name, op: op, inputs: inputs ?? ins, outputs: (0..<outputs).map { $0 == 0 ? n.name : "\(n.name):\($0)" })
        }
        switch n.op {
        case "Placeholder":
            let dtype = a.type("dtype")
            if dtype == .dtResource || dtype == .dtVariant { return }
            guard let t = TFTensorDecoder.dataType(dtype) else {
                throw NativeEngineError.invalidNode(node: n.name, reason: "input type \(dtype) is not supported")
            }
            guard let shape = a.shape("shape") else {
                throw NativeEngineError.invalidNode(node: n.name, reason: "input of unknown rank")
            }
            b.addInput(name: inputName ?? n.name, value: n.name, shape: shape, dataType: t, float64: dtype == .dtDouble)
        case "Const":
            guard let t = n.attr["value"], case let .tensor(proto)? = t.value else {
                throw NativeEngineError.malformedModel("Const '\(n.name)' has no value")
            }
            if let c = try TFTensorDecoder.decode(proto, node: n.name) { b.addConstant(n.name, c) }
        case "NoOp", "Assert", "VarHandleOp", "VariableV2", "VarIsInitializedOp", "AssignVariableOp":
            // Variables become constants (SavedModel importer); the rest carries no data.
            return
        case "Identity", "StopGradient", "Snapshot", "PreventGradient", "CheckNumerics", "EnsureShape", "PlaceholderWithDefault":
            node(.identity, inputs: Array(ins.prefix(1)))
        case "MatMul":
            node(.matMul(transposeA: a.bool("transpose_a"), transposeB: a.bool("transpose_b")))
        case "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3":
            node(.matMul(transposeA: a.bool("adj_x"), transposeB: a.bool("adj_y")))
        case "BiasAdd", "BiasAddV1":
            node(.biasAdd(axis: a.string("data_format") == "NCHW" ? 1 : -1))
        case "Softmax": node(.softmax(axis: -1, log: false))
        case "LogSoftmax": node(.softmax(axis: -1, log: true))
        case "Conv2D", "DepthwiseConv2dNative":
            node(.conv2D(NativeConvolution(layout: try nhwc(a, n), strides: try a.spatial("strides", n), dilations: try a.spatial("dilations", n, default: 1),
                                           padding: try padding(a, n), depthwise: n.op == "DepthwiseConv2dNative")))
        case "MaxPool", "AvgPool":
            node(.pool(NativePooling(max: n.op == "MaxPool", layout: try nhwc(a, n), window: try a.spatial("ksize", n),
                                     strides: try a.spatial("strides", n), padding: try padding(a, n))))
        case "Mean", "Sum", "Max", "Min", "Prod":
            let kind: NativeReduction = ["Mean": .mean, "Sum": .sum, "Max": .max, "Min": .min][n.op] ?? .prod
            node(.reduce(kind, axes: nil, keepDims: a.bool("keep_dims")))
        case "Reshape": node(.reshape(shape: nil, copyZeros: false))
        case "Squeeze": node(.squeeze(axes: a.ints("squeeze_dims")))
        case "ExpandDims": node(.expandDims(axes: nil))
        case "ConcatV2": node(.concat(axis: nil))
        case "Pack": node(.pack(axis: a.int("axis")))
        case "Unpack": node(.unpack(axis: a.int("axis"), count: a.int("num")), outputs: max(a.int("num"), 1))
        case "Split":
            let k = a.int("num_split")
            node(.split(axis: nil, count: k), outputs: max(k, 1))
        case "Shape": node(.shape)
        case "Cast":
            guard let t = TFTensorDecoder.dataType(a.type("DstT")) else {
                throw NativeEngineError.invalidNode(node: n.name, reason: "cast to \(a.type("DstT")) is not supported")
            }
            node(.cast(t))
        case "StridedSlice":
            node(.stridedSlice(NativeStridedSlice(beginMask: a.int("begin_mask"), endMask: a.int("end_mask"), ellipsisMask: a.int("ellipsis_mask"),
                                                  newAxisMask: a.int("new_axis_mask"), shrinkAxisMask: a.int("shrink_axis_mask"))))
        case "Slice": node(.slice)
        case "Transpose": node(.transpose(perm: nil))
        case "Pad", "PadV2": node(.pad)
        case "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3":
            guard !a.bool("is_training") else { throw NativeEngineError.invalidNode(node: n.name, reason: "batch norm in training mode") }
            node(.batchNorm(epsilon: a.float("epsilon", default: 0.001), axis: a.string("data_format") == "NCHW" ? 1 : -1))
        case "GatherV2": node(.gather(axis: nil))
        case "Gather": node(.gather(axis: 0))
        case "Tile": node(.tile)
        case "Fill": node(.fill)
        case "Select", "SelectV2": node(.select)
        case "Range": node(.range)
        case "ReadVariableOp": node(.identity, inputs: Array(ins.prefix(1)))
        case "IdentityN":
            for (k, x) in ins.enumerated() {
                b.addNode(name: "\(n.name)/\(k)", op: .identity, inputs: [x], outputs: [k == 0 ? n.name : "\(n.name):\(k)"])
            }
        case "TensorListReserve": node(.tensorList(.reserve))
        case "TensorListFromTensor": node(.tensorList(.fromTensor))
        case "TensorListGetItem": node(.tensorList(.getItem))
        case "TensorListSetItem": node(.tensorList(.setItem))
        case "TensorListStack": node(.tensorList(.stack))
        case "TensorListLength": node(.tensorList(.length))
        case "ZerosLike", "OnesLike":
            let shape = "\(n.name)/shape", value = "\(n.name)/value"
            b.addNode(name: shape, op: .shape, inputs: Array(ins.prefix(1)), outputs: [shape])
            b.addConstant(value, NativeTensor(shape: [], floats: [n.op == "OnesLike" ? 1 : 0]))
            node(.fill, inputs: [shape, value])
        case "AddN":
            guard let first = ins.first else { throw NativeEngineError.invalidNode(node: n.name, reason: "AddN of nothing") }
            var acc = first
            for (k, x) in ins.dropFirst().enumerated() {
                let out = k == ins.count - 2 ? n.name : "\(n.name)/partial\(k)"
                b.addNode(name: out, op: .binary(.add), inputs: [acc, x], outputs: [out])
                acc = out
            }
            if ins.count == 1 { node(.identity, inputs: [first]) }
        case "LeakyRelu": node(.unary(.leakyRelu(a.float("alpha", default: 0.2))))
        case "Elu": node(.unary(.elu(1)))
        default:
            if let op = binary[n.op] { node(.binary(op)); return }
            if let f = unary[n.op] { node(.unary(f)); return }
            throw NativeEngineError.unsupportedOp(op: n.op, node: n.name)
        }
    }

    static let binary: [String: NativeBinaryOp] = [
        "Add": .add, "AddV2": .add, "Sub": .sub, "Mul": .mul, "RealDiv": .div, "Div": .div, "Maximum": .maximum,
        "Minimum": .minimum, "Pow": .pow, "SquaredDifference": .squaredDifference, "FloorDiv": .floorDiv,
        "FloorMod": .floorMod, "Greater": .greater, "GreaterEqual": .greaterEqual, "Less": .less, "LessEqual": .lessEqual,
        "Equal": .equal, "NotEqual": .notEqual, "LogicalAnd": .logicalAnd, "LogicalOr": .logicalOr,
    ]

    static let unary: [String: NativeActivation] = [
        "Relu": .relu, "Relu6": .relu6, "Selu": .selu, "Sigmoid": .sigmoid, "Tanh": .tanh, "Softplus": .softplus,
        "Exp": .exp, "Log": .log, "Sqrt": .sqrt, "Rsqrt": .rsqrt, "Square": .square, "Neg": .negate, "Abs": .abs,
        "Reciprocal": .reciprocal, "Inv": .reciprocal, "Erf": .erf, "Floor": .floor, "Ceil": .ceil, "Sign": .sign,
        "LogicalNot": .logicalNot,
    ]

    private static func nhwc(_ a: TFAttributes, _ n: Tensorflow_NodeDef) throws -> NativeImageLayout {
        let f = a.string("data_format")
        guard f.isEmpty || f == "NHWC" else {
            throw NativeEngineError.invalidNode(node: n.name, reason: "data_format \(f) is not supported (NHWC only)")
        }
        return .nhwc
    }

    private static func padding(_ a: TFAttributes, _ n: Tensorflow_NodeDef) throws -> NativePadding {
        switch a.string("padding") {
        case "SAME": return .same
        case "VALID": return .valid
        case "EXPLICIT":
            let p = a.ints("explicit_paddings")
            guard p.count == 8, p.allSatisfy({ $0 >= 0 }) else {
                throw NativeEngineError.invalidNode(node: n.name, reason: "explicit_paddings \(p)")
            }
            return .explicit(top: p[2], left: p[4], bottom: p[3], right: p[5])
        case let other: throw NativeEngineError.invalidNode(node: n.name, reason: "padding '\(other)'")
        }
    }
}

/// Typed access to a node's attributes, with TensorFlow's defaults for missing ones.
struct TFAttributes {
    let node: Tensorflow_NodeDef

    func value(_ k: String) -> Tensorflow_AttrValue.OneOf_Value? { node.attr[k]?.value }

    func bool(_ k: String) -> Bool { if case let .b(v)? = value(k) { return v }; return false }
    func int(_ k: String) -> Int { if case let .i(v)? = value(k) { return Int(clamping: v) }; return 0 }
    func float(_ k: String, default d: Float) -> Float { if case let .f(v)? = value(k) { return v }; return d }
    func string(_ k: String) -> String { if case let .s(v)? = value(k) { return String(decoding: v, as: UTF8.self) }; return "" }
    func type(_ k: String) -> Tensorflow_DataType { if case let .type(v)? = value(k) { return v }; return .dtInvalid }
    func ints(_ k: String) -> [Int] { if case let .list(l)? = value(k) { return l.i.map { Int(clamping: $0) } }; return [] }

    /// A shape attribute (-1 for unknown dimensions; nil for unknown rank).
    func shape(_ k: String) -> [Int]? {
        guard case let .shape(s)? = value(k) else { return nil }
        return s.unknownRank ? nil : TFTensorDecoder.shape(s)
    }

    /// The (height, width) entries of an NHWC 4-list such as strides or ksize.
    func spatial(_ k: String, _ n: Tensorflow_NodeDef, default d: Int? = nil) throws -> (Int, Int) {
        let v = ints(k)
        if v.isEmpty, let d { return (d, d) }
        guard v.count == 4, v[1] > 0, v[2] > 0, v[1] < 1 << 16, v[2] < 1 << 16 else {
            throw NativeEngineError.invalidNode(node: n.name, reason: "\(k) \(v)")
        }
        return (v[1], v[2])
    }
}
