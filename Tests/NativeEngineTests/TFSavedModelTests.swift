import Foundation
import HEPInference
import Testing

/// TensorFlow 2 SavedModels (Keras export and tf.saved_model.save) on the native engine: the serving_default
/// signature's names, variables from the TensorBundle checkpoint, While functions as loops.
@Suite struct TFSavedModelTests {
    func check(_ model: String) throws {
        let ref = try TFFixtureReference(model)
        let graph = try TFSavedModelImporter.load(directory: "\(TFFixtureReference.directory)/\(model).savedmodel")
        let backend = NativeGraphBackend(graph: graph, format: "TensorFlow SavedModel")
        #expect(backend.signature.inputs.map(\.name) == ref.signatureInputs.sorted())
        #expect(backend.signature.outputs.map(\.name) == ref.signatureOutputs.sorted())
        #expect(backend.signature.inputs.first?.shape.first == -1)
        for c in ref.cases {
            let got = try backend.infer(Array(c.inputs.values), outputs: nil)
            for (g, name) in zip(got, ref.signatureOutputs.sorted()) {
                guard let want = c.outputs[name] else { Issue.record("no reference for \(name)"); continue }
                #expect(TFFixtureReference.relativeError(g, want) < 1e-5, "\(model) \(name) batch \(want.shape.first ?? 0)")
            }
        }
    }

    @Test func denseMatchesTensorFlow() throws { try check("dense") }
    @Test func cnnMatchesTensorFlow() throws { try check("cnn") }
    @Test func lstmMatchesTensorFlow() throws { try check("lstm") }
    @Test func gruMatchesTensorFlow() throws { try check("gru") }
    @Test func float64ModuleMatchesTensorFlow() throws { try check("f64") }
}
