import Foundation
import TestSupport
import Testing
@testable import HEPInference

@Suite struct ModelRepositoryTests {
    static let factory = BackendFactory(onnxEnvironment: ModelFixtures.environment)

    static func tempRepository() throws -> String {
        let dir = NSTemporaryDirectory() + "hepml-repo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func bytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path)!) }

    @Test func sonicTritonRepositoryLoadsUnchanged() throws {
        let repo = try ModelRepository(root: ModelFixtures.tritonRepository, factory: Self.factory)
        #expect(repo.loadAll().isEmpty)
        let m = try repo.model("particlenet_AK4")
        #expect(m.version == 1 && m.config.maxBatchSize == 500 && m.platform == "onnxruntime_onnx")
        #expect(m.signature.inputs.count == 6 && m.signature.inputs[0].shape == [-1, 2, -1])
        #expect(m.labels?.count == 8)
        #expect(m.config.modelRepositoryAgents.agents.first?.parameters["MD5:1/model.onnx"] == "bfca43d9c9694c2af49f1b596cfe5da0")
        let ref = try ModelFixtures.reference("particlenet-ak4-sonic")
        let out = try m.infer(ref.inputs)
        #expect(ModelFixtures.close(out[0], ref.outputs[0], abs: ref.absTolerance, rel: ref.relTolerance))
        #expect(throws: InferenceError.self) { try repo.model("particlenet_AK4", version: "2") }
        #expect(throws: InferenceError.self) { try repo.model("nope") }
        let tooBig = Tensor(name: "pf_points", shape: [501, 2, 1], values: [Float](repeating: 0, count: 1002))
        #expect(throws: InferenceError.self) { try m.infer([tooBig] + ref.inputs.dropFirst()) }
    }

    @Test func tfaasLayoutServesONNXAndGraphDef() throws {
        let root = try Self.tempRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let repo = try ModelRepository(root: root, factory: Self.factory)
        let src = ModelFixtures.modelsDirectory + "/tfaas-dense42"
        let params = #"{"name": "dense42", "model": "model.onnx", "labels": "labels.txt", "inputNode": "x", "outputNode": "Identity"}"#
        try repo.install(name: "dense42", files: ["params.json": Array(params.utf8), "model.onnx": Self.bytes(src + "/model.onnx"),
                                                  "labels.txt": Self.bytes(src + "/labels.txt")])
        let m = try repo.model("dense42")
        #expect(m.tfaasParams?.inputNode == "x" && m.labels?.isEmpty == false)
        #expect(m.signature.inputs[0].shape.last == 42)

        let pbParams = #"{"name": "tf1", "model": "model.pb", "labels": "labels.txt"}"#
        try FileManager.default.createDirectory(atPath: root + "/tf1", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/tf1/params.json", contents: Data(pbParams.utf8))
        FileManager.default.createFile(atPath: root + "/tf1/model.pb", contents: Data(Self.bytes(src + "/model.pb")))
        try repo.load("tf1")
        // Frozen GraphDefs run on the native engine.
        #expect(repo.versions(of: "tf1").first?.state == "READY")
        let tf1 = try repo.model("tf1")
        #expect(tf1.signature.inputs.first?.shape.last == 42)
    }

    @Test func installTagsDeleteAndFailedUploadKeepsOldVersion() throws {
        let root = try Self.tempRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let repo = try ModelRepository(root: root, factory: Self.factory)
        let mlp = Self.bytes(ModelFixtures.modelsDirectory + "/sklearn-mlp/model.onnx")
        #expect(try repo.install(name: "mlp", files: ["1/model.onnx": mlp, "2/model.onnx": mlp]) == [2])
        try repo.setTag("production", model: "mlp", version: 2)
        #expect(try repo.model("mlp", version: "production").version == 2)
        #expect(try ModelLoader.readTags(ModelFolderPath(folder: root + "/mlp", model: "mlp")) == ["production": 2])
        #expect(throws: InferenceError.self) { try repo.install(name: "mlp", files: ["1/model.onnx": [1, 2, 3]]) }
        #expect(try repo.model("mlp").version == 2)
        for bad in ["../evil", "a/b", ".hidden", "", "x\u{1}"] {
            #expect(throws: InferenceError.self) { try repo.install(name: bad, files: ["1/model.onnx": mlp]) }
        }
        #expect(throws: InferenceError.self) { try repo.install(name: "ok", files: ["../../escape/model.onnx": mlp]) }
        #expect(throws: InferenceError.self) { try repo.install(name: "ok", files: ["/etc/model.onnx": mlp]) }
        try repo.delete("mlp")
        #expect(throws: InferenceError.self) { try repo.model("mlp") }
        #expect(!FileManager.default.fileExists(atPath: root + "/mlp"))
        #expect(repo.folderNames().isEmpty)
    }
}
