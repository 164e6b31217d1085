/// A TFaaS `/json` request, `{"keys": [...], "values": [...], "model": "..."}`, read in one pass with the
/// values going straight into a `[Float]` (`null` is NaN, hepml's padding convention).
public struct TFaaSRequestJSON: Sendable {
    public var model: String?
    public var values: [Float]
    /// Variable names of `values` (for models with named inputs); nil when absent or null.
    public var keys: [String]?

    /// Parses a request; `reserve(n)` is called before the values buffer grows by `n` bytes.
    public static func parse(_ bytes: UnsafeRawBufferPointer, reserve: (Int) throws -> Void = { _ in }) throws -> TFaaSRequestJSON {
        var s = JSONScanner(bytes, maxDepth: 16)
        var model: String?
        var values: [Float]?
        var keys: [String]?
        var seen = Set<String>()
        guard try s.peek() == UInt8(ascii: "{") else { throw JSONRequestError("/json: the body is not a JSON object") }
        if try s.beginObject(depth: 0) {
            repeat {
                let key = try s.key()
                guard seen.insert(key).inserted else { throw JSONRequestError("/json: duplicate member '\(key)'") }
                switch key {
                case "model":
                    switch try s.peek() {
                    case UInt8(ascii: "\""): model = try s.string()
                    case UInt8(ascii: "n"): try s.literal("null")
                    default: throw JSONRequestError("/json: 'model' must be a string")
                    }
                case "values": values = try s.floats(reserve: reserve)
                case "keys": keys = try s.keys()
                default: try s.skipValue(depth: 1)
                }
            } while try s.commaOr(UInt8(ascii: "}"))
        }
        try s.finish()
        guard let values, !values.isEmpty else { throw JSONRequestError("/json needs a non-empty 'values' array of numbers") }
        return TFaaSRequestJSON(model: model, values: values, keys: keys)
    }
}

extension JSONScanner {
    /// `keys`: an array of strings, or null.
    mutating func keys() throws -> [String]? {
        let bad = JSONRequestError("/json: 'keys' must be an array of variable names")
        if try peek() == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        guard try peek() == UInt8(ascii: "[") else { throw bad }
        var out: [String] = []
        if try beginArray(depth: 1) {
            repeat {
                guard try peek() == UInt8(ascii: "\"") else { throw bad }
                out.append(try string())
            } while try commaOr(UInt8(ascii: "]"))
        }
        return out
    }

    /// A flat array of numbers or nulls (NaN).
    mutating func floats(reserve: (Int) throws -> Void) throws -> [Float] {
        let bad = JSONRequestError("/json: 'values' must be numbers (null for a padded slot)")
        guard try peek() == UInt8(ascii: "[") else { throw JSONRequestError("/json needs a non-empty 'values' array of numbers") }
        var out: [Float] = []
        guard try beginArray(depth: 1) else { return out }
        repeat {
            if out.count == out.capacity { try reserve(4 * max(16, out.count)) }
            let c = try peek()
            if c == UInt8(ascii: "n") {
                try literal("null")
                out.append(.nan)
            } else {
                guard c == UInt8(ascii: "-") || isDigit(c) else { throw bad }
                out.append(Float(try number().double(in: bytes)))
            }
        } while try commaOr(UInt8(ascii: "]"))
        return out
    }
}
