import Foundation
import HEPInference
import Testing
import TestSupport

/// Damaged or hostile tree-ensemble files are typed load errors naming the problem, never a crash or a hang.
@Suite struct BadTreeFileTests {
    static let directory = FrameworkFixtureTests.directory

    static func bytes(_ file: String) throws -> [UInt8] {
        [UInt8](try #require(FileManager.default.contents(atPath: directory + "/" + file)))
    }

    /// Expects a `TreeModelError` whose description contains every fragment.
    static func expectFailure(_ fragments: String..., kind: TreeModelError.Kind = .malformed,
                              sourceLocation: SourceLocation = #_sourceLocation, _ load: () throws -> TreeModel) {
        do {
            _ = try load()
            Issue.record("a bad file loaded", sourceLocation: sourceLocation)
        } catch let e as TreeModelError {
            #expect(e.kind == kind, "\(e)", sourceLocation: sourceLocation)
            for f in fragments { #expect(e.description.contains(f), "'\(e)' lacks '\(f)'", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("untyped error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// xgb_binary.json with `edit` applied to its first tree.
    static func xgboost(_ edit: (inout [String: Any]) -> Void) throws -> [UInt8] {
        var doc = try #require(try JSONSerialization.jsonObject(with: Data(try bytes("xgb_binary.json"))) as? [String: Any])
        var learner = doc["learner"] as! [String: Any]
        var booster = learner["gradient_booster"] as! [String: Any]
        var model = booster["model"] as! [String: Any]
        var trees = model["trees"] as! [[String: Any]]
        edit(&trees[0])
        model["trees"] = trees
        booster["model"] = model
        learner["gradient_booster"] = booster
        doc["learner"] = learner
        return [UInt8](try JSONSerialization.data(withJSONObject: doc))
    }

    @Test func truncatedFiles() throws {
        for (file, load) in [("xgb_binary.json", XGBoostModelImporter.load), ("xgb_binary.ubj", XGBoostModelImporter.load),
                             ("lgb_binary.txt", LightGBMModelImporter.load), ("skl_gbdt_binary.onnx", ONNXTreeEnsembleImporter.load),
                             ("tmva/aprozo_adaboost_first8.weights.xml", TMVAModelImporter.load)] as [(String, ([UInt8]) throws -> TreeModel)] {
            let b = try Self.bytes(file)
            for cut in [0, 1, b.count / 3, b.count / 2, 2 * b.count / 3] {
                #expect(throws: TreeModelError.self, "\(file) cut at \(cut)") { try load(Array(b.prefix(cut))) }
            }
        }
    }

    @Test func nodeOutsideTheArray() throws {
        let b = try Self.xgboost { t in
            var left = t["left_children"] as! [Int]
            left[0] = 9999
            t["left_children"] = left
        }
        Self.expectFailure("tree 0", "9999") { try XGBoostModelImporter.load(b) }
        let negative = try Self.xgboost { t in
            var right = t["right_children"] as! [Int]
            right[0] = -7
            t["right_children"] = right
        }
        Self.expectFailure("right_children") { try XGBoostModelImporter.load(negative) }
    }

    @Test func cycleInNodeLinks() throws {
        let b = try Self.xgboost { t in
            var left = t["left_children"] as! [Int]
            left[1] = 0
            t["left_children"] = left
        }
        Self.expectFailure("reached twice") { try XGBoostModelImporter.load(b) }
    }

    @Test func featureBeyondTheInputs() throws {
        let b = try Self.xgboost { t in
            var f = t["split_indices"] as! [Int]
            f[0] = 100
            t["split_indices"] = f
        }
        Self.expectFailure("feature 100", "8 features") { try XGBoostModelImporter.load(b) }
        var text = String(decoding: try Self.bytes("lgb_binary.txt"), as: UTF8.self)
        text = text.replacingOccurrences(of: "split_feature=0 ", with: "split_feature=42 ")
        Self.expectFailure("feature 42") { try LightGBMModelImporter.load(Array(text.utf8)) }
    }

    @Test func absurdSizes() throws {
        var text = String(decoding: try Self.bytes("lgb_binary.txt"), as: UTF8.self)
        text = text.replacingOccurrences(of: "num_leaves=15\n", with: "num_leaves=2000000000\n")
        Self.expectFailure("num_leaves") { try LightGBMModelImporter.load(Array(text.utf8)) }
        var features = String(decoding: try Self.bytes("lgb_binary.txt"), as: UTF8.self)
        features = features.replacingOccurrences(of: "max_feature_idx=7", with: "max_feature_idx=99999999999")
        Self.expectFailure("max_feature_idx") { try LightGBMModelImporter.load(Array(features.utf8)) }
        // UBJSON: an optimized array claiming 2^40 float32 elements in a 30-byte document.
        var ubj: [UInt8] = Array("{U\u{1}a[$d#L".utf8)
        ubj += [0, 0, 1, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 16)
        Self.expectFailure("exceeds the data") { try XGBoostModelImporter.load(ubj) }
        let wide = try Self.xgboost { _ in }
        var doc = String(decoding: wide, as: UTF8.self)
        doc = doc.replacingOccurrences(of: "\"num_feature\":\"8\"", with: "\"num_feature\":\"1000000000000\"")
        Self.expectFailure("num_feature") { try XGBoostModelImporter.load(Array(doc.utf8)) }
    }

    @Test func deeplyNestedDocumentsAreRefused() {
        let ubj = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        Self.expectFailure("nesting") { try XGBoostModelImporter.load(ubj) }
        let xml = "<MethodSetup Method=\"BDT::BDT\">" + String(repeating: "<a>", count: 5000)
        #expect(throws: TreeModelError.self) { try TMVAModelImporter.load(Array(xml.utf8)) }
    }

    @Test func unsupportedFeaturesAreClearErrors() throws {
        var text = String(decoding: try Self.bytes("lgb_binary.txt"), as: UTF8.self)
        text = text.replacingOccurrences(of: "is_linear=0", with: "is_linear=1")
        Self.expectFailure("linear tree", kind: .unsupported) { try LightGBMModelImporter.load(Array(text.utf8)) }
        var xml = String(decoding: try Self.bytes("tmva/aprozo_adaboost_first8.weights.xml"), as: UTF8.self)
        xml = xml.replacingOccurrences(of: "<Transformations NTransformations=\"0\"/>",
                                       with: "<Transformations NTransformations=\"1\"><Transform Name=\"Decorrelation\"/></Transformations>")
        Self.expectFailure("Decorrelation", kind: .unsupported) { try TMVAModelImporter.load(Array(xml.utf8)) }
    }

    @Test func tmvaStructureErrors() throws {
        let good = String(decoding: try Self.bytes("tmva/aprozo_adaboost_first8.weights.xml"), as: UTF8.self)
        let wrongCount = good.replacingOccurrences(of: "NTrees=\"8\"", with: "NTrees=\"9\"")
        Self.expectFailure("NTrees") { try TMVAModelImporter.load(Array(wrongCount.utf8)) }
        let badVar = good.replacingOccurrences(of: "IVar=\"2\" Cut=\"-1.6706624031066895e+00\"", with: "IVar=\"7\" Cut=\"-1.6706624031066895e+00\"")
        Self.expectFailure("feature 7", "3 features") { try TMVAModelImporter.load(Array(badVar.utf8)) }
        let missingChild = good.replacingOccurrences(
            of: "<Node pos=\"r\" depth=\"1\" NCoef=\"0\" IVar=\"-1\" Cut=\"-1.6157562732696533e+00\" cType=\"0\" res=\"-9.9000000000000000e+01\" rms=\"0.0000000000000000e+00\" purity=\"4.2780749499797821e-02\" nType=\"-1\"/>",
            with: "")
        Self.expectFailure("lacks") { try TMVAModelImporter.load(Array(missingChild.utf8)) }
    }

    @Test func contentSniffing() throws {
        #expect(TreeModelFile.platform(of: try Self.bytes("xgb_binary.json"), fileName: "m.json") == "xgboost")
        #expect(TreeModelFile.platform(of: try Self.bytes("xgb_binary.ubj"), fileName: "m.ubj") == "xgboost")
        #expect(TreeModelFile.platform(of: try Self.bytes("lgb_binary.txt"), fileName: "m.txt") == "lightgbm")
        #expect(TreeModelFile.platform(of: try Self.bytes("tmva/fastml_grad_first2.weights.xml"), fileName: "w.xml") == "tmva")
        #expect(TreeModelFile.platform(of: Array("{\"layers\": []}".utf8), fileName: "m.json") == nil)
    }
}
