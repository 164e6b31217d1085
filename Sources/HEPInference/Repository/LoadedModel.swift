/// One servable model version: its configuration, backend, labels and (for TFaaS folders) params.
public final class LoadedModel: Sendable {
    public let name: String
    public let version: Int
    public let config: Inference_ModelConfig
    /// What clients send and receive (batch dimension included when the model batches).
    public let signature: ModelSignature
    public let backend: any InferenceBackend
    /// Class labels of the first labelled output (Triton `label_filename` or TFaaS `labels`).
    public let labels: [String]?
    public let tfaasParams: TFaaSParams?
    /// Raw `params.json` bytes, returned by the TFaaS `/params` endpoint.
    public let paramsJSON: [UInt8]?

    public init(name: String, version: Int, config: Inference_ModelConfig, signature: ModelSignature, backend: any InferenceBackend,
                labels: [String]?, tfaasParams: TFaaSParams?, paramsJSON: [UInt8]?) {
        self.name = name
        self.version = version
        self.config = config
        self.signature = signature
        self.backend = backend
        self.labels = labels
        self.tfaasParams = tfaasParams
        self.paramsJSON = paramsJSON
    }

    public var platform: String { config.platform.isEmpty ? config.backend : config.platform }

    /// Validates inputs against the declared signature and the batch limit, then runs the backend.
    public func infer(_ inputs: [Tensor], outputs: [String]? = nil) throws -> [Tensor] {
        try validate(inputs)
        return try backend.infer(inputs, outputs: outputs)
    }

    /// Checks a request's inputs against the declared signature and the batch limit (names, types, shapes,
    /// missing inputs), without running the model.
    public func validate(_ inputs: [Tensor]) throws {
        for t in inputs {
            guard let spec = signature.inputs.first(where: { $0.name == t.name }) else {
                throw InferenceError.invalidInput("model '\(name)' has no input '\(t.name)' (inputs: \(signature.inputs.map(\.name).joined(separator: ", ")))")
            }
            try spec.validate(t)
            if config.maxBatchSize > 0, let batch = t.shape.first, batch > Int(config.maxBatchSize) {
                throw InferenceError.invalidInput("input '\(t.name)': batch \(batch) exceeds max_batch_size \(config.maxBatchSize)")
            }
        }
        if let missing = signature.inputs.first(where: { s in !inputs.contains { $0.name == s.name } }) {
            throw InferenceError.invalidInput("missing input '\(missing.name)'")
        }
    }
}
