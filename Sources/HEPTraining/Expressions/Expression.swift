/// A parsed cut or derived-column expression (`nMuon >= 2 && Muon_pt[0] > 20`, `sum(Jet_pt)`).
public indirect enum Expression: Sendable, Equatable {
    case number(Double)
    case name(String)
    case unary(op: String, Expression)
    case binary(op: String, Expression, Expression)
    case index(Expression, Expression)
    case call(function: String, [Expression])

    /// Branch and column names the expression reads.
    public var names: Set<String> {
        switch self {
        case .number: return []
        case let .name(n): return [n]
        case let .unary(_, e): return e.names
        case let .binary(_, a, b), let .index(a, b): return a.names.union(b.names)
        case let .call(_, args): return args.reduce(into: Set<String>()) { $0.formUnion($1.names) }
        }
    }

    /// Functions the evaluator knows, with their argument counts.
    static let functions: [String: ClosedRange<Int>] = [
        "abs": 1...1, "sqrt": 1...1, "log": 1...1, "exp": 1...1, "sin": 1...1, "cos": 1...1,
        "min": 1...2, "max": 1...2, "sum": 1...1, "count": 1...1, "len": 1...1, "mean": 1...1, "any": 1...1, "all": 1...1,
    ]
}

/// Recursive-descent parser with precedence `||` < `&&` < `!` < comparisons < `+ -` < `* / %` < unary `-` < `[i]`.
public struct ExpressionParser {
    let text: String
    let chars: [Character]
    var pos = 0

    /// Parses `text`; errors carry the character offset.
    public static func parse(_ text: String) throws -> Expression {
        var p = ExpressionParser(text: text, chars: Array(text))
        p.skipSpace()
        guard p.pos < p.chars.count else { throw p.fail("empty expression") }
        let e = try p.orExpr()
        p.skipSpace()
        guard p.pos == p.chars.count else { throw p.fail("unexpected '\(p.chars[p.pos])'") }
        return e
    }

    func fail(_ reason: String) -> TrainingError { .parse(expression: text, offset: min(pos, chars.count), reason: reason) }

    mutating func skipSpace() { while pos < chars.count, chars[pos].isWhitespace { pos += 1 } }

    mutating func take(_ s: String) -> Bool {
        skipSpace()
        let t = Array(s)
        guard pos + t.count <= chars.count, Array(chars[pos..<(pos + t.count)]) == t else { return false }
        if s == "!", pos + 1 < chars.count, chars[pos + 1] == "=" { return false }
        if s == "<" || s == ">", pos + 1 < chars.count, chars[pos + 1] == "=" { return false }
        pos += t.count
        return true
    }

    mutating func orExpr() throws -> Expression {
        var e = try andExpr()
        while take("||") { e = .binary(op: "||", e, try andExpr()) }
        return e
    }

    mutating func andExpr() throws -> Expression {
        var e = try notExpr()
        while take("&&") { e = .binary(op: "&&", e, try notExpr()) }
        return e
    }

    mutating func notExpr() throws -> Expression {
        if take("!") { return .unary(op: "!", try notExpr()) }
        return try comparison()
    }

    mutating func comparison() throws -> Expression {
        let e = try additive()
        for op in ["<=", ">=", "==", "!=", "<", ">"] where take(op) {
            return .binary(op: op, e, try additive())
        }
        return e
    }

    mutating func additive() throws -> Expression {
        var e = try multiplicative()
        while true {
            if take("+") { e = .binary(op: "+", e, try multiplicative()) } else if take("-") {
                e = .binary(op: "-", e, try multiplicative())
            } else { return e }
        }
    }

    mutating func multiplicative() throws -> Expression {
        var e = try unary()
        while true {
            if take("*") { e = .binary(op: "*", e, try unary()) } else if take("/") { e = .binary(op: "/", e, try unary()) } else if take("%") {
                e = .binary(op: "%", e, try unary())
            } else { return e }
        }
    }

    mutating func unary() throws -> Expression {
        if take("-") { return .unary(op: "-", try unary()) }
        if take("+") { return try unary() }
        var e = try primary()
        while take("[") {
            let i = try orExpr()
            guard take("]") else { throw fail("expected ']'") }
            e = .index(e, i)
        }
        return e
    }

    mutating func primary() throws -> Expression {
        skipSpace()
        guard pos < chars.count else { throw fail("expected a number, name or '('") }
        let c = chars[pos]
        if take("(") {
            let e = try orExpr()
            guard take(")") else { throw fail("expected ')'") }
            return e
        }
        if c.isNumber || c == "." {
            let start = pos
            while pos < chars.count, chars[pos].isNumber || chars[pos] == "." || chars[pos] == "e" || chars[pos] == "E"
                || ((chars[pos] == "-" || chars[pos] == "+") && pos > start && (chars[pos - 1] == "e" || chars[pos - 1] == "E")) {
                pos += 1
            }
            guard let v = Double(String(chars[start..<pos])) else { pos = start; throw fail("bad number") }
            return .number(v)
        }
        if c.isLetter || c == "_" {
            let start = pos
            while pos < chars.count, chars[pos].isLetter || chars[pos].isNumber || chars[pos] == "_" || chars[pos] == "." { pos += 1 }
            let name = String(chars[start..<pos])
            if name == "true" { return .number(1) }
            if name == "false" { return .number(0) }
            if take("(") {
                guard let arity = Expression.functions[name] else { pos = start; throw fail("unknown function '\(name)'") }
                var args: [Expression] = []
                if !take(")") {
                    repeat { args.append(try orExpr()) } while take(",")
                    guard take(")") else { throw fail("expected ')' or ','") }
                }
                guard arity.contains(args.count) else {
                    pos = start
                    throw fail("\(name) takes \(arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) or \(arity.upperBound)") argument(s)")
                }
                return .call(function: name, args)
            }
            return .name(name)
        }
        throw fail("unexpected '\(c)'")
    }
}
