import Foundation
import ROOTIO

/// Values of an expression over a chunk of events: one number per event, or a jagged list per event.
public enum EventValues: Sendable {
    case scalar(Double)
    case flat([Double])
    case jagged(offsets: [Int64], values: [Double])

    /// From a reader column (fixed arrays behave like jagged lists of constant length).
    public init(_ column: Column) {
        let values = column.values.doubles()
        switch column.kind {
        case .flat: self = .flat(values)
        case .jagged: self = .jagged(offsets: column.offsets ?? [0], values: values)
        case .fixed:
            let n = Int64(column.shape.reduce(1, *))
            self = .jagged(offsets: (0...column.entryCount).map { Int64($0) * n }, values: values)
        case .doublyJagged, .string, .jaggedString:
            self = .jagged(offsets: column.entryValueOffsets, values: values)
        }
    }

    /// One value per event (scalars are broadcast to `count` events).
    public func perEvent(count: Int) -> [Double]? {
        switch self {
        case let .scalar(x): return [Double](repeating: x, count: count)
        case let .flat(v): return v
        case .jagged: return nil
        }
    }
}

/// Evaluates expressions column-wise over whole chunks.
public struct ExpressionEvaluator {
    public let source: String
    let expression: Expression
    let count: Int
    let columns: [String: EventValues]

    /// - Parameters:
    ///   - columns: the branch and defined columns of the chunk by name.
    ///   - count: events in the chunk.
    public static func evaluate(_ e: Expression, source: String, columns: [String: EventValues], count: Int) throws -> EventValues {
        try ExpressionEvaluator(source: source, expression: e, count: count, columns: columns).eval(e)
    }

    func fail(_ r: String) -> TrainingError { .evaluation(expression: source, reason: r) }

    static func truth(_ x: Double) -> Bool { x != 0 && !x.isNaN }

    func eval(_ e: Expression) throws -> EventValues {
        switch e {
        case let .number(x): return .scalar(x)
        case let .name(n):
            guard let c = columns[n] else { throw TrainingError.unknownName(expression: source, name: n) }
            return c
        case let .unary(op, a):
            let v = try eval(a)
            return op == "-" ? map(v) { -$0 } : map(v) { Self.truth($0) ? 0 : 1 }
        case let .binary(op, a, b):
            let f: (Double, Double) -> Double
            switch op {
            case "+": f = (+)
            case "-": f = (-)
            case "*": f = (*)
            case "/": f = (/)
            case "%": f = { fmod($0, $1) }
            case "<": f = { $0 < $1 ? 1 : 0 }
            case "<=": f = { $0 <= $1 ? 1 : 0 }
            case ">": f = { $0 > $1 ? 1 : 0 }
            case ">=": f = { $0 >= $1 ? 1 : 0 }
            case "==": f = { $0 == $1 ? 1 : 0 }
            case "!=": f = { $0 != $1 && !$0.isNaN && !$1.isNaN ? 1 : 0 }
            case "&&": f = { Self.truth($0) && Self.truth($1) ? 1 : 0 }
            case "||": f = { Self.truth($0) || Self.truth($1) ? 1 : 0 }
            default: throw fail("unknown operator \(op)")
            }
            return try combine(try eval(a), try eval(b), f)
        case let .index(a, i):
            return try index(try eval(a), try eval(i))
        case let .call(fn, args):
            let vals = try args.map(eval)
            switch fn {
            case "abs": return map(vals[0]) { Swift.abs($0) }
            case "sqrt": return map(vals[0]) { $0.squareRoot() }
            case "log": return map(vals[0]) { Foundation.log($0) }
            case "exp": return map(vals[0]) { Foundation.exp($0) }
            case "sin": return map(vals[0]) { Foundation.sin($0) }
            case "cos": return map(vals[0]) { Foundation.cos($0) }
            case "min" where vals.count == 2: return try combine(vals[0], vals[1]) { $0.isNaN ? $1 : ($1.isNaN ? $0 : Swift.min($0, $1)) }
            case "max" where vals.count == 2: return try combine(vals[0], vals[1]) { $0.isNaN ? $1 : ($1.isNaN ? $0 : Swift.max($0, $1)) }
            case "min": return reduce(vals[0], empty: .nan) { $0.isNaN ? $1 : Swift.min($0, $1) }
            case "max": return reduce(vals[0], empty: .nan) { $0.isNaN ? $1 : Swift.max($0, $1) }
            case "sum": return reduce(vals[0], empty: 0) { $0 + $1 }
            case "count": return reduce(map(vals[0]) { Self.truth($0) ? 1 : 0 }, empty: 0) { $0 + $1 }
            case "any": return reduce(map(vals[0]) { Self.truth($0) ? 1 : 0 }, empty: 0) { Swift.max($0, $1) }
            case "all": return reduce(map(vals[0]) { Self.truth($0) ? 1 : 0 }, empty: 1) { Swift.min($0, $1) }
            case "len":
                switch vals[0] {
                case let .jagged(o, _): return .flat((0..<count).map { Double(o[$0 + 1] - o[$0]) })
                default: return .flat([Double](repeating: 1, count: count))
                }
            case "mean":
                let s = reduce(vals[0], empty: 0) { $0 + $1 }
                guard case let .jagged(o, _) = vals[0], case let .flat(sums) = s else { return vals[0] }
                return .flat((0..<count).map { let n = o[$0 + 1] - o[$0]; return n > 0 ? sums[$0] / Double(n) : .nan })
            default: throw fail("unknown function \(fn)")
            }
        }
    }

