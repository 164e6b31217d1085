import Foundation

/// Writes a loaded native graph (TensorFlow frozen graph or SavedModel, Keras, ONNX subset) as an ONNX model
/// (opset 13) through `ONNXGraphBuilder`, so ONNX Runtime and other ONNX servers run it. The float data path is
/// written op by op (NHWC convolutions and pooling between Transposes); shape arithmetic on ints is evaluated at
/// two batch sizes and written as constants (a batch-dependent Reshape target copies that dimension). Loops and
/// ops without an ONNX counterpart here are errors naming the node.
public enum NativeGraphONNXWriter {
    public static func onnx(_ graph: NativeGraph, name: String, producerVersion: String) throws -> [UInt8] {
        var w = try Writer(graph, name: name)
        try w.write()
        return try w.b.build(producer: "hepml", version: producerVersion, metadata: ["hepml.source": name])
    }

    struct Writer {
        let graph: NativeGraph
        var b: ONNXGraphBuilder
        /// Every value at batch 1 and batch 2 (probe runs with zero inputs).
        let one: [NativeTensor?], two: [NativeTensor?]
        var written = Set<Int>()
        var counter = 0

        init(_ graph: NativeGraph, name: String) throws {
            self.graph = graph
            b = ONNXGraphBuilder(name: name)
            one = try NativeExecutor.evaluate(graph, inputs: Self.probe(graph, 1), workspace: nil, plan: nil)
            two = try NativeExecutor.evaluate(graph, inputs: Self.probe(graph, 2), workspace: nil, plan: nil)
        }

        static func probe(_ g: NativeGraph, _ free: Int) throws -> [NativeTensor] {
            try g.inputs.map { i in
                guard i.dataType == .float else { throw NativeEngineError.invalidNode(node: i.name, reason: "only float inputs can be written as ONNX") }
                let shape = i.shape.map { $0 < 0 ? free : $0 }
                return NativeTensor(shape: shape, floats: [Float](repeating: 0, count: shape.elementCount))
            }
        }

        func fail(_ n: NativeNode, _ why: String) -> NativeEngineError { .invalidNode(node: n.name, reason: "cannot write as ONNX: \(why)") }

        mutating func fresh(_ hint: String) -> String {
            counter += 1
            return "\(hint)__\(counter)"
        }

        func name(_ v: Int) -> String { graph.valueNames[v] }

        /// A float constant as an initializer (once).
        mutating func constant(_ v: Int) throws -> String {
            if !written.contains(v), let c = graph.constants[v] {
                guard case .float = c.storage else { throw NativeEngineError.malformedModel("'\(name(v))' is not a float constant") }
                b.initializer(name(v), dims: c.shape, values: c.floats())
                written.insert(v)
            }
            return name(v)
        }

        /// A float operand: a constant or a value already written.
        mutating func operand(_ v: Int, _ n: NativeNode) throws -> String {
            if graph.constants[v] != nil { return try constant(v) }
            guard written.contains(v) else { throw fail(n, "'\(name(v))' is computed by ops that are not written (int shape arithmetic feeding float data)") }
            return name(v)
        }

        /// The int values of an operand that must not depend on the batch size.
        func fixedInts(_ v: Int, _ n: NativeNode) throws -> [Int] {
            guard let a = one[v]?.ints(), let c = two[v]?.ints() else { throw fail(n, "'\(name(v))' is never computed") }
            guard a == c else { throw fail(n, "'\(name(v))' depends on the batch size") }
            return a
        }

        func rank(_ v: Int) -> Int { one[v]?.shape.count ?? 0 }

        mutating func ints(_ values: [Int], _ hint: String) -> String {
            let n = fresh(hint)
            b.int64Initializer(n, values)
            return n
        }

        mutating func floatConstant(_ values: [Float], dims: [Int], _ hint: String) -> String {
            let n = fresh(hint)
            b.initializer(n, dims: dims, values: values)
            return n
        }

        mutating func write() throws {
            for i in graph.inputs {
                b.input(i.name, dims: i.shape.map { $0 < 0 ? nil : $0 })
                if i.name != name(i.value) { b.node("Identity", [i.name], [name(i.value)]) }
                written.insert(i.value)
            }
            for n in graph.nodes {
                // Int and bool values (shape arithmetic) are not written: their readers take them as constants.
                guard n.outputs.contains(where: { one[$0]?.dataType == .float }) else { continue }
                try node(n)
                written.formUnion(n.outputs)
            }
            for (k, o) in graph.outputs.enumerated() {
                let src = graph.constants[o.value] != nil ? try constant(o.value) : name(o.value)
                guard written.contains(o.value) else { throw NativeEngineError.malformedModel("output '\(o.name)' is not a float value") }
                if src != o.name { b.node("Identity", [src], [o.name]) }
                let shape = k < graph.outputShapes.count ? graph.outputShapes[k] : []
                b.output(o.name, dims: shape.map { $0 < 0 ? nil : $0 })
            }
        }

