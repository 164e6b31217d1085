import Foundation
import TestSupport
import Testing
@testable import HEPInference

/// Two repositories on one folder (two server replicas): what one installs, re-tags or deletes, the other
/// serves after `synchronize()`; a replaced folder is swapped in one step; unchanged folders are not reloaded.
@Suite struct SharedRepositoryTests {
    static let mlp = ModelRepositoryTests.bytes(ModelFixtures.modelsDirectory + "/sklearn-mlp/model.onnx")
    static let policyAll = "name: \"mlp\"\nplatform: \"onnxruntime_onnx\"\nversion_policy: { all { } }\n"

    @Test func changesThroughOneReplicaReachTheOther() async throws {
        let root = try ModelRepositoryTests.tempRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let one = try ModelRepository(root: root, factory: ModelRepositoryTests.factory)
        let two = try ModelRepository(root: root, factory: ModelRepositoryTests.factory)
        #expect(two.loadAll().isEmpty)
        #expect(await two.synchronize().isEmpty)

        try await one.install(name: "mlp", files: ["config.pbtxt": Array(Self.policyAll.utf8), "1/model.onnx": Self.mlp])
        #expect(await one.synchronize().isEmpty, "a replica does not reload its own upload")
        #expect(await two.synchronize().loaded == ["mlp"])
        #expect(try two.model("mlp").version == 1)

        try await one.install(name: "mlp", files: ["config.pbtxt": Array(Self.policyAll.utf8), "1/model.onnx": Self.mlp,
                                                   "2/model.onnx": Self.mlp])
        let hidden = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty, "staging and old folders are removed: \(hidden)")
        #expect(await two.synchronize().loaded == ["mlp"])
        #expect(try two.model("mlp").version == 2)

        try await one.setTag("production", model: "mlp", version: 1)
        #expect(await two.synchronize().retagged == ["mlp"])
        #expect(try two.model("mlp", version: "production").version == 1)
        #expect(await two.synchronize().isEmpty)

        try await one.delete("mlp")
        #expect(await two.synchronize().removed == ["mlp"])
        #expect(throws: InferenceError.self) { try two.model("mlp") }
    }

    @Test func aFolderThatDoesNotLoadIsReportedAndRetriedOnlyWhenItChanges() async throws {
        let root = try ModelRepositoryTests.tempRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let repo = try ModelRepository(root: root, factory: ModelRepositoryTests.factory)
        try FileManager.default.createDirectory(atPath: root + "/broken", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/broken/readme.txt", contents: Data("not a model".utf8))
        #expect(await repo.synchronize().failed.keys.sorted() == ["broken"])
        #expect(await repo.synchronize().isEmpty)
        try FileManager.default.createDirectory(atPath: root + "/broken/1", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/broken/1/model.onnx", contents: Data(Self.mlp))
        #expect(await repo.synchronize().loaded == ["broken"])
        #expect(try repo.model("broken").version == 1)
    }
}
