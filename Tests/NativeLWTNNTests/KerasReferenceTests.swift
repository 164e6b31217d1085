import Foundation
import HEPInference
import Testing
import TestSupport

/// lwtnn files written by scripts/make_lwtnn_models.py from Keras models, against Keras's own outputs
/// ("layers": maxout, highway, normalization, embedding and parametrised activations against numpy)
/// (float64 Keras, raw inputs; the network applies the offset/scale preprocessing).
@Suite struct KerasReferenceTests {
    static let directory = ModelFixtures.packageRoot + "/Tests/Fixtures/lwtnn"

    struct Case {
        var inputs: [String: [Double]]
        var outputs: [String: [String: Double]]
    }

    static func cases(_ name: String) throws -> [Case] {
        let data = try #require(FileManager.default.contents(atPath: "\(directory)/\(name).reference.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let list = try #require(root["cases"] as? [[String: Any]])
        return try list.map { c in
            let raw = try #require(c["inputs"] as? [String: Any])
            let inputs = raw.mapValues { v in (v as? [Double]) ?? [(v as? Double) ?? .nan] }
            return Case(inputs: inputs, outputs: try #require(c["outputs"] as? [String: [String: Double]]))
        }
    }

    static func network(_ name: String) throws -> LWTNNNetwork {
        let data = try #require(FileManager.default.contents(atPath: "\(directory)/\(name).json"))
        return try LWTNNNetwork(json: [UInt8](data))
    }

    @Test(arguments: ["dense", "lstm", "gru", "graph", "layers"])
    func matchesKerasOneByOne(_ name: String) throws {
        let net = try Self.network(name)
        let cases = try Self.cases(name)
        #expect(cases.count == 50)
        for c in cases {
            let got = try net.evaluate(named: c.inputs)
            #expect(got.keys.sorted() == c.outputs.keys.sorted())
            for (output, labels) in c.outputs {
                for (label, expected) in labels {
                    let v = got[output]?[label] ?? .nan
                    #expect(abs(v - expected) <= 1e-5, "\(name) \(output)/\(label): \(v) vs \(expected)")
                }
            }
        }
    }

    /// Cases with the same sequence length run as one batch (the batched matrix path) and give the same answers.
    @Test(arguments: ["dense", "lstm", "gru", "graph", "layers"])
    func matchesKerasInBatches(_ name: String) throws {
        let net = try Self.network(name)
        let cases = try Self.cases(name)
        let prepared = try cases.map { ($0, try net.blockValues(named: $0.inputs)) }
        let groups = Dictionary(grouping: prepared) { $0.1.steps }
        #expect(groups.count < cases.count)
        for (steps, group) in groups {
            let blocks = net.inputs.indices.map { i in group.flatMap { $0.1.blocks[i] } }
            let result = try net.evaluate(blocks: blocks, count: group.count, steps: steps)
            for (o, output) in net.outputs.enumerated() {
                let size = output.labels.count
                for (n, c) in group.map(\.0).enumerated() {
                    for (j, label) in output.labels.enumerated() {
                        let expected = c.outputs[output.name]?[label] ?? .nan
                        #expect(abs(result[o][n * size + j] - expected) <= 1e-5)
                    }
                }
            }
        }
    }

    @Test func signatureHasOneTensorPerBlockAndOutput() throws {
        let backend = LWTNNBackend(network: try Self.network("graph"))
        #expect(backend.signature.inputs == [
            TensorSpec(name: "jet", datatype: .FP32, shape: [-1, 3]),
            TensorSpec(name: "event", datatype: .FP32, shape: [-1, 2]),
            TensorSpec(name: "tracks", datatype: .FP32, shape: [-1, -1, 4]),
        ])
        #expect(backend.signature.outputs == [
            TensorSpec(name: "flavour", datatype: .FP32, shape: [-1, 3]),
            TensorSpec(name: "regression", datatype: .FP32, shape: [-1, 1]),
        ])
        let lstm = LWTNNBackend(network: try Self.network("lstm"))
        #expect(lstm.signature.inputs == [TensorSpec(name: "inputs", datatype: .FP32, shape: [-1, -1, 4])])
    }

    @Test func kserveTensorsMatchKeras() throws {
        let backend = LWTNNBackend(network: try Self.network("graph"))
        let c = try #require(try Self.cases("graph").first)
        let tensors = try backend.tensors(named: c.inputs)
        #expect(tensors.map(\.name) == ["jet", "event", "tracks"])
        let out = try backend.infer(tensors, outputs: ["regression", "flavour"])
        #expect(out.map(\.name) == ["regression", "flavour"])
        let flavour = try #require(out[1].values(Float.self))
        for (j, label) in ["b", "c", "u"].enumerated() {
            #expect(abs(Double(flavour[j]) - (c.outputs["flavour"]?[label] ?? .nan)) <= 1e-4)
        }
    }

    @Test func defaultsFillAbsentVariables() throws {
        let net = try Self.network("graph")
        var c = try #require(try Self.cases("graph").first).inputs
        c["rho"] = nil
        let jetBlock = try net.blockValues(named: c)
        let rho = try #require(net.inputs[1].variables.first { $0.name == "rho" }?.defaultValue)
        #expect(jetBlock.blocks[1][1] == rho)
        c["pt"] = nil
        #expect(throws: InferenceError.invalidInput("missing input variable 'pt'")) { try net.blockValues(named: c) }
    }
}

/// Model files recognised by content: lwtnn (both formats) vs XGBoost JSON vs binary files.
@Suite struct ModelFileKindTests {
    @Test func jsonModelsByTopLevelKeys() {
        for name in ["dense", "lstm", "gru", "graph"] {
            #expect(ModelFileKind.detect(path: "\(KerasReferenceTests.directory)/\(name).json") == .lwtnn)
        }
        #expect(ModelFileKind.detect(path: ModelFixtures.modelsDirectory + "/lwtnn-deepcsv-phasei/model.json") == .lwtnn)
        #expect(ModelFileKind.detect(path: ModelFixtures.modelsDirectory + "/xgboost-bdt/model.json") == .xgboostJSON)
        #expect(ModelFileKind.detect(path: ModelFixtures.modelsDirectory + "/sklearn-mlp/model.onnx") == .onnx)
        // Keys inside nested objects or strings do not count.
        let nested = Array(#"{"a": {"learner": 1, "layers": []}, "b": "\"learner\"", "inputs": []}"#.utf8)
        #expect(ModelFileKind.detect(bytes: nested, fileName: "x.json") == .unknown)
        #expect(BackendFactory.platform(forPath: ModelFixtures.modelsDirectory + "/lwtnn-deepcsv-phasei/model.json") == "lwtnn")
    }
}

/// A category outside an embedding table is a request error, not a crash.
@Suite struct EmbeddingInputTests {
    @Test func categoryOutsideTableIsInvalidInput() throws {
        let net = try KerasReferenceTests.network("layers")
        var c = try #require(try KerasReferenceTests.cases("layers").first).inputs
        c["cat"] = [7]
        c["u"] = [0]
        c["v"] = [0]
        #expect(throws: InferenceError.invalidInput("embedding: category 7.0 is not an integer in 0..<4")) { try net.evaluate(named: c) }
        c["cat"] = [1.5]
        #expect(throws: InferenceError.self) { try net.evaluate(named: c) }
    }
}