        mutating func activation(_ a: NativeActivation, _ x: String, _ out: String, _ n: NativeNode) throws {
            switch a {
            case .none: b.node("Identity", [x], [out])
            case .relu: b.node("Relu", [x], [out])
            case .sigmoid: b.node("Sigmoid", [x], [out])
            case .tanh: b.node("Tanh", [x], [out])
            case .relu6:
                let lo = floatConstant([0], dims: [], "zero"), hi = floatConstant([6], dims: [], "six")
                b.node("Clip", [x, lo, hi], [out])
            case let .elu(alpha): b.node("Elu", [x], [out], floats: ["alpha": alpha])
            case .selu: b.node("Selu", [x], [out])
            case .softplus: b.node("Softplus", [x], [out])
            case let .leakyRelu(alpha): b.node("LeakyRelu", [x], [out], floats: ["alpha": alpha])
            case let .hardSigmoid(alpha, beta): b.node("HardSigmoid", [x], [out], floats: ["alpha": alpha, "beta": beta])
            case .exp: b.node("Exp", [x], [out])
            case .log: b.node("Log", [x], [out])
            case .sqrt: b.node("Sqrt", [x], [out])
            case .rsqrt:
                let s = fresh("sqrt")
                b.node("Sqrt", [x], [s])
                b.node("Reciprocal", [s], [out])
            case .square: b.node("Mul", [x, x], [out])
            case .negate: b.node("Neg", [x], [out])
            case .abs: b.node("Abs", [x], [out])
            case .reciprocal: b.node("Reciprocal", [x], [out])
            case .erf: b.node("Erf", [x], [out])
            case .floor: b.node("Floor", [x], [out])
            case .ceil: b.node("Ceil", [x], [out])
            case .sign: b.node("Sign", [x], [out])
            case .logicalNot: throw fail(n, "logical not on float data")
            }
        }

        func padding(_ p: NativePadding) -> (lists: [String: [Int]], strings: [String: String]) {
            switch p {
            case .same: return ([:], ["auto_pad": "SAME_UPPER"])
            case .valid: return ([:], ["auto_pad": "VALID"])
            case let .explicit(top, left, bottom, right): return (["pads": [top, left, bottom, right]], [:])
            }
        }

