import Foundation
import HEPInference
import Testing
import TestSupport

/// A Triton folder whose config.pbtxt only picks the platform (and batching) serves the model with its own inputs
/// and outputs.
@Suite struct TreeRepositoryConfigTests {
    static func repository(config: String) throws -> String {
        let root = NSTemporaryDirectory() + "hepml-trees-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/bdt/1", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ModelFixtures.modelsDirectory + "/xgboost-bdt/model.json", toPath: root + "/bdt/1/model.json")
        try Data(config.utf8).write(to: URL(fileURLWithPath: root + "/bdt/config.pbtxt"))
        return root
    }

    @Test(arguments: [0, 16])
    func configWithoutTensorsTakesTheModelsSignature(maxBatchSize: Int) throws {
        let root = try Self.repository(config: """
            platform: "xgboost"
            max_batch_size: \(maxBatchSize)
            default_model_filename: "model.json"
            """)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let repo = try ModelRepository(root: root, factory: BackendFactory(onnxEnvironment: nil))
        #expect(repo.loadAll().isEmpty)
        let m = try repo.model("bdt")
        #expect(m.signature.inputs == [TensorSpec(name: "input", datatype: .FP32, shape: [-1, 12])])
        #expect(m.signature.outputs.map(\.name) == ["label", "probabilities", "margin"])
        #expect(m.config.input.map(\.dims) == [maxBatchSize > 0 ? [12] : [-1, 12]])
        #expect(m.config.output.first { $0.name == "probabilities" }?.dims == (maxBatchSize > 0 ? [2] : [-1, 2]))
        let ref = try ModelFixtures.reference("xgboost-bdt")
        let out = try m.infer(ref.inputs)
        let p = try #require(out.first { $0.name == "probabilities" })
        let expected = try #require(ref.outputs.first { $0.name == "probabilities" })
        #expect(ModelFixtures.close(p, expected, abs: ref.absTolerance, rel: ref.relTolerance))
    }
}
