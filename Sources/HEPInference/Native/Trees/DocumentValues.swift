import Foundation

/// Typed access to decoded JSON/UBJSON documents (`JSONSerialization` objects or `UBJSONDecoder` values),
/// with errors naming the field.
struct DocumentValues {
    let format: String

    func object(_ v: Any?, _ field: String) throws -> [String: Any] {
        guard let o = v as? [String: Any] else { throw TreeModelError.malformed(format, "'\(field)' is missing or not an object") }
        return o
    }

    func array(_ v: Any?, _ field: String) throws -> [Any] {
        guard let a = v as? [Any] else { throw TreeModelError.malformed(format, "'\(field)' is missing or not an array") }
        return a
    }

    func string(_ v: Any?, _ field: String) throws -> String {
        guard let s = v as? String else { throw TreeModelError.malformed(format, "'\(field)' is missing or not a string") }
        return s
    }

    /// A number, or a string holding one (XGBoost writes parameters as strings).
    func number(_ v: Any?, _ field: String) throws -> Double {
        if let s = v as? String {
            let t = s.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
            if let d = Double(t) { return d }
        } else if let d = Self.scalar(v) {
            return d
        }
        throw TreeModelError.malformed(format, "'\(field)' is missing or not a number")
    }

    /// An integer within `range`.
    func integer(_ v: Any?, _ field: String, in range: ClosedRange<Int>) throws -> Int {
        let d = try number(v, field)
        guard d == d.rounded(), d >= Double(range.lowerBound), d <= Double(range.upperBound) else {
            throw TreeModelError.malformed(format, "'\(field)' = \(d) is not an integer in \(range)")
        }
        return Int(d)
    }

    /// A numeric array (typed UBJSON arrays or JSON arrays of numbers).
    func numbers(_ v: Any?, _ field: String) throws -> [Double] {
        switch v {
        case let a as [Double]: return a
        case let a as [Float]: return a.map(Double.init)
        case let a as [Int32]: return a.map(Double.init)
        case let a as [Int64]: return a.map(Double.init)
        case let a as [UInt8]: return a.map(Double.init)
        case let a as [Int8]: return a.map(Double.init)
        case let a as [Int16]: return a.map(Double.init)
        case let a as [Any]:
            var out = [Double]()
            out.reserveCapacity(a.count)
            for e in a {
                guard let d = Self.scalar(e) else { throw TreeModelError.malformed(format, "'\(field)' holds a non-number") }
                out.append(d)
            }
            return out
        default:
            throw TreeModelError.malformed(format, "'\(field)' is missing or not a numeric array")
        }
    }

    /// Integer array whose values must lie in `range`.
    func integers(_ v: Any?, _ field: String, in range: ClosedRange<Int>) throws -> [Int] {
        try numbers(v, field).map { d in
            guard d == d.rounded(), d >= Double(range.lowerBound), d <= Double(range.upperBound) else {
                throw TreeModelError.malformed(format, "'\(field)' holds \(d), not an integer in \(range)")
            }
            return Int(d)
        }
    }

    static func scalar(_ v: Any?) -> Double? {
        switch v {
        case let d as Double: return d
        case let f as Float: return Double(f)
        case let i as Int: return Double(i)
        case let i as Int64: return Double(i)
        case let i as Int32: return Double(i)
        case let i as Int16: return Double(i)
        case let i as Int8: return Double(i)
        case let i as UInt8: return Double(i)
        case let b as Bool: return b ? 1 : 0
        case let n as NSNumber: return n.doubleValue
        default: return nil
        }
    }
}
