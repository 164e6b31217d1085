import Foundation
import HEPInference
import Testing
import TestSupport

/// ONNX exports of the Keras models (LSTM and GRU nodes included) on the native engine, against ONNX Runtime's
/// outputs recorded by scripts/make_keras_models.py and against ONNX Runtime itself.
@Suite struct RecurrentONNXTests {
    @Test(arguments: KerasFixtures.onnxModels)
    func onnxExportMatchesONNXRuntime(model: String) throws {
        let ref = try KerasFixtures.reference(model)
        let path = KerasFixtures.path("\(model).onnx")
        let native = NativeGraphBackend(graph: try ONNXGraphImporter.load(path: path), format: "ONNX")
        let got = try native.infer(ref.inputs, outputs: nil)
        #expect(KerasFixtures.relativeDifference(got, ref.onnxOutputs) < 1e-5)
        let ort = try ORTSession(environment: ModelFixtures.environment, path: path)
        #expect(KerasFixtures.relativeDifference(got, try ort.infer(ref.inputs, outputs: nil)) < 1e-5)
    }

    /// A batch of sequences gives the rows a batch of one gives (the recurrent loop keeps sequences apart).
    @Test(arguments: ["lstm", "gru"])
    func batchRowsMatchSingleRows(model: String) throws {
        let ref = try KerasFixtures.reference(model)
        let native = NativeGraphBackend(graph: try ONNXGraphImporter.load(path: KerasFixtures.path("\(model).onnx")), format: "ONNX")
        let x = ref.inputs[0]
        let perRow = x.elementCount / x.shape[0]
        let all = try native.infer([x], outputs: nil)[0].doubles()
        let outPerRow = all.count / x.shape[0]
        for r in 0..<x.shape[0] {
            let row = Array(x.doubles()[(r * perRow)..<((r + 1) * perRow)])
            let one = try Tensor.from(doubles: row, name: x.name, datatype: .FP32, shape: [1] + Array(x.shape.dropFirst()))
            let got = try native.infer([one], outputs: nil)[0].doubles()
            #expect(zip(got, all[(r * outPerRow)..<((r + 1) * outPerRow)]).allSatisfy { abs($0 - $1) < 1e-6 })
        }
    }
}
