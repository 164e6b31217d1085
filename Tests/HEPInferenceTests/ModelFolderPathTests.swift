import Foundation
import Testing
@testable import HEPInference

/// Every file a model folder or its configuration names resolves inside the folder, or fails with the same
/// message whether the outside target exists or not.
@Suite struct ModelFolderPathTests {
    static func folder() throws -> (root: String, model: String) {
        let root = NSTemporaryDirectory() + "hepml-paths-" + UUID().uuidString
        let model = root + "/repo/m"
        try FileManager.default.createDirectory(atPath: model + "/1", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/outside", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: model + "/1/model.onnx", contents: Data([1]))
        FileManager.default.createFile(atPath: root + "/outside/evil.onnx", contents: Data([2]))
        return (root, model)
    }

    @Test func insideFilesResolve() throws {
        let (root, model) = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = try ModelFolderPath(folder: model, model: "m")
        #expect(try files.resolve("1/model.onnx", what: "f") == files.realFolder + "/1/model.onnx")
        #expect(try files.resolve("./1//model.onnx", what: "f") == files.realFolder + "/1/model.onnx")
        #expect(try files.resolveIfPresent("labels.txt", what: "f") == nil)
        try FileManager.default.createSymbolicLink(atPath: model + "/alias.onnx", withDestinationPath: model + "/1/model.onnx")
        #expect(try files.resolve("alias.onnx", what: "f") == files.realFolder + "/1/model.onnx")
    }

    @Test func traversalAndAbsolutePathsRefused() throws {
        let (root, model) = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = try ModelFolderPath(folder: model, model: "m")
        for name in ["../../outside/evil.onnx", "1/../../../outside/evil.onnx", root + "/outside/evil.onnx", "../m/1/model.onnx"] {
            #expect(throws: InferenceError.self) { try files.resolve(name, what: "default_model_filename") }
            #expect(throws: InferenceError.self) { try files.resolveIfPresent(name, what: "label_filename") }
        }
    }

    @Test func symlinksOutRefusedWithOneMessage() throws {
        let (root, model) = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: model + "/existing.onnx", withDestinationPath: root + "/outside/evil.onnx")
        try fm.createSymbolicLink(atPath: model + "/missing.onnx", withDestinationPath: root + "/outside/none.onnx")
        try fm.createSymbolicLink(atPath: model + "/2", withDestinationPath: root + "/outside")
        let files = try ModelFolderPath(folder: model, model: "m")
        func message(_ name: String) -> String {
            do { _ = try files.resolve(name, what: "file"); return "resolved" } catch { return "\(error)" }
        }
        #expect(message("existing.onnx").contains("is not a file inside the model folder"))
        #expect(message("missing.onnx").contains("is not a file inside the model folder"))
        #expect(message("2/evil.onnx").contains("is not a file inside the model folder"))
        #expect(message("2/none.onnx").contains("is not a file inside the model folder"))
        #expect(!message("existing.onnx").contains(root))
        #expect(message("absent.onnx").contains("does not exist in the model folder"))
    }
}

/// ONNX Runtime statuses: input problems found while running are 400s, messages lose library source paths.
@Suite struct ORTErrorMappingTests {
    static let topK = "Non-zero status code returned while running TopK node. Name:'/pn/edge_convs.0/TopK' Status Message: "
        + "k argument [17] should not be greater than specified axis dim value [6]"
    static let broadcast = "Non-zero status code returned while running Mul node. Name:'/Mul_2' Status Message: "
        + "/onnxruntime_src/onnxruntime/core/providers/cpu/math/element_wise_ops.h:563 void onnxruntime::BroadcastIterator::Init(ptrdiff_t, ptrdiff_t) "
        + "axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 40 by 45"

    @Test func runFailuresOnInputsAre400() {
        #expect(ORTErrorMapping.error(code: 1, message: Self.topK, what: "running the model", running: true).httpStatus == 400)
        #expect(ORTErrorMapping.error(code: 1, message: Self.broadcast, what: "running the model", running: true).httpStatus == 400)
        #expect(ORTErrorMapping.error(code: 2, message: "Got invalid dimensions", what: "x", running: true).httpStatus == 400)
        #expect(ORTErrorMapping.error(code: 1, message: "Failed to allocate memory for requested buffer", what: "x", running: true).httpStatus == 500)
        #expect(ORTErrorMapping.error(code: 5, message: "engine", what: "x", running: true).httpStatus == 500)
        #expect(ORTErrorMapping.error(code: 7, message: "Protobuf parsing failed", what: "loading", running: false).httpStatus == 503)
    }

    @Test func sourcePathsAndSignaturesRemoved() {
        let m = ORTErrorMapping.clean(Self.broadcast)
        #expect(!m.contains("onnxruntime_src") && !m.contains("onnxruntime::") && !m.contains(".h:563"))
        #expect(m.contains("Name:'/Mul_2'"))
        #expect(m.contains("Attempting to broadcast an axis by a dimension other than 1. 40 by 45"))
        #expect(ORTErrorMapping.clean(Self.topK) == Self.topK)
    }
}