    func map(_ v: EventValues, _ f: (Double) -> Double) -> EventValues {
        switch v {
        case let .scalar(x): return .scalar(f(x))
        case let .flat(a): return .flat(a.map(f))
        case let .jagged(o, a): return .jagged(offsets: o, values: a.map(f))
        }
    }

    /// Element-wise with broadcasting: scalar ⊗ anything, per-event ⊗ jagged (each event's value to its list).
    func combine(_ a: EventValues, _ b: EventValues, _ f: (Double, Double) -> Double) throws -> EventValues {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): return .scalar(f(x, y))
        case let (.scalar(x), .flat(v)): return .flat(v.map { f(x, $0) })
        case let (.flat(v), .scalar(y)): return .flat(v.map { f($0, y) })
        case let (.flat(v), .flat(w)): return .flat(zip(v, w).map(f))
        case let (.scalar(x), .jagged(o, v)): return .jagged(offsets: o, values: v.map { f(x, $0) })
        case let (.jagged(o, v), .scalar(y)): return .jagged(offsets: o, values: v.map { f($0, y) })
        case let (.flat(e), .jagged(o, v)):
            var out = v
            for i in 0..<count { for k in Int(o[i])..<Int(o[i + 1]) { out[k] = f(e[i], v[k]) } }
            return .jagged(offsets: o, values: out)
        case let (.jagged(o, v), .flat(e)):
            var out = v
            for i in 0..<count { for k in Int(o[i])..<Int(o[i + 1]) { out[k] = f(v[k], e[i]) } }
            return .jagged(offsets: o, values: out)
        case let (.jagged(o, v), .jagged(p, w)):
            guard o == p else { throw fail("element-wise operation on jagged columns of different lengths") }
            return .jagged(offsets: o, values: zip(v, w).map(f))
        }
    }

    /// `x[i]`: the i-th element of each event's list, NaN when the list is shorter.
    func index(_ a: EventValues, _ i: EventValues) throws -> EventValues {
        guard case let .jagged(o, v) = a else { throw fail("indexing needs a jagged or array branch") }
        guard let idx = i.perEvent(count: count) else { throw fail("the index must be a number per event") }
        return .flat((0..<count).map { e in
            let k = idx[e]
            let n = o[e + 1] - o[e]
            // Compared as Double first: an index like 1e27 has no Int64 value.
            guard k >= 0, k.rounded() == k, k < Double(n) else { return .nan }
            return v[Int(o[e]) + Int(k)]
        })
    }

    /// Per-event reduction of a jagged column (per-event values pass through).
    func reduce(_ v: EventValues, empty: Double, _ f: (Double, Double) -> Double) -> EventValues {
        guard case let .jagged(o, a) = v else { return v }
        return .flat((0..<count).map { e in
            var acc = empty
            var first = true
            for k in Int(o[e])..<Int(o[e + 1]) {
                acc = first && empty.isNaN ? a[k] : f(acc, a[k])
                first = false
            }
            return acc
        })
    }
}
