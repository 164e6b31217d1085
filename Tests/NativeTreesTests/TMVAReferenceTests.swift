import Foundation
import HEPInference
import Testing
import TestSupport

/// TMVA weight files (excerpts of real files, see Tests/Fixtures/trees/tmva/README.md) against the independent
/// Python evaluator's outputs (scripts/tmva_reference.py).
@Suite struct TMVAReferenceTests {
    static let directory = ModelFixtures.packageRoot + "/Tests/Fixtures/trees/tmva"

    static var reference: [String: [String: Any]] {
        guard let d = FileManager.default.contents(atPath: directory + "/reference.json"),
              let r = try? JSONSerialization.jsonObject(with: d) as? [String: [String: Any]] else { return [:] }
        return r
    }

    @Test func allFilesHaveReferences() {
        #expect(Self.reference.count == 4)
    }

    @Test(arguments: ["aprozo_adaboost_first8.weights.xml", "fastml_grad_first2.weights.xml",
                      "inutard_adaboost_first3.weights.xml", "normalize_synthetic.weights.xml"])
    func matchesTMVARules(_ file: String) throws {
        let path = Self.directory + "/" + file
        #expect(BackendFactory.platform(forPath: path) == "tmva")
        let backend = try BackendFactory(onnxEnvironment: nil).backend(platform: "tmva", path: path)
        let ref = try #require(Self.reference[file])
        let rows = try #require(ref["inputs"] as? [[Any]])
        let expected = try #require(ref["outputs"] as? [Double])
        let width = rows[0].count
        let values = rows.flatMap { $0.map { ($0 as? Double).map { Float($0) } ?? .nan } }
        let out = try backend.infer([Tensor(name: "input", shape: [rows.count, width], values: values)], outputs: nil)
        #expect(out.map(\.name) == ["score"])
        let got = out[0].doubles()
        #expect(got.count == expected.count)
        for (i, (g, e)) in zip(got, expected).enumerated() {
            #expect(abs(g - e) <= 1e-9, "\(file) row \(i): \(g) vs \(e)")
        }
    }

    @Test func variableNamesAreTheExpressions() throws {
        let m = try TreeModelFile.load(path: Self.directory + "/inutard_adaboost_first3.weights.xml", platform: "tmva", name: "x")
        #expect(m.ensemble.featureNames == ["var1+var2", "var1-var2", "var3", "var4"])
        let backend = TreeEnsembleBackend(model: m)
        let t = try backend.tensors(named: ["var1+var2": [1], "var1-var2": [0.5], "var3": [-1], "var4": [2]])
        #expect(t[0].shape == [1, 4])
        #expect(throws: InferenceError.self) { try backend.tensors(named: ["var1+var2": [1], "var3": [0], "var4": [0]]) }
        #expect(throws: InferenceError.self) {
            try backend.tensors(named: ["var1+var2": [1], "var1-var2": [0.5], "var3": [-1], "var4": [2], "var5": [0]])
        }
    }
}
