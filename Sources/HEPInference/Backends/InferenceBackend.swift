/// Something that runs a loaded model: ONNX Runtime sessions, native TF graphs, lwtnn networks, BDTs.
public protocol InferenceBackend: Sendable {
    /// Inputs and outputs as the model declares them.
    var signature: ModelSignature { get }
    /// Runs the model. `outputs` selects outputs by name (nil: all, in signature order).
    func infer(_ inputs: [Tensor], outputs: [String]?) throws -> [Tensor]
}
