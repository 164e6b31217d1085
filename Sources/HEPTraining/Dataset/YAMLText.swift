import Yams

/// JSON or YAML text as Foundation-style values (`[String: Any]`, `[Any]`, numbers, strings) for the params
/// and network files, checked before Yams builds them: Yams traps on a mapping key that is not a scalar
/// (`? [a]: 1`) and on a base-60 integer beyond `Int` (`7777777777777777:1:1:22`), and aliases can expand a
/// small document into a huge tree.
enum YAMLText {
    /// Deepest nesting of sequences and mappings accepted.
    static let maxDepth = 64
    /// Most nodes the document may expand to (aliases counted at every use).
    static let maxNodes = 100_000

    /// The document's value, nil when it is empty; `file` names it in errors.
    static func load(_ text: String, file: String) throws -> Any? {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw TrainingError.configuration(file: file, reason: "not valid JSON or YAML: \(error)")
        }
        guard let root else { return nil }
        var budget = maxNodes
        try check(root, depth: 0, budget: &budget, file: file)
        return Constructor.default.any(from: root)
    }

    static func check(_ node: Node, depth: Int, budget: inout Int, file: String) throws {
        budget -= 1
        guard budget >= 0 else {
            throw TrainingError.configuration(file: file, reason: "the document expands to more than \(maxNodes) values")
        }
        guard depth < maxDepth else {
            throw TrainingError.configuration(file: file, reason: "nesting deeper than \(maxDepth) levels")
        }
        switch node {
        case let .scalar(scalar):
            if node.tag.description == Tag.Name.int.rawValue, scalar.string.contains(":"), !fitsSexagesimal(scalar.string) {
                throw TrainingError.configuration(file: file, reason: "integer \(scalar.string) is out of range")
            }
        case let .sequence(items):
            for item in items { try check(item, depth: depth + 1, budget: &budget, file: file) }
        case let .mapping(pairs):
            for (key, value) in pairs {
                guard key.scalar != nil else {
                    throw TrainingError.configuration(file: file, reason: "mapping keys must be plain strings")
                }
                try check(value, depth: depth + 1, budget: &budget, file: file)
            }
        }
    }

    /// Whether a YAML 1.1 base-60 integer (`1:30:00`) and every power of 60 Yams forms for it fit in `Int`.
    static func fitsSexagesimal(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        var base = 1
        var value = 0
        for part in digits.split(separator: ":", omittingEmptySubsequences: false).reversed() {
            guard let digit = Int(part, radix: 10) else { continue }
            let (term, termOverflow) = digit.multipliedReportingOverflow(by: base)
            let (sum, sumOverflow) = value.addingReportingOverflow(term)
            let (nextBase, baseOverflow) = base.multipliedReportingOverflow(by: 60)
            if termOverflow || sumOverflow || baseOverflow { return false }
            (value, base) = (sum, nextBase)
        }
        return true
    }
}
