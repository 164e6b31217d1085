import Foundation
import HEPInference
import Testing

/// Frozen TensorFlow graphs with TF1 lowered while-loops (Keras LSTM and GRU frozen with
/// lower_control_flow=True), and the dense, CNN and float64 models, against TensorFlow's outputs.
@Suite struct TFControlFlowTests {
    func check(_ model: String) throws {
        let ref = try TFFixtureReference(model)
        let backend = NativeGraphBackend(graph: try TFGraphImporter.load(path: "\(TFFixtureReference.directory)/\(model).pb"),
                                         format: "TensorFlow GraphDef")
        #expect(backend.signature.inputs.map(\.name) == ref.pbInputs)
        #expect(backend.signature.outputs.map(\.name) == ref.pbOutputs)
        #expect(backend.signature.inputs.first?.shape.first == -1)
        for c in ref.cases {
            let inputs = zip(ref.pbInputs, ref.signatureInputs).compactMap { pb, sig in
                c.inputs[sig].map { Tensor(name: pb, datatype: $0.datatype, shape: $0.shape, data: $0.data) }
            }
            let got = try backend.infer(inputs, outputs: nil)
            #expect(got.count == ref.signatureOutputs.count)
            for (g, name) in zip(got, ref.signatureOutputs) {
                guard let want = c.outputs[name] else { Issue.record("no reference for \(name)"); continue }
                #expect(TFFixtureReference.relativeError(g, want) < 1e-5, "\(model) \(name) batch \(want.shape.first ?? 0)")
            }
        }
    }

    @Test func lstmWhileLoopMatchesTensorFlow() throws { try check("lstm") }
    @Test func gruWhileLoopMatchesTensorFlow() throws { try check("gru") }
    @Test func denseMatchesTensorFlow() throws { try check("dense") }
    @Test func cnnMatchesTensorFlow() throws { try check("cnn") }

    /// The loop runs as a loop: one engine node, not the unrolled time steps.
    @Test func lstmLoopIsOneNode() throws {
        let graph = try TFGraphImporter.load(path: "\(TFFixtureReference.directory)/lstm.pb")
        #expect(graph.opHistogram["loop"] == 1)
        #expect(graph.sourceOpHistogram["Enter"] ?? 0 > 0 && graph.sourceOpHistogram["NextIteration"] ?? 0 > 0)
    }
}
