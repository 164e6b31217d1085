import Foundation
import HEPInference
import Testing
import TestSupport

/// The shared test models: xgboost-bdt (XGBoost JSON and its ONNX-ML conversion) and sklearn-gbdt (skl2onnx),
/// on the native evaluator, against their reference.json.
@Suite struct SharedModelTests {
    static func expectClose(_ got: [Double], _ expected: [Double], tolerance: Double, _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == expected.count, "\(what): \(got.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        for (g, e) in zip(got, expected) {
            #expect(abs(g - e) <= tolerance, "\(what): \(g) vs \(e)", sourceLocation: sourceLocation)
        }
    }

    @Test func xgboostJSONMatchesXGBoost() throws {
        let dir = ModelFixtures.modelsDirectory + "/xgboost-bdt"
        let ref = try ModelFixtures.json(dir + "/reference.json")
        let proba = try #require(ref["xgboost_predict_proba"] as? [[Double]])
        #expect(BackendFactory.platform(forPath: dir + "/model.json") == "xgboost")
        let backend = try BackendFactory(onnxEnvironment: nil).backend(platform: "xgboost", path: dir + "/model.json")
        let input = try ModelFixtures.reference("xgboost-bdt").inputs[0]
        let renamed = Tensor(name: backend.signature.inputs[0].name, datatype: input.datatype, shape: input.shape, data: input.data)
        let out = try backend.infer([renamed], outputs: ["probabilities"])
        Self.expectClose(out[0].doubles(), proba.flatMap { $0 }, tolerance: 1e-6, "xgboost-bdt probabilities")
    }

    @Test(arguments: ["xgboost-bdt", "sklearn-gbdt"])
    func onnxTreeEnsembleMatchesReference(_ model: String) throws {
        let path = ModelFixtures.modelsDirectory + "/\(model)/model.onnx"
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(ONNXTreeEnsembleImporter.isTreeEnsembleOnly([UInt8](bytes)))
        let backend = try BackendFactory(onnxEnvironment: nil).backend(platform: "hepml_native_onnx", path: path)
        let ref = try ModelFixtures.reference(model)
        let out = try backend.infer(ref.inputs, outputs: nil)
        for expected in ref.outputs {
            let got = try #require(out.first { $0.name == expected.name })
            #expect(got.datatype == expected.datatype)
            #expect(got.shape == expected.shape)
            Self.expectClose(got.doubles(), expected.doubles(), tolerance: 1e-5, "\(model) \(expected.name)")
        }
    }

    @Test func nativeONNXSelectedByConfigParameter() throws {
        var config = Inference_ModelConfig()
        config.platform = "onnxruntime_onnx"
        #expect(BackendFactory.platform(config: config) == "onnxruntime_onnx")
        var p = Inference_ModelParameter()
        p.stringValue = "hepml_native"
        config.parameters["backend"] = p
        #expect(BackendFactory.platform(config: config) == "hepml_native_onnx")
        config.platform = ""
        config.backend = "fil"
        #expect(BackendFactory.platform(config: config) == "fil")
    }
}
