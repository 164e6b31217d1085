import FuzzSupport
import HEPTraining

/// Cut and define expressions: parsing, then evaluation over a small chunk with flat and jagged columns.
@main
enum ExpressionFuzzer {
    static func main() { runFuzzer { data, size in data.map { fuzzExpression($0, size) } ?? 0 } }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpression(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let expression = try? ExpressionParser.parse(text) else { return 0 }
    let columns: [String: EventValues] = [
        "nMuon": .flat([0, 1, 2, 3]),
        "MET_pt": .flat([12.5, -3, .nan, 1e300]),
        "Muon_pt": .jagged(offsets: [0, 0, 1, 3, 6], values: [20, 30, 5, 1, 2, 3]),
        "Jet_eta": .jagged(offsets: [0, 2, 2, 2, 3], values: [-2.5, 0, 4]),
        "w": .scalar(2),
    ]
    _ = try? ExpressionEvaluator.evaluate(expression, source: text, columns: columns, count: 4)
    return 0
}
