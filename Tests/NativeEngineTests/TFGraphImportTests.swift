import Foundation
import HEPInference
import SwiftProtobuf
import Testing
import TestSupport

/// The frozen TensorFlow graphs of the TFaaS test models on hepml's native engine, against TensorFlow's outputs.
@Suite struct TFGraphImportTests {
    let factory = BackendFactory(onnxEnvironment: nil)

    func model(_ name: String) throws -> any InferenceBackend {
        try factory.backend(platform: "tensorflow_graphdef", path: "\(ModelFixtures.modelsDirectory)/\(name)/model.pb")
    }

    @Test func dense42MatchesTensorFlow() throws {
        let ref = try ModelFixtures.reference("tfaas-dense42")
        let backend = try model("tfaas-dense42")
        #expect(backend.signature.inputs == [TensorSpec(name: "x", datatype: .FP32, shape: [-1, 42])])
        #expect(backend.signature.outputs == [TensorSpec(name: "Identity", datatype: .FP32, shape: [-1, 2])])
        let out = try backend.infer(ref.inputs, outputs: nil)
        #expect(out.count == 1)
        #expect(ModelFixtures.close(out[0], ref.outputs[0], abs: 1e-5, rel: 0))
    }

    @Test func image28MatchesTensorFlowOnDigitPNG() throws {
        let dir = "\(ModelFixtures.modelsDirectory)/tfaas-image28"
        let d = try ModelFixtures.json("\(dir)/reference.json")
        let expected = (d["outputs"] as! [[NSNumber]]).flatMap { $0.map(\.doubleValue) }
        let png = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(dir)/digit.png")))
        let input = try ImageDecoder.decode(png, channels: 1).tensor(name: "x")
        let backend = try model("tfaas-image28")
        #expect(backend.signature.inputs == [TensorSpec(name: "x", datatype: .FP32, shape: [-1, 28, 28, 1])])
        let got = try backend.infer([input], outputs: ["Identity"])[0]
        #expect(got.shape == [1, 10])
        let diff = zip(got.doubles(), expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(diff < 1e-5)
    }

    /// Rows evaluated one at a time (batch 1) give the batched result: the memory plan reuses buffers
    /// across calls of different sizes without leaking values between them.
    @Test func batchOneAndBatchFiveAgree() throws {
        let ref = try ModelFixtures.reference("tfaas-dense42")
        let backend = try model("tfaas-dense42")
        let x = ref.inputs[0].values(Float.self)!
        let batched = try backend.infer(ref.inputs, outputs: nil)[0].values(Float.self)!
        for r in 0..<5 {
            let row = Tensor(name: "x", shape: [1, 42], values: Array(x[(r * 42)..<(r * 42 + 42)]))
            let one = try backend.infer([row], outputs: nil)[0].values(Float.self)!
            #expect(zip(one, batched[(r * 2)..<(r * 2 + 2)]).allSatisfy { abs($0 - $1) < 1e-6 })
        }
    }

    /// A batch of images gives each image's own result (convolutions run im2col over several images at once).
    @Test func image28BatchMatchesSingleImages() throws {
        let backend = try model("tfaas-image28")
        var images = [[Float]]()
        for k in 0..<3 {
            var image = [Float](repeating: 0, count: 784)
            for i in 0..<784 { image[i] = Float((i * (k + 7) + k * 31) % 256) }
            images.append(image)
        }
        let flat: [Float] = images.flatMap { $0 }
        let batched = try backend.infer([Tensor(name: "x", shape: [3, 28, 28, 1], values: flat)], outputs: nil)[0]
        #expect(batched.shape == [3, 10])
        let all: [Float] = batched.values(Float.self) ?? []
        for k in 0..<3 {
            let single = Tensor(name: "x", shape: [1, 28, 28, 1], values: images[k])
            let one: [Float] = try backend.infer([single], outputs: nil)[0].values(Float.self) ?? []
            let part = Array(all[(k * 10)..<(k * 10 + 10)])
            var worst: Float = 0
            for j in 0..<10 { worst = max(worst, abs(one[j] - part[j])) }
            #expect(one.count == 10 && worst < 1e-6)
        }
    }

    @Test func concurrentCallsOnOneModel() async throws {
        let ref = try ModelFixtures.reference("tfaas-dense42")
        let backend = try model("tfaas-dense42")
        let expected = try backend.infer(ref.inputs, outputs: nil)[0]
        let inputs = ref.inputs
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    for _ in 0..<50 where try backend.infer(inputs, outputs: nil)[0] != expected { return false }
                    return true
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 16 && results.allSatisfy { $0 })
    }

