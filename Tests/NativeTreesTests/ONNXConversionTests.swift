import Foundation
@testable import HEPInference
import Testing
import TestSupport

/// `TreeEnsembleONNXWriter`: converted models run in ONNX Runtime (through hepml's ORT backend) and give the
/// native ensemble's and the framework's own predictions; what ONNX-ML cannot express is refused with the reason.
@Suite struct ONNXConversionTests {
    static let directory = FrameworkFixtureTests.directory

    /// Fixture cases whose models ONNX-ML can express (categorical and "zero is missing" splits cannot).
    static let convertible = FrameworkFixtureTests.cases.filter {
        !$0.model.contains("categorical") && !$0.model.contains("zero_missing")
    }

    static func expectClose(_ got: [Double], _ expected: [Double], tolerance: Double, _ label: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == expected.count, "\(label): \(got.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        var worst = (index: -1, diff: 0.0)
        for i in 0..<min(got.count, expected.count) {
            let d = abs(got[i] - expected[i]) / max(1, abs(expected[i]))
            if !(d <= worst.diff) { worst = (i, d) }
        }
        #expect(worst.diff <= tolerance, "\(label): element \(worst.index) differs by \(worst.diff)", sourceLocation: sourceLocation)
    }

    /// Runs `bytes` in ONNX Runtime on float rows `x`.
    static func runORT(_ bytes: [UInt8], input: String, _ x: [Float], rows: Int, features: Int) throws -> [Tensor] {
        let session = try ORTSession(environment: ModelFixtures.environment, modelBytes: bytes)
        return try session.infer([Tensor(name: input, shape: [rows, features], values: x)], outputs: nil)
    }

    @Test(arguments: convertible)
    func convertedModelRunsInONNXRuntime(_ c: FrameworkFixtureTests.Case) throws {
        let model = try TreeModelFile.load(path: Self.directory + "/" + c.model, platform: c.format, name: c.model)
        let bytes = try TreeEnsembleONNXWriter.onnx(model)
        let x = try FrameworkFixtureTests.floats(c.name + ".input.f32")
        let ort = try Self.runORT(bytes, input: model.inputName, x, rows: c.rows, features: c.features)
        let native = try TreeEnsembleBackend(model: model)
            .infer([Tensor(name: model.inputName, shape: [c.rows, c.features], values: x)], outputs: nil)
        // hepml's own ONNX-ML importer reads the converted file back.
        let reread = try TreeEnsembleBackend(model: ONNXTreeEnsembleImporter.load(bytes))
            .infer([Tensor(name: model.inputName, shape: [c.rows, c.features], values: x)], outputs: nil)
        if model.classCount > 0 {
            let p = try #require(ort.first { $0.name == "probabilities" })
            #expect(p.shape == [c.rows, model.classCount])
            if c.outputs["probabilities"] != nil {
                let expected = try FrameworkFixtureTests.doubles("\(c.name).probabilities.f64")
                Self.expectClose(p.doubles(), expected, tolerance: 1e-5, "\(c.model) ORT vs framework")
            }
            let mine = try #require(native.first { $0.name == (model.outputNames.count == 2 ? model.outputNames[1] : "probabilities") })
            Self.expectClose(p.doubles(), mine.doubles(), tolerance: 1e-5, "\(c.model) ORT vs native")
            let again = try #require(reread.first { $0.name == "probabilities" })
            Self.expectClose(again.doubles(), p.doubles(), tolerance: 1e-6, "\(c.model) re-read vs ORT")
            let labels = try #require(ort.first { $0.name == "label" })
            let expectedLabels = try #require(native.first { $0.datatype == .INT64 })
            let a = labels.values(Int64.self) ?? [], b = expectedLabels.values(Int64.self) ?? []
            let differing = zip(a, b).filter { $0 != $1 }.count
            // A probability within float rounding of 0.5 may be labelled either way.
            #expect(a.count == b.count && differing <= 1, "\(c.model): \(differing) labels differ")
            if c.outputs["label"] != nil {
                let expected = try FrameworkFixtureTests.doubles("\(c.name).label.f64")
                let framework = zip(a, expected).filter { Double($0) != $1 }.count
                #expect(framework <= 1, "\(c.model): \(framework) labels differ from the framework's")
            }
        } else {
            let v = try #require(ort.first { $0.name == "variable" })
            #expect(v.shape == [c.rows, model.ensemble.outputCount])
            let key = c.outputs.keys.first { $0 != "margin" } ?? "predictions"
            let expected = try FrameworkFixtureTests.doubles("\(c.name).\(key).f64")
            Self.expectClose(v.doubles(), expected, tolerance: 1e-5, "\(c.model) ORT vs framework")
            let again = try #require(reread.first { $0.name == "variable" })
            Self.expectClose(again.doubles(), v.doubles(), tolerance: 1e-6, "\(c.model) re-read vs ORT")
        }
    }