        mutating func node(_ n: NativeNode) throws {
            let out = name(n.outputs[0])
            guard let x = n.inputs.first else { throw fail(n, "no inputs") }
            switch n.op {
            case .identity:
                b.node("Identity", [try operand(x, n)], [out])
            case let .dense(tb, act):
                guard let w = graph.constants[n.inputs[1]], w.shape.count == 2 else { throw fail(n, "dense weights are not a constant matrix") }
                var weight = try constant(n.inputs[1])
                if tb {
                    weight = floatConstant(transpose2D(w.floats(), w.shape[0], w.shape[1]), dims: [w.shape[1], w.shape[0]], "weight")
                }
                var y = fresh("matmul")
                b.node("MatMul", [try operand(x, n), weight], [y])
                if n.inputs.count > 2 {
                    let biased = fresh("biased")
                    b.node("Add", [y, try operand(n.inputs[2], n)], [biased])
                    y = biased
                }
                try activation(act, y, out, n)
            case let .matMul(ta, tb):
                guard !ta else { throw fail(n, "transposed first operand") }
                var rhs = try operand(n.inputs[1], n)
                if tb {
                    let r = rank(n.inputs[1])
                    let t = fresh("transposed")
                    b.node("Transpose", [rhs], [t], lists: ["perm": Array(0..<(r - 2)) + [r - 1, r - 2]])
                    rhs = t
                }
                b.node("MatMul", [try operand(x, n), rhs], [out])
            case let .gemm(alpha, beta, ta, tb):
                b.node("Gemm", try n.inputs.map { try operand($0, n) }, [out], ints: ["transA": ta ? 1 : 0, "transB": tb ? 1 : 0],
                       floats: ["alpha": alpha, "beta": beta])
            case let .biasAdd(axis):
                var bias = try operand(n.inputs[1], n)
                let r = rank(x)
                if axis != -1, axis != r - 1, let c = graph.constants[n.inputs[1]] {
                    bias = floatConstant(c.floats(), dims: [c.elementCount] + [Int](repeating: 1, count: r - 1 - (axis < 0 ? axis + r : axis)), "bias")
                }
                b.node("Add", [try operand(x, n), bias], [out])
            case let .binary(op):
                let ins = try n.inputs.map { try operand($0, n) }
                let names: [NativeBinaryOp: String] = [.add: "Add", .sub: "Sub", .mul: "Mul", .div: "Div", .maximum: "Max", .minimum: "Min", .pow: "Pow"]
                if let o = names[op] {
                    b.node(o, ins, [out])
                } else if op == .squaredDifference {
                    let d = fresh("difference")
                    b.node("Sub", ins, [d])
                    b.node("Mul", [d, d], [out])
                } else {
                    throw fail(n, "binary op \(op)")
                }
            case let .unary(a):
                try activation(a, try operand(x, n), out, n)
            case let .softmax(axis, log):
                b.node(log ? "LogSoftmax" : "Softmax", [try operand(x, n)], [out], ints: ["axis": axis])
            case let .conv2D(c):
                try conv(n, c, out)
            case let .pool(p):
                try pool(n, p, out)
            case let .reduce(kind, axes, keep):
                let given = try axes ?? fixedInts(n.inputs[1], n)
                let all = given.isEmpty ? Array(0..<rank(x)) : given
                let op = ["mean": "ReduceMean", "sum": "ReduceSum", "max": "ReduceMax", "min": "ReduceMin", "prod": "ReduceProd"][kind.rawValue] ?? "ReduceMean"
                if kind == .sum {
                    b.node(op, [try operand(x, n), ints(all, "axes")], [out], ints: ["keepdims": keep ? 1 : 0])
                } else {
                    b.node(op, [try operand(x, n)], [out], ints: ["keepdims": keep ? 1 : 0], lists: ["axes": all])
                }
            case let .batchNorm(eps, axis):
                let params = n.inputs[1...4].compactMap { graph.constants[$0]?.floats() }
                guard params.count == 4 else { throw fail(n, "batch-norm parameters are not constants") }
                let c = params[0].count
                let scale = (0..<c).map { params[0][$0] / (params[3][$0] + eps).squareRoot() }
                let shift = (0..<c).map { params[1][$0] - params[2][$0] * scale[$0] }
                let r = rank(x), a = axis < 0 ? axis + r : axis
                let dims = [c] + [Int](repeating: 1, count: r - 1 - a)
                let m = fresh("scaled")
                b.node("Mul", [try operand(x, n), floatConstant(scale, dims: dims, "scale")], [m])
                b.node("Add", [m, floatConstant(shift, dims: dims, "shift")], [out])
            case .reshape, .flatten, .squeeze, .expandDims:
                // The target shape at batch 1 and 2: dimensions that follow the batch copy the input's (0).
                guard let a = one[n.outputs[0]]?.shape, let c = two[n.outputs[0]]?.shape, let xa = one[x]?.shape else { throw fail(n, "unknown shape") }
                let target = zip(a, c).enumerated().map { i, d in d.0 == d.1 ? d.0 : (i < xa.count && one[x]?.shape[i] == d.0 && two[x]?.shape[i] == d.1 ? 0 : -1) }
                guard target.filter({ $0 == -1 }).count <= 1 else { throw fail(n, "reshape target with more than one batch-dependent dimension") }
                b.node("Reshape", [try operand(x, n), ints(target, "shape")], [out])
            case let .transpose(perm):
                var p = try perm ?? fixedInts(n.inputs[1], n)
                if p.isEmpty { p = Array((0..<rank(x)).reversed()) }
                b.node("Transpose", [try operand(x, n)], [out], lists: ["perm": p])
            case let .concat(axis):
                let parts = axis == nil ? Array(n.inputs.dropLast()) : n.inputs
                let a = try axis ?? fixedInts(n.inputs[n.inputs.count - 1], n).first ?? 0
                b.node("Concat", try parts.map { try operand($0, n) }, [out], ints: ["axis": a])
            case let .pack(axis):
                let r = rank(x) + 1, a = axis < 0 ? axis + r : axis
                var parts = [String]()
                for v in n.inputs {
                    let u = fresh("unsqueezed")
                    b.node("Unsqueeze", [try operand(v, n), ints([a], "axes")], [u])
                    parts.append(u)
                }
                b.node("Concat", parts, [out], ints: ["axis": a])
            case let .cast(to) where to == .float:
                b.node(one[x]?.dataType == .float ? "Identity" : "Cast", [try operand(x, n)], [out], ints: one[x]?.dataType == .float ? [:] : ["to": 1])
            case .pad:
                let p = try fixedInts(n.inputs[1], n)
                let r = p.count / 2
                let pads = (0..<r).map { p[2 * $0] } + (0..<r).map { p[2 * $0 + 1] }
                var ins = [try operand(x, n), ints(pads, "pads")]
                if n.inputs.count > 2, let v = graph.constants[n.inputs[2]]?.floats().first { ins.append(floatConstant([v], dims: [], "value")) }
                b.node("Pad", ins, [out])
            case .loop:
                throw fail(n, "while-loops are not written as ONNX yet")
            default:
                throw fail(n, "op \(n.op.kindName) is not written as ONNX yet")
            }
        }

