import Testing
@testable import HEPTraining
import ROOTIO

@Suite struct ExpressionTests {
    static func columns() -> [String: EventValues] {
        [
            "nJet": .flat([2, 0, 3]),
            "Jet_pt": .jagged(offsets: [0, 2, 2, 5], values: [50, 20, 10, 40, 35]),
            "MET": .flat([10, 20, 30]),
        ]
    }

    static func eval(_ s: String) throws -> EventValues {
        try ExpressionEvaluator.evaluate(try ExpressionParser.parse(s), source: s, columns: columns(), count: 3)
    }

    static func flat(_ s: String) throws -> [Double] {
        guard case let .flat(v) = try eval(s) else { Issue.record("\(s) is not per-event"); return [] }
        return v
    }

    @Test func reductionsIndexingAndArithmetic() throws {
        #expect(try Self.flat("sum(Jet_pt)") == [70, 0, 85])
        #expect(try Self.flat("count(Jet_pt > 30)") == [1, 0, 2])
        #expect(try Self.flat("len(Jet_pt)") == [2, 0, 3])
        #expect(try Self.flat("max(Jet_pt)").map { $0.isNaN ? -1 : $0 } == [50, -1, 40])
        let first = try Self.flat("Jet_pt[0]")
        #expect(first[0] == 50 && first[1].isNaN && first[2] == 10)
        #expect(try Self.flat("nJet >= 2 && Jet_pt[0] > 20") == [1, 0, 0])
        #expect(try Self.flat("!(MET > 15) || nJet == 0") == [1, 1, 0])
        #expect(try Self.flat("abs(MET - 25) * 2 + sqrt(4) - 2 % 3") == [30, 10, 10])
        #expect(try Self.flat("min(MET, 15)") == [10, 15, 15])
        guard case let .jagged(o, v) = try Self.eval("Jet_pt / MET") else { Issue.record("not jagged"); return }
        #expect(o == [0, 2, 2, 5] && v == [5, 2, 10.0 / 30, 40.0 / 30, 35.0 / 30])
        #expect(try Self.flat("sum(Jet_pt * (Jet_pt > 30))") == [50, 0, 75])
    }

    @Test func parseErrorsPointAtTheCharacter() {
        for (text, offset) in [("nJet >= ", 8), ("sum(Jet_pt", 10), ("nJet $ 2", 5), ("foo(1)", 0), ("(1 + 2", 6)] {
            do {
                _ = try ExpressionParser.parse(text)
                Issue.record("'\(text)' parsed")
            } catch let TrainingError.parse(_, o, _) {
                #expect(o == offset, "\(text)")
            } catch {
                Issue.record("\(error)")
            }
        }
        #expect(throws: TrainingError.unknownName(expression: "Muon_pt[0] > 3", name: "Muon_pt")) { try Self.eval("Muon_pt[0] > 3") }
        #expect(throws: TrainingError.self) { try Self.eval("Jet_pt[Jet_pt]") }
    }
}
