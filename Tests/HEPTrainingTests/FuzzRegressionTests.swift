import Foundation
import Testing
@testable import HEPTraining

/// Inputs the fuzzer (fuzz/) found crashing: expressions (target `expression`, Tests/Fixtures/fuzz/expression-*)
/// and params or network files (target `configs`, Tests/Fixtures/fuzz/params-*).
@Suite struct FuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz").path

    static func reproducers(_ prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// The columns the fuzz target evaluates against.
    static let columns: [String: EventValues] = [
        "nMuon": .flat([0, 1, 2, 3]),
        "MET_pt": .flat([12.5, -3, .nan, 1e300]),
        "Muon_pt": .jagged(offsets: [0, 0, 1, 3, 6], values: [20, 30, 5, 1, 2, 3]),
        "Jet_eta": .jagged(offsets: [0, 2, 2, 2, 3], values: [-2.5, 0, 4]),
        "w": .scalar(2),
    ]

    @Test func reproducersAreCommitted() {
        #expect(Self.reproducers("expression-").count >= 1 && Self.reproducers("params-").count >= 1)
    }

    @Test(arguments: reproducers("expression-"))
    func expressionEvaluatesOrThrows(file: String) throws {
        let text = try String(contentsOfFile: Self.directory + "/" + file, encoding: .utf8)
        do {
            let e = try ExpressionParser.parse(text)
            _ = try ExpressionEvaluator.evaluate(e, source: text, columns: Self.columns, count: 4)
        } catch is TrainingError {}
    }

    /// An index beyond Int64 (`x[1e27]`) is out of range for every event, like any index past the list's end.
    @Test func hugeAndNonIntegerIndicesGiveNaN() throws {
        for index in ["777777777777777777777777771", "1e300", "1.5", "-1", "4"] {
            let text = "Muon_pt[\(index)]"
            let v = try ExpressionEvaluator.evaluate(try ExpressionParser.parse(text), source: text, columns: Self.columns, count: 4)
            guard case let .flat(values) = v else { Issue.record("\(text) is not per-event"); continue }
            #expect(values.count == 4 && values.allSatisfy(\.isNaN), "\(text)")
        }
        let text = "Muon_pt[2]"
        guard case let .flat(values) = try ExpressionEvaluator.evaluate(try ExpressionParser.parse(text), source: text,
                                                                         columns: Self.columns, count: 4) else { return }
        #expect(values[3] == 3 && values[0].isNaN)
    }

    /// Params and network files are checked before Yams builds them (it traps on a sequence as a mapping key).
    @Test(arguments: reproducers("params-"))
    func paramsFileIsAnError(file: String) throws {
        let text = try String(contentsOfFile: Self.directory + "/" + file, encoding: .utf8)
        #expect(throws: TrainingError.self) { try TrainingParams.parse(text: text, file: file) }
        #expect(throws: TrainingError.self) { try NetworkSpec.parse(text: text, file: file) }
    }

    @Test func yamlKeysDepthAndAliasExpansionAreBounded() throws {
        let nonScalarKeys = ["{[1]: 2}", "? {a: 1}\n: 2\n", "tree: Events\n? [x, y]\n: 1\n"]
        for text in nonScalarKeys {
            #expect(throws: TrainingError.configuration(file: "p", reason: "mapping keys must be plain strings")) {
                try TrainingParams.parse(text: text, file: "p")
            }
        }
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: TrainingError.configuration(file: "p", reason: "nesting deeper than 64 levels")) {
            try TrainingParams.parse(text: deep, file: "p")
        }
        var laughs = "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        for i in 1..<8 { laughs += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        #expect(throws: TrainingError.configuration(file: "p", reason: "the document expands to more than 100000 values")) {
            try TrainingParams.parse(text: laughs, file: "p")
        }
        #expect(try TrainingParams.parse(text: "tree: Other\nbranches: [a, b]\n", file: "p").tree == "Other")
    }

    /// Yams traps on a base-60 integer beyond `Int` (fuzz target `configs`); in-range ones still load.
    @Test func sexagesimalIntegersAreBounded() throws {
        #expect(throws: TrainingError.configuration(file: "p", reason: "integer 7777777777777777:1:1:22 is out of range")) {
            try TrainingParams.parse(text: "tree: Events\nseed: 7777777777777777:1:1:22\n", file: "p")
        }
        #expect(!YAMLText.fitsSexagesimal("1:1:1:1:1:1:1:1:1:1:1:1"))
        #expect(YAMLText.fitsSexagesimal("-1:30:00"))
        #expect(try TrainingParams.parse(text: "tree: Events\nbatch_size: 1:30\n", file: "p").batchSize == 90)
    }
}
