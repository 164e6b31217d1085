import Foundation

/// Typed access to one JSON object of an lwtnn file; every failure names `context` (e.g. "layer 3").
struct LWTNNJSONReader {
    let object: [String: Any]
    let context: String

    /// Largest number of values accepted in one weight array or declared size (guards against absurd files).
    static let maxElements = 1 << 28

    init(_ value: Any?, context: String) throws {
        guard let object = value as? [String: Any] else {
            throw LWTNNLoadError.invalid(context: context, reason: "expected a JSON object")
        }
        self.object = object
        self.context = context
    }

    /// Parses a whole document, which must be a JSON object.
    static func document(_ bytes: [UInt8]) throws -> LWTNNJSONReader {
        let value: Any
        do { value = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw LWTNNLoadError.malformedJSON(bytes.isEmpty ? "empty file" : "syntax error or truncated file")
        }
        return try LWTNNJSONReader(value, context: "top level")
    }

    func has(_ key: String) -> Bool { object[key] != nil && !(object[key] is NSNull) }

    func fail(_ reason: String) -> LWTNNLoadError { .invalid(context: context, reason: reason) }

    func string(_ key: String) throws -> String {
        guard let s = object[key] as? String else { throw fail("field '\(key)' must be a string") }
        return s
    }

    func double(_ key: String) throws -> Double {
        guard let n = object[key] as? NSNumber, n.doubleValue.isFinite else {
            throw fail("field '\(key)' must be a finite number")
        }
        return n.doubleValue
    }

    func int(_ key: String) throws -> Int {
        let d = try double(key)
        guard d == d.rounded(), abs(d) <= Double(Self.maxElements) else {
            throw fail("field '\(key)' must be an integer of reasonable size, got \(d)")
        }
        return Int(d)
    }

    func array(_ key: String) throws -> [Any] {
        guard let a = object[key] as? [Any] else { throw fail("field '\(key)' must be an array") }
        return a
    }

    /// A numeric array (weights, biases); an absent key gives `[]` when `optional`.
    func doubles(_ key: String, optional: Bool = false) throws -> [Double] {
        guard has(key) else {
            if optional { return [] }
            throw fail("missing field '\(key)'")
        }
        let a = try array(key)
        guard a.count <= Self.maxElements else { throw fail("field '\(key)' has \(a.count) values, more than supported") }
        var out = [Double]()
        out.reserveCapacity(a.count)
        for (i, v) in a.enumerated() {
            guard let n = v as? NSNumber, n.doubleValue.isFinite else {
                throw fail("field '\(key)'[\(i)] is not a finite number")
            }
            out.append(n.doubleValue)
        }
        return out
    }

    func object(_ key: String, context sub: String) throws -> LWTNNJSONReader {
        guard has(key) else { throw fail("missing field '\(key)'") }
        return try LWTNNJSONReader(object[key], context: "\(context), \(sub)")
    }
}
