import Foundation
import HEPInference
import Testing
import TestSupport

/// Every model in Tests/Fixtures/trees (made by scripts/make_tree_models.py with XGBoost, LightGBM and
/// scikit-learn + skl2onnx) against the framework's own predictions on 1,000 rows with missing values, values at
/// split thresholds and unseen categories.
@Suite struct FrameworkFixtureTests {
    static let directory = ModelFixtures.packageRoot + "/Tests/Fixtures/trees"

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var format: String
        var model: String
        var rows: Int
        var features: Int
        var outputs: [String: [Int]]
        var tolerance: Double
        var description: String { model }
    }

    static let cases: [Case] = {
        guard let data = FileManager.default.contents(atPath: directory + "/manifest.json"),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = root["cases"] as? [[String: Any]] else { return [] }
        return list.flatMap { c -> [Case] in
            let models = c["models"] as? [String] ?? []
            let outputs = (c["outputs"] as? [String: [Int]]) ?? [:]
            return models.map {
                Case(name: c["case"] as? String ?? "", format: c["format"] as? String ?? "", model: $0,
                     rows: c["rows"] as? Int ?? 0, features: c["features"] as? Int ?? 0, outputs: outputs,
                     tolerance: c["tolerance"] as? Double ?? 1e-6)
            }
        }
    }()

    static func floats(_ file: String) throws -> [Float] {
        let d = try #require(FileManager.default.contents(atPath: directory + "/" + file))
        return d.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    static func doubles(_ file: String) throws -> [Double] {
        let d = try #require(FileManager.default.contents(atPath: directory + "/" + file))
        return d.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }

    @Test func manifestHasAllFormats() {
        #expect(Self.cases.count >= 20)
        #expect(Set(Self.cases.map(\.format)) == ["xgboost", "lightgbm", "onnx"])
    }

    @Test(arguments: cases)
    func matchesFramework(_ c: Case) throws {
        let platform = c.format == "onnx" ? "onnx" : c.format
        let path = Self.directory + "/" + c.model
        if c.format != "onnx" {
            #expect(BackendFactory.platform(forPath: path) == c.format)
        }
        let backend = TreeEnsembleBackend(model: try TreeModelFile.load(path: path, platform: platform, name: c.model))
        let x = try Self.floats(c.name + ".input.f32")
        #expect(x.count == c.rows * c.features)
        let input = Tensor(name: backend.signature.inputs[0].name, shape: [c.rows, c.features], values: x)
        let results = try backend.infer([input], outputs: nil)
        for (name, shape) in c.outputs {
            let expected = try Self.doubles("\(c.name).\(name).f64")
            #expect(expected.count == shape.reduce(1, *))
            let got = try #require(results.first { $0.name == name }, "no output '\(name)' in \(results.map(\.name))")
            let values = got.doubles()
            #expect(values.count == expected.count, "\(name): \(values.count) values, expected \(expected.count)")
            var worst = (row: -1, diff: 0.0)
            for i in 0..<min(values.count, expected.count) {
                let d = abs(values[i] - expected[i]) / max(1, abs(expected[i]))
                if !(d <= worst.diff) { worst = (i, d) }
            }
            #expect(worst.diff <= c.tolerance,
                    "\(c.model) '\(name)': element \(worst.row) differs by \(worst.diff) (got \(worst.row >= 0 ? values[worst.row] : .nan), expected \(worst.row >= 0 ? expected[worst.row] : .nan))")
        }
    }

    @Test func float64InputGivesTheSameAnswer() throws {
        let c = try #require(Self.cases.first { $0.model == "lgb_binary.txt" })
        let backend = TreeEnsembleBackend(model: try TreeModelFile.load(path: Self.directory + "/" + c.model, platform: "lightgbm", name: c.model))
        let x = try Self.floats(c.name + ".input.f32")
        let a = try backend.infer([Tensor(name: "input", shape: [c.rows, c.features], values: x)], outputs: ["probabilities"])
        let b = try backend.infer([Tensor(name: "input", shape: [c.rows, c.features], values: x.map(Double.init))], outputs: ["probabilities"])
        #expect(a == b)
    }

    @Test func featureNamesFromTheFile() throws {
        for (file, platform) in [("xgb_binary.json", "xgboost"), ("xgb_binary.ubj", "xgboost"), ("lgb_binary.txt", "lightgbm")] {
            let m = try TreeModelFile.load(path: Self.directory + "/" + file, platform: platform, name: file)
            #expect(m.ensemble.featureNames == ["jet_pt", "jet_eta", "jet_phi", "jet_mass", "btag", "n_tracks", "lep_iso", "met"])
            let backend = TreeEnsembleBackend(model: m)
            #expect(backend.summary.inputVariables.first?.names == m.ensemble.featureNames)
        }
    }
}
