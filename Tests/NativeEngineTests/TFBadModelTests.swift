import Foundation
import HEPInference
import SwiftProtobuf
import Testing

/// Broken TensorFlow files give load errors naming what is wrong, never a crash.
@Suite struct TFBadModelTests {
    let dir = TFFixtureReference.directory

    func bytes(_ file: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(file)")) }

    @Test func truncatedGraphDefIsALoadError() throws {
        let data = try bytes("lstm.pb")
        for cut in [1, 100, 5000, data.count - 3] {
            #expect(throws: NativeEngineError.self) { try TFGraphImporter.load(data: data.prefix(cut)) }
        }
    }

    /// An unknown op is named with its node, in the outer graph and inside a while-loop body.
    @Test func unknownOpIsNamedWithItsNode() throws {
        let dense = try bytes("dense.pb")
        let renamed = dense.replacing(Data("\u{12}\u{07}Softmax".utf8), with: Data("\u{12}\u{07}Softmix".utf8))
        #expect(throws: NativeEngineError.unsupportedOp(op: "Softmix", node: "StatefulPartitionedCall/functional_1/dense_2_1/Softmax")) {
            try TFGraphImporter.load(data: renamed)
        }
        let lstm = try bytes("lstm.pb").replacing(Data("\u{12}\u{04}Tanh".utf8), with: Data("\u{12}\u{04}Tanx".utf8))
        do {
            _ = try TFGraphImporter.load(data: lstm)
            Issue.record("loaded a loop body with an unknown op")
        } catch let NativeEngineError.unsupportedOp(op, node) {
            #expect(op == "Tanx")
            #expect(node.contains("while/body"))
        }
    }

    /// A constant that claims 2^31 × 2^31 elements, and an input that claims 2^40, are refused at load.
    @Test func hugeDimensionClaimsAreLoadErrors() throws {
        func dim(_ n: Int64) -> Tensorflow_TensorShapeProto.Dim { var d = Tensorflow_TensorShapeProto.Dim(); d.size = n; return d }
        var shape = Tensorflow_TensorShapeProto()
        shape.dim = [dim(1 << 31), dim(1 << 31)]
        var tensor = Tensorflow_TensorProto()
        tensor.dtype = .dtFloat
        tensor.tensorShape = shape
        tensor.floatVal = [1]
        var c = Tensorflow_NodeDef()
        c.name = "huge"
        c.op = "Const"
        var value = Tensorflow_AttrValue()
        value.tensor = tensor
        c.attr["value"] = value
        var id = Tensorflow_NodeDef()
        id.name = "out"
        id.op = "Identity"
        id.input = ["huge"]
        var g = Tensorflow_GraphDef()
        g.node = [c, id]
        #expect(throws: NativeEngineError.self) { try TFGraphImporter.load(data: try g.serializedData()) }

        var p = Tensorflow_NodeDef()
        p.name = "x"
        p.op = "Placeholder"
        var dtype = Tensorflow_AttrValue()
        dtype.type = .dtFloat
        var pshape = Tensorflow_AttrValue()
        var s = Tensorflow_TensorShapeProto()
        s.dim = [dim(1 << 40)]
        pshape.shape = s
        p.attr = ["dtype": dtype, "shape": pshape]
        id.input = ["x"]
        g.node = [p, id]
        #expect(throws: NativeEngineError.self) { try TFGraphImporter.load(data: try g.serializedData()) }
    }

    /// A copy of a SavedModel with one file changed.
    func savedModel(_ model: String, change: (String) throws -> Void) throws -> String {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("hepml-tf-bad-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: "\(dir)/\(model).savedmodel", toPath: tmp)
        try change(tmp)
        return tmp
    }

    @Test func truncatedOrCorruptVariablesIndexIsALoadError() throws {
        let index = try bytes("gru.savedmodel/variables/variables.index")
        for cut in [0, 20, 47, index.count / 2, index.count - 1] {
            let path = try savedModel("gru") { try index.prefix(cut).write(to: URL(fileURLWithPath: "\($0)/variables/variables.index")) }
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: NativeEngineError.self) { try TFSavedModelImporter.load(directory: path) }
        }
        // Bytes overwritten inside the blocks: an error or a model, never a crash.
        for offset in stride(from: 0, to: index.count - 48, by: 37) {
            var bad = index
            bad[offset] ^= 0xA5
            let path = try savedModel("gru") { try bad.write(to: URL(fileURLWithPath: "\($0)/variables/variables.index")) }
            defer { try? FileManager.default.removeItem(atPath: path) }
            _ = try? TFSavedModelImporter.load(directory: path)
        }
    }

    @Test func missingOrShortDataShardIsALoadError() throws {
        let shard = "variables/variables.data-00000-of-00001"
        let short = try savedModel("lstm") { try bytes("lstm.savedmodel/\(shard)").prefix(100).write(to: URL(fileURLWithPath: "\($0)/\(shard)")) }
        defer { try? FileManager.default.removeItem(atPath: short) }
        #expect(throws: NativeEngineError.self) { try TFSavedModelImporter.load(directory: short) }
        let missing = try savedModel("lstm") { try FileManager.default.removeItem(atPath: "\($0)/\(shard)") }
        defer { try? FileManager.default.removeItem(atPath: missing) }
        #expect(throws: NativeEngineError.self) { try TFSavedModelImporter.load(directory: missing) }
    }

    @Test func truncatedSavedModelProtoIsALoadError() throws {
        let pb = try bytes("cnn.savedmodel/saved_model.pb")
        for cut in [10, pb.count / 3, pb.count - 2] {
            let path = try savedModel("cnn") { try pb.prefix(cut).write(to: URL(fileURLWithPath: "\($0)/saved_model.pb")) }
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: NativeEngineError.self) { try TFSavedModelImporter.load(directory: path) }
        }
    }
}
