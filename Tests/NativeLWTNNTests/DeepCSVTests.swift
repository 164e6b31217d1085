import Foundation
import HEPInference
import Testing
import TestSupport

/// CMS DeepCSV (lwtnn sequential JSON from cms-data/RecoBTag-Combined) against its numpy reference cases.
@Suite struct DeepCSVTests {
    static let directory = ModelFixtures.modelsDirectory + "/lwtnn-deepcsv-phasei"

    static func reference() throws -> [(inputs: [String: Double], outputs: [String: Double])] {
        let data = try #require(FileManager.default.contents(atPath: directory + "/reference.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        return try cases.map { c in
            (try #require(c["inputs"] as? [String: Double]), try #require(c["outputs"] as? [String: Double]))
        }
    }

    @Test func matchesReferenceCasesByName() throws {
        let backend = try LWTNNBackend(path: Self.directory + "/model.json")
        #expect(backend.network.format == .sequential)
        #expect(backend.variableNames.count == 66)
        let cases = try Self.reference()
        #expect(cases.count >= 4)
        for c in cases {
            let out = try #require(try backend.network.evaluate(named: c.inputs.mapValues { [$0] })["outputs"])
            #expect(out.keys.sorted() == c.outputs.keys.sorted())
            for (label, expected) in c.outputs {
                #expect(abs((out[label] ?? .nan) - expected) <= 1e-6, "\(label): \(out[label] ?? .nan) vs \(expected)")
            }
        }
    }

    @Test func batchTensorMatchesReference() throws {
        let backend = try LWTNNBackend(path: Self.directory + "/model.json")
        let cases = try Self.reference()
        let names = backend.variableNames
        let values = cases.flatMap { c in names.map { Float(c.inputs[$0] ?? .nan) } }
        let input = Tensor(name: "inputs", shape: [cases.count, names.count], values: values)
        let out = try #require(try backend.infer([input], outputs: nil).first)
        #expect(out.shape == [cases.count, 4])
        let got = try #require(out.values(Float.self))
        let labels = backend.network.outputs[0].labels
        for (n, c) in cases.enumerated() {
            for (j, label) in labels.enumerated() {
                // FP32 tensors: inputs and outputs rounded to float.
                #expect(abs(Double(got[n * 4 + j]) - (c.outputs[label] ?? .nan)) <= 1e-5)
            }
        }
    }

    @Test func missingAndUnknownVariablesAreNamed() throws {
        let backend = try LWTNNBackend(path: Self.directory + "/model.json")
        let c = try #require(try Self.reference().first)
        var named = c.inputs.mapValues { [$0] }
        named["notAVariable"] = [1]
        #expect(throws: InferenceError.invalidInput("unknown input variable 'notAVariable'")) {
            try backend.tensors(named: named)
        }
        // DeepCSV declares defaults for every variable: an absent one takes its default.
        named["notAVariable"] = nil
        named["jetPt"] = nil
        let withDefault = try backend.tensors(named: named)
        let pt = try #require(withDefault.first?.values(Float.self)?.first)
        #expect(pt == 0)
    }
}
