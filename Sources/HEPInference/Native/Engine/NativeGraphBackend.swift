import COpenBLAS

/// Runs a `NativeGraph` as an inference backend. The graph is immutable; each call borrows a workspace
/// from a pool, so concurrent calls on one loaded model are safe. OpenBLAS is set to one thread, as ONNX Runtime
/// runs with one intra-op thread: concurrency comes from requests (training sets its own thread count).
public final class NativeGraphBackend: InferenceBackend, ModelDescribable, @unchecked Sendable {
    public let graph: NativeGraph
    public let signature: ModelSignature
    /// Format name for inspection, e.g. "TensorFlow GraphDef".
    public let format: String
    private let pool: NativeWorkspacePool

    public init(graph: NativeGraph, format: String) {
        self.graph = graph
        self.format = format
        pool = NativeWorkspacePool(slotCount: graph.plan.slotCount)
        openblas_set_num_threads(1)
        let ins = graph.inputs.map { TensorSpec(name: $0.name, datatype: $0.float64 ? .FP64 : $0.dataType.tensorDataType, shape: $0.shape) }
        let outs = zip(graph.outputs, zip(graph.outputShapes, graph.outputTypes)).enumerated().map { k, ost in
            TensorSpec(name: ost.0.name, datatype: graph.float64Outputs.contains(k) ? .FP64 : ost.1.1.tensorDataType, shape: ost.1.0)
        }
        signature = ModelSignature(inputs: ins, outputs: outs)
    }

    public var summary: ModelSummary {
        func histogram(_ h: [String: Int]) -> String { h.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ") }
        return ModelSummary(format: format, items: [
            .init("source ops", histogram(graph.sourceOpHistogram)), .init("engine nodes", "\(graph.nodes.count)"),
            .init("engine ops", histogram(graph.opHistogram)), .init("parameters", "\(graph.parameterCount)"),
            .init("memory plan slots", "\(graph.plan.slotCount)"),
        ] + graph.metadata.map { .init($0.name, $0.value) })
    }

    public func infer(_ inputs: [Tensor], outputs: [String]?) throws -> [Tensor] {
        var given = [Tensor]()
        given.reserveCapacity(graph.inputs.count)
        for (k, spec) in signature.inputs.enumerated() {
            guard let t = inputs.first(where: { $0.name == spec.name }) ?? (inputs.count == signature.inputs.count ? inputs[k] : nil) else {
                throw InferenceError.invalidInput("missing input '\(spec.name)'")
            }
            try spec.validate(t)
            given.append(t)
        }
        let wanted: [Int]
        if let outputs {
            wanted = try outputs.map { name in
                guard let i = graph.outputs.firstIndex(where: { $0.name == name }) else {
                    throw InferenceError.invalidInput("unknown output '\(name)'")
                }
                return i
            }
        } else {
            wanted = Array(graph.outputs.indices)
        }
        return try pool.withWorkspace { ws in
            // Float inputs are copied into their planned workspace buffers; others are converted.
            var feeds = [NativeTensor]()
            feeds.reserveCapacity(given.count)
            for (t, input) in zip(given, graph.inputs) {
                let slot = graph.plan.slotOfValue[input.value]
                if t.datatype == .FP32, slot >= 0 {
                    let b = ws.slots[slot]
                    b.reserve(t.elementCount)
                    t.data.withUnsafeBytes { raw in
                        UnsafeMutableRawBufferPointer(start: b.pointer, count: t.elementCount * 4).copyMemory(from: raw)
                    }
                    feeds.append(NativeTensor(shape: t.shape, storage: .float(b)))
                } else {
                    feeds.append(try Self.nativeTensor(t))
                }
            }
            let results: [NativeTensor]
            do {
                results = try NativeExecutor.run(graph, inputs: feeds, workspace: ws, plan: graph.plan)
            } catch let e as NativeEngineError {
                throw InferenceError.invalidInput("\(e)")
            }
            return wanted.map { k in
                let t = Self.tensor(results[k], name: graph.outputs[k].name)
                return graph.float64Outputs.contains(k) && t.datatype == .FP32 ? Tensor(name: t.name, shape: t.shape, values: t.doubles()) : t
            }
        }
    }

    /// A request tensor as a native one (float types become float32; integers Int; bools Bool).
    static func nativeTensor(_ t: Tensor) throws -> NativeTensor {
        switch t.datatype {
        case .FP32:
            let b = FloatBuffer(capacity: t.elementCount)
            t.data.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(start: b.pointer, count: t.elementCount * 4).copyMemory(from: raw)
            }
            return NativeTensor(shape: t.shape, storage: .float(b))
        case .FP64, .FP16:
            return NativeTensor(shape: t.shape, floats: t.doubles().map { Float($0) })
        case .BOOL:
            return NativeTensor(shape: t.shape, storage: .bool(t.data.map { $0 != 0 }))
        case .BYTES:
            throw InferenceError.invalidInput("tensor '\(t.name)': string tensors are not supported by the native engine")
        default:
            return NativeTensor(shape: t.shape, ints: t.doubles().map { Int($0) })
        }
    }

    static func tensor(_ t: NativeTensor, name: String) -> Tensor {
        switch t.storage {
        case let .float(b):
            let n = t.elementCount
            let data = [UInt8](unsafeUninitializedCapacity: n * 4) { out, count in
                UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(start: b.pointer, count: n * 4))
                count = n * 4
            }
            return Tensor(name: name, datatype: .FP32, shape: t.shape, data: data)
        case let .int(v):
            return Tensor(name: name, shape: t.shape, values: v.map { Int64($0) })
        case let .bool(v):
            return Tensor(name: name, shape: t.shape, values: v)
        }
    }
}

extension NativeDataType {
    var tensorDataType: TensorDataType {
        switch self {
        case .float: return .FP32
        case .int: return .INT64
        case .bool: return .BOOL
        }
    }
}
