/// One lwtnn input variable: its name, the preprocessing `(x + offset) * scale` and an optional default.
public struct LWTNNVariable: Sendable, Equatable {
    public let name: String
    public let offset: Double
    public let scale: Double
    /// Used when a named request leaves the variable out (`defaults` or a variable's `default`).
    public let defaultValue: Double?

    init(json v: LWTNNJSONReader, defaults: [String: Double]) throws {
        name = try v.string("name")
        offset = try v.double("offset")
        scale = try v.double("scale")
        defaultValue = v.has("default") ? try v.double("default") : defaults[name]
    }
}

/// A group of variables fed together as one tensor: `[N, variables]`, or `[N, T, variables]` for a sequence.
public struct LWTNNInputBlock: Sendable, Equatable {
    public let name: String
    public let variables: [LWTNNVariable]
    public let isSequence: Bool

    init(name: String, variables: [LWTNNVariable], isSequence: Bool) {
        self.name = name
        self.variables = variables
        self.isSequence = isSequence
    }

    /// A graph-format block: `{"name", "variables": [...]}`.
    init(json b: LWTNNJSONReader, isSequence: Bool) throws {
        name = try b.string("name")
        variables = try b.array("variables").enumerated().map { i, v in
            try LWTNNVariable(json: LWTNNJSONReader(v, context: "\(b.context), variable \(i)"), defaults: [:])
        }
        self.isSequence = isSequence
        try Self.checkUnique(variables.map(\.name), context: b.context)
    }

    static func checkUnique(_ names: [String], context: String) throws {
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted {
            throw LWTNNLoadError.invalid(context: context, reason: "variable '\(n)' appears twice")
        }
    }

    /// Applies `(x + offset) * scale` to rows of this block's width.
    func preprocess(_ values: [Double]) -> [Double] {
        let n = variables.count
        guard n > 0 else { return values }
        let offsets = variables.map(\.offset), scales = variables.map(\.scale)
        var out = values
        out.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = (p[i] + offsets[i % n]) * scales[i % n] }
        }
        return out
    }
}

/// A named output of the network: the node it reads and the labels of its values.
public struct LWTNNOutput: Sendable, Equatable {
    public let name: String
    public let labels: [String]
    let node: Int
}
