import Foundation
import ROOTIO

/// A named derived column (`HT = sum(Jet_pt)`).
public struct Define: Sendable, Equatable {
    public var name: String
    public var source: String
    public var expression: Expression

    /// Parses `NAME = EXPRESSION`.
    public init(_ text: String) throws {
        guard let eq = text.firstIndex(of: "="), text[text.index(after: eq)...].first != "=" else {
            throw TrainingError.parse(expression: text, offset: 0, reason: "a define is 'NAME = EXPRESSION'")
        }
        name = text[..<eq].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw TrainingError.parse(expression: text, offset: 0, reason: "'\(name)' is not a valid column name")
        }
        source = String(text[text.index(after: eq)...])
        expression = try ExpressionParser.parse(source)
    }
}

/// Chunk columns after defines and cuts, with the original entry number of each event.
public struct EventChunk: Sendable {
    /// Columns as Double values after the cuts: the defined columns, the inputs of defines and cuts, and the
    /// columns asked for as Double.
    public var columns: [String: EventValues]
    public var count: Int
    /// Entry numbers in the source file.
    public var entries: [Int64]
    /// The reader's typed columns, before the cuts (event `kept[i]` is row `i`).
    public var raw: [String: Column] = [:]
    /// Events of the reader chunk that passed the cuts, in order (nil: all of them).
    public var kept: [Int]?

    /// Index into the reader chunk of row `i`.
    @inline(__always) func event(_ i: Int) -> Int { kept?[i] ?? i }
}

/// Applies defines (in order) and cuts to reader chunks.
public struct EventTransform: Sendable {
    public var defines: [Define]
    public var cuts: [(source: String, expression: Expression)]

    public init(defines: [String], cuts: [String]) throws {
        self.defines = try defines.map(Define.init)
        self.cuts = try cuts.map { ($0, try ExpressionParser.parse($0)) }
    }

    /// Branch names the defines and cuts read (defined names excluded).
    public var inputNames: Set<String> {
        var names = Set<String>()
        for d in defines { names.formUnion(d.expression.names) }
        for c in cuts { names.formUnion(c.expression.names) }
        return names.subtracting(defines.map(\.name))
    }

    /// Evaluates defines and cuts over a reader chunk.
    /// - Parameter doubles: reader columns wanted as Double `columns` besides the inputs of defines and cuts
    ///   (nil: all of them); every reader column is also kept typed in `raw`.
    public func apply(_ batch: ColumnBatch, doubles: Set<String>? = nil) throws -> EventChunk {
        var columns: [String: EventValues] = [:]
        var raw: [String: Column] = [:]
        let inputs = doubles.map { $0.union(inputNames) }
        for c in batch.columns {
            raw[c.name] = c
            if inputs?.contains(c.name) ?? true { columns[c.name] = EventValues(c) }
        }
        let n = batch.entryCount
        for d in defines {
            let v = try ExpressionEvaluator.evaluate(d.expression, source: d.source, columns: columns, count: n)
            if case let .scalar(x) = v { columns[d.name] = .flat([Double](repeating: x, count: n)) } else { columns[d.name] = v }
        }
        var keep = [Bool](repeating: true, count: n)
        for (source, e) in cuts {
            let v = try ExpressionEvaluator.evaluate(e, source: source, columns: columns, count: n)
            guard let per = v.perEvent(count: n) else {
                throw TrainingError.evaluation(expression: source, reason: "a cut must give one value per event (use any(), all(), count(), ...)")
            }
            for i in 0..<n where !ExpressionEvaluator.truth(per[i]) { keep[i] = false }
        }
        let entries = (0..<n).map { batch.entryStart + Int64($0) }
        if keep.allSatisfy({ $0 }) { return EventChunk(columns: columns, count: n, entries: entries, raw: raw, kept: nil) }
        let kept = keep.indices.filter { keep[$0] }
        return EventChunk(columns: columns.mapValues { $0.select(keep) }, count: kept.count, entries: kept.map { entries[$0] }, raw: raw,
                          kept: kept)
    }
}