        mutating func conv(_ n: NativeNode, _ c: NativeConvolution, _ out: String) throws {
            guard let w = graph.constants[n.inputs[1]], w.shape.count == 4 else { throw fail(n, "convolution filter is not a constant") }
            let nhwc = c.layout == .nhwc
            var filter = nhwc ? "" : try constant(n.inputs[1])
            var group = c.groups
            if nhwc {
                let (kh, kw, ci, co) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
                let v = w.floats()
                var oihw = [Float](repeating: 0, count: v.count)
                let outChannels = c.depthwise ? ci * co : co, inPerGroup = c.depthwise ? 1 : ci
                for h in 0..<kh {
                    for x in 0..<kw {
                        for i in 0..<ci {
                            for o in 0..<co {
                                let (oc, ic) = c.depthwise ? (i * co + o, 0) : (o, i)
                                oihw[((oc * inPerGroup + ic) * kh + h) * kw + x] = v[((h * kw + x) * ci + i) * co + o]
                            }
                        }
                    }
                }
                filter = floatConstant(oihw, dims: [outChannels, inPerGroup, kh, kw], "filter")
                if c.depthwise { group = ci }
            }
            var ins = [try operand(n.inputs[0], n), filter]
            if n.inputs.count > 2 { ins.append(try operand(n.inputs[2], n)) }
            if nhwc {
                let t = fresh("nchw")
                b.node("Transpose", [ins[0]], [t], lists: ["perm": [0, 3, 1, 2]])
                ins[0] = t
            }
            let pad = padding(c.padding)
            let y = fresh("conv"), act = fresh("activated")
            b.node("Conv", ins, [y], ints: ["group": group],
                   lists: pad.lists.merging(["strides": [c.strides.0, c.strides.1], "dilations": [c.dilations.0, c.dilations.1]]) { a, _ in a },
                   strings: pad.strings)
            try activation(c.activation, y, nhwc ? act : out, n)
            if nhwc { b.node("Transpose", [act], [out], lists: ["perm": [0, 2, 3, 1]]) }
        }

        mutating func pool(_ n: NativeNode, _ p: NativePooling, _ out: String) throws {
            var x = try operand(n.inputs[0], n)
            let nhwc = p.layout == .nhwc
            if nhwc {
                let t = fresh("nchw")
                b.node("Transpose", [x], [t], lists: ["perm": [0, 3, 1, 2]])
                x = t
            }
            let y = nhwc ? fresh("pooled") : out
            if p.global {
                b.node(p.max ? "GlobalMaxPool" : "GlobalAveragePool", [x], [y])
            } else {
                let pad = padding(p.padding)
                b.node(p.max ? "MaxPool" : "AveragePool", [x], [y], ints: p.max ? [:] : ["count_include_pad": p.countPadding ? 1 : 0],
                       lists: pad.lists.merging(["kernel_shape": [p.window.0, p.window.1], "strides": [p.strides.0, p.strides.1]]) { a, _ in a },
                       strings: pad.strings)
            }
            if nhwc { b.node("Transpose", [y], [out], lists: ["perm": [0, 2, 3, 1]]) }
        }

        func transpose2D(_ v: [Float], _ rows: Int, _ cols: Int) -> [Float] {
            var t = [Float](repeating: 0, count: v.count)
            for r in 0..<rows { for c in 0..<cols { t[c * rows + r] = v[r * cols + c] } }
            return t
        }
    }
}
