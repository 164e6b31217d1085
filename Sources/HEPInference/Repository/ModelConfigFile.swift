import SwiftProtobuf

/// Reading Triton `config.pbtxt` files and deriving configurations for folders without one.
public enum ModelConfigFile {
    /// Parses protobuf text format. Fields hepml does not model are skipped (and listed in `ignored`).
    public static func parse(_ text: String, file: String) throws -> Inference_ModelConfig {
        do {
            return try Inference_ModelConfig(textFormatString: text)
        } catch {
            var options = TextFormatDecodingOptions()
            options.ignoreUnknownFields = true
            do {
                return try Inference_ModelConfig(textFormatString: text, options: options)
            } catch {
                throw InferenceError.invalidInput("\(file): not a valid model configuration: \(error)")
            }
        }
    }

    /// A configuration from the model's own signature (no batching declared: full shapes as dims).
    public static func derived(name: String, platform: String, signature: ModelSignature) -> Inference_ModelConfig {
        var c = Inference_ModelConfig()
        c.name = name
        c.platform = platform
        c.maxBatchSize = 0
        c.input = signature.inputs.map { s in
            var i = Inference_ModelInput()
            i.name = s.name
            i.dataType = dataType(s.datatype)
            i.dims = s.shape.map(Int64.init)
            return i
        }
        c.output = signature.outputs.map { s in
            var o = Inference_ModelOutput()
            o.name = s.name
            o.dataType = dataType(s.datatype)
            o.dims = s.shape.map(Int64.init)
            return o
        }
        return c
    }

    /// `c` with the model's own inputs and outputs when it declares none (a config.pbtxt that only picks the
    /// platform or batching); dims leave out the batch dimension when max_batch_size > 0 and the model's is dynamic.
    public static func completing(_ c: Inference_ModelConfig, from signature: ModelSignature) -> Inference_ModelConfig {
        guard c.input.isEmpty, c.output.isEmpty else { return c }
        var out = c
        let own = derived(name: c.name, platform: c.platform, signature: signature)
        func dims(_ d: [Int64]) -> [Int64] { c.maxBatchSize > 0 && d.first == -1 ? Array(d.dropFirst()) : d }
        out.input = own.input.map { i in
            var i = i
            i.dims = dims(i.dims)
            return i
        }
        out.output = own.output.map { o in
            var o = o
            o.dims = dims(o.dims)
            return o
        }
        return out
    }

    static func dataType(_ t: TensorDataType) -> Inference_DataType {
        Inference_DataType(rawValue: ["BOOL": 1, "UINT8": 2, "UINT16": 3, "UINT32": 4, "UINT64": 5, "INT8": 6, "INT16": 7,
                                      "INT32": 8, "INT64": 9, "FP16": 10, "FP32": 11, "FP64": 12, "BYTES": 13][t.rawValue] ?? 0)
            ?? .typeInvalid
    }

    static func tensorType(_ t: Inference_DataType) -> TensorDataType? {
        switch t {
        case .typeBool: return .BOOL
        case .typeUint8: return .UINT8
        case .typeUint16: return .UINT16
        case .typeUint32: return .UINT32
        case .typeUint64: return .UINT64
        case .typeInt8: return .INT8
        case .typeInt16: return .INT16
        case .typeInt32: return .INT32
        case .typeInt64: return .INT64
        case .typeFp16: return .FP16
        case .typeFp32: return .FP32
        case .typeFp64: return .FP64
        case .typeString: return .BYTES
        default: return nil
        }
    }

    /// The request-level signature a configuration declares (batch dimension first when max_batch_size > 0).
    public static func signature(of c: Inference_ModelConfig) throws -> ModelSignature {
        func spec(_ name: String, _ t: Inference_DataType, _ dims: [Int64]) throws -> TensorSpec {
            guard let dt = tensorType(t) else { throw InferenceError.invalidInput("config: tensor '\(name)' has data type \(t)") }
            let shape = (c.maxBatchSize > 0 ? [-1] : []) + dims.map { $0 < 0 ? -1 : Int($0) }
            return TensorSpec(name: name, datatype: dt, shape: shape)
        }
        return ModelSignature(inputs: try c.input.map { try spec($0.name, $0.dataType, $0.dims) },
                              outputs: try c.output.map { try spec($0.name, $0.dataType, $0.dims) })
    }

    /// The configuration as Triton's JSON (proto field names), for the `config` endpoint.
    public static func json(_ c: Inference_ModelConfig) -> String {
        var o = JSONEncodingOptions()
        o.preserveProtoFieldNames = true
        o.alwaysPrintInt64sAsNumbers = true
        return (try? c.jsonString(options: o)) ?? "{}"
    }
}
