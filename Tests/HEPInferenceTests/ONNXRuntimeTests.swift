import TestSupport
import Testing
@testable import HEPInference

@Suite struct ONNXRuntimeTests {
    /// Every ONNX model in the shared test data reproduces onnxruntime's reference outputs.
    @Test(arguments: ModelFixtures.onnxModels)
    func referenceOutputs(model: String) throws {
        let session = try ORTSession(environment: ModelFixtures.environment,
                                     path: "\(ModelFixtures.modelsDirectory)/\(model)/model.onnx")
        let ref = try ModelFixtures.reference(model)
        var inputs = ref.inputs
        if model == "tfaas-dense42" { inputs[0].name = session.signature.inputs[0].name }
        let outputs = try session.infer(inputs, outputs: nil)
        #expect(outputs.count >= ref.outputs.count)
        for (k, expected) in ref.outputs.enumerated() {
            let got = expected.name.isEmpty ? outputs[k] : try #require(outputs.first { $0.name == expected.name })
            #expect(got.datatype == expected.datatype)
            #expect(ModelFixtures.close(got, expected, abs: ref.absTolerance, rel: ref.relTolerance),
                    "\(model) output \(expected.name): \(got.doubles().prefix(6)) vs \(expected.doubles().prefix(6))")
        }
    }

    @Test func signatureHasDynamicDimensions() throws {
        let s = try ORTSession(environment: ModelFixtures.environment, path: "\(ModelFixtures.modelsDirectory)/sklearn-mlp/model.onnx")
        #expect(s.signature.inputs == [TensorSpec(name: "X", datatype: .FP32, shape: [-1, 12])])
        #expect(s.signature.outputs.map(\.name) == ["label", "probabilities"])
        #expect(s.signature.outputs[0].datatype == .INT64)
    }

    @Test func badRequestsAreInvalidInput() throws {
        let s = try ORTSession(environment: ModelFixtures.environment, path: "\(ModelFixtures.modelsDirectory)/sklearn-mlp/model.onnx")
        let wrongShape = Tensor(name: "X", shape: [1, 11], values: [Float](repeating: 0, count: 11))
        #expect(throws: InferenceError.self) { try s.infer([wrongShape], outputs: nil) }
        let wrongType = Tensor(name: "X", shape: [1, 12], values: [Double](repeating: 0, count: 12))
        #expect(throws: InferenceError.self) { try s.infer([wrongType], outputs: nil) }
        let ok = Tensor(name: "X", shape: [2, 12], values: [Float](repeating: 0.5, count: 24))
        #expect(throws: InferenceError.self) { try s.infer([ok], outputs: ["nope"]) }
        #expect(try s.infer([ok], outputs: ["probabilities"]).map(\.shape) == [[2, 2]])
    }

    @Test func missingModelFileIsUnavailable() {
        #expect(throws: InferenceError.self) {
            _ = try ORTSession(environment: ModelFixtures.environment, path: "/nonexistent/model.onnx")
        }
    }
}