    @Test func tmvaAdaBoostResponsesSurviveConversion() throws {
        let dir = Self.directory + "/tmva"
        for file in ["aprozo_adaboost_first8.weights.xml", "inutard_adaboost_first3.weights.xml"] {
            let model = try TreeModelFile.load(path: dir + "/" + file, platform: "tmva", name: file)
            let f = model.ensemble.featureCount
            var g = BranchFreeForestTests.SplitMix(state: 3)
            let rows = 200
            let x = (0..<(rows * f)).map { _ in Float(g.below(2001) - 1000) / 100 }
            let ort = try Self.runORT(try TreeEnsembleONNXWriter.onnx(model), input: model.inputName, x, rows: rows, features: f)
            let native = try TreeEnsembleBackend(model: model).infer([Tensor(name: model.inputName, shape: [rows, f], values: x)], outputs: nil)
            let v = try #require(ort.first { $0.name == "variable" })
            Self.expectClose(v.doubles(), native[0].doubles(), tolerance: 1e-5, file)
        }
    }

    @Test func unrepresentableModelsAreRefusedWithTheReason() throws {
        let cases: [(String, String, String)] = [
            ("lgb_categorical.txt", "lightgbm", "categorical"), ("xgb_categorical.json", "xgboost", "categorical"),
            ("lgb_zero_missing.txt", "lightgbm", "zero is missing"),
            ("tmva/fastml_grad_first2.weights.xml", "tmva", "gradient-boost output mapping"),
            ("tmva/normalize_synthetic.weights.xml", "tmva", "Normalize"),
        ]
        for (file, platform, fragment) in cases {
            let model = try TreeModelFile.load(path: Self.directory + "/" + file, platform: platform, name: file)
            do {
                _ = try TreeEnsembleONNXWriter.onnx(model)
                Issue.record("\(file) converted")
            } catch let e as TreeModelError {
                #expect(e.kind == .unsupported)
                #expect(e.message.contains(fragment), "\(file): '\(e.message)' lacks '\(fragment)'")
            }
        }
    }

    /// Double thresholds that no float equals: the float thresholds written keep every float input on its side.
    @Test func doubleThresholdsKeepFloatInputsOnTheirSide() throws {
        let thresholds: [Double] = [0.1, -0.1, 1e-45, 3.4028235677973366e+38, 1e300, -1e300, 0.5, .infinity]
        let trees = thresholds.count * 6
        var builder = try TreeEnsembleBuilder(format: "test", featureCount: 1, outputCount: trees)
        var index = 0
        for t in thresholds {
            for test in [RawTree.Test.less, .lessOrEqual, .equal] {
                for nanTrue in [false, true] {
                    var n = RawTree.Node()
                    n.test = test
                    n.threshold = t
                    n.missingGoesTrue = nanTrue
                    n.trueChild = 1
                    n.falseChild = 2
                    try builder.add(RawTree(nodes: [n, .leaf(1), .leaf(-1)], root: 0, group: index), index: index)
                    index += 1
                }
            }
        }
        let e = try builder.build(featureNames: [], baseScores: [Double](repeating: 0, count: trees), link: .identity,
                                  inputPrecision: .float64)
        let model = TreeModel(format: "lightgbm", objective: "test", task: .regressor, ensemble: e)
        var x: [Float] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0, 1e-45, 0]
        for t in thresholds where t.isFinite {
            let f = Float(t)
            x += [f, f.nextUp, f.nextDown]
        }
        let ort = try Self.runORT(try TreeEnsembleONNXWriter.onnx(model), input: "input", x, rows: x.count, features: 1)
        let native = x.withUnsafeBufferPointer { e.predict($0, rows: x.count) }
        // One output per tree (+1 true side, -1 false side): every split's side for every input is compared.
        #expect(ort[0].shape == [x.count, trees])
        let got = ort[0].doubles()
        let wrong = native.indices.filter { got[$0] != native[$0] }.map { "x=\(x[$0 / trees]) tree \($0 % trees)" }
        #expect(wrong.isEmpty, "\(wrong.prefix(8))")
    }
}