    @Test func truncatedAndGarbageFilesAreLoadErrors() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(ModelFixtures.modelsDirectory)/tfaas-image28/model.pb"))
        // Cuts inside a field are decode errors; a cut on a field boundary is a smaller valid graph. Neither crashes.
        var failures = 0
        for cut in stride(from: 1, to: data.count, by: 97) {
            do { _ = try TFGraphImporter.load(data: data.prefix(cut)) } catch is NativeEngineError { failures += 1 }
        }
        #expect(failures > data.count / 97 / 2)
        #expect(throws: NativeEngineError.self) { _ = try TFGraphImporter.load(data: data.prefix(17)) }
        #expect(throws: NativeEngineError.self) { _ = try TFGraphImporter.load(data: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) })) }
        #expect(throws: NativeEngineError.self) { _ = try TFGraphImporter.load(data: Data()) }
    }

    @Test func unsupportedOpNamesOpAndNode() throws {
        var g = Tensorflow_GraphDef()
        g.node = [placeholder("x", [-1, 3]), node("weird", op: "FancyNewOp", inputs: ["x"])]
        do {
            _ = try TFGraphImporter.load(data: try g.serializedData())
            Issue.record("loaded a graph with an unknown op")
        } catch let e as NativeEngineError {
            #expect(e == .unsupportedOp(op: "FancyNewOp", node: "weird"))
        }
    }

    /// A graph whose constant shapes conflict fails at load (shape inference), naming the node.
    @Test func shapeConflictIsALoadError() throws {
        var g = Tensorflow_GraphDef()
        g.node = [placeholder("x", [-1, 3]), const("w", shape: [4, 2], values: [Float](repeating: 1, count: 8)),
                  node("mm", op: "MatMul", inputs: ["x", "w"])]
        #expect(throws: NativeEngineError.shapeMismatch(node: "mm", reason: "dense layer input [1, 3] × weights [4, 2]")) {
            _ = try TFGraphImporter.load(data: try g.serializedData())
        }
    }

    /// A constant claiming 2^31 elements is refused before any allocation.
    @Test func hugeDimensionClaimIsRefused() throws {
        var g = Tensorflow_GraphDef()
        var c = const("big", shape: [1 << 16, 1 << 15], values: [1])
        c.attr["value"]!.tensor.floatVal = [1]
        g.node = [placeholder("x", [-1, 3]), c, node("add", op: "AddV2", inputs: ["x", "big"])]
        #expect(throws: NativeEngineError.self) { _ = try TFGraphImporter.load(data: try g.serializedData()) }
    }

    /// Freezing leaves resource placeholders behind; they are not model inputs.
    @Test func resourcePlaceholdersAreIgnored() throws {
        var res = placeholder("unused_resource", [])
        res.attr["dtype"] = attr(type: .dtResource)
        var g = Tensorflow_GraphDef()
        g.node = [placeholder("x", [-1, 2]), res, const("two", shape: [], values: [2]), node("y", op: "Mul", inputs: ["x", "two"])]
        let backend = NativeGraphBackend(graph: try TFGraphImporter.load(data: try g.serializedData()), format: "test")
        #expect(backend.signature.inputs.map(\.name) == ["x"])
        let out = try backend.infer([Tensor(name: "x", shape: [2, 2], values: [Float(1), 2, 3, 4])], outputs: nil)
        #expect(out[0].values(Float.self) == [2, 4, 6, 8])
    }

    // MARK: GraphDef building helpers

    func attr(type: Tensorflow_DataType) -> Tensorflow_AttrValue {
        var a = Tensorflow_AttrValue()
        a.type = type
        return a
    }

    func node(_ name: String, op: String, inputs: [String]) -> Tensorflow_NodeDef {
        var n = Tensorflow_NodeDef()
        n.name = name
        n.op = op
        n.input = inputs
        n.attr["T"] = attr(type: .dtFloat)
        return n
    }

    func placeholder(_ name: String, _ shape: [Int]) -> Tensorflow_NodeDef {
        var n = node(name, op: "Placeholder", inputs: [])
        n.attr["dtype"] = attr(type: .dtFloat)
        var s = Tensorflow_TensorShapeProto()
        s.dim = shape.map { d in
            var dim = Tensorflow_TensorShapeProto.Dim()
            dim.size = Int64(d)
            return dim
        }
        var a = Tensorflow_AttrValue()
        a.shape = s
        n.attr["shape"] = a
        return n
    }

    func const(_ name: String, shape: [Int], values: [Float]) -> Tensorflow_NodeDef {
        var n = node(name, op: "Const", inputs: [])
        var t = Tensorflow_TensorProto()
        t.dtype = .dtFloat
        t.tensorShape.dim = shape.map { d in
            var dim = Tensorflow_TensorShapeProto.Dim()
            dim.size = Int64(d)
            return dim
        }
        t.floatVal = values
        var a = Tensorflow_AttrValue()
        a.tensor = t
        n.attr["value"] = a
        n.attr["dtype"] = attr(type: .dtFloat)
        return n
    }
}
