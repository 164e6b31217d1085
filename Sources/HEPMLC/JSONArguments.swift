import Foundation
import HEPTraining

/// Decoding of the small JSON arguments of C calls.
enum JSONArguments {
    static func object(_ text: String, what: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw InvalidArgument("\(what): not valid JSON")
        }
    }

    /// A JSON list of strings (`null` or `[]` → empty).
    static func strings(_ text: String, what: String) throws -> [String] {
        let any = try object(text, what: what)
        if any is NSNull { return [] }
        guard let list = any as? [Any], let strings = list as? [String] else {
            throw InvalidArgument("\(what): expected a JSON list of strings")
        }
        return strings
    }

    /// `{"index": i, "count": n, "epoch": e, "unit_size": u, "units": [[file, entry_start, entry_stop], ...]}`
    /// (all optional).
    static func shard(_ text: String) throws -> DatasetShard {
        let any = try object(text, what: "shard")
        if any is NSNull { return DatasetShard() }
        guard let d = any as? [String: Any] else { throw InvalidArgument("shard: expected a JSON object") }
        for k in d.keys where !["index", "count", "epoch", "unit_size", "units"].contains(k) {
            throw InvalidArgument("shard: unknown key '\(k)' (known: index, count, epoch, unit_size, units)")
        }
        func int(_ k: String) throws -> Int? {
            guard let v = d[k], !(v is NSNull) else { return nil }
            guard let n = v as? Int else { throw InvalidArgument("shard: '\(k)' must be an integer") }
            return n
        }
        var s = DatasetShard(index: try int("index") ?? 0, count: try int("count") ?? 1, epoch: try int("epoch") ?? 0)
        if let u = try int("unit_size") { s.unitSize = Int64(u) }
        if let list = d["units"], !(list is NSNull) {
            guard let units = list as? [[Any]] else { throw InvalidArgument("shard: 'units' must be a list of [file, entry_start, entry_stop]") }
            s.units = try units.map { u in
                guard u.count == 3, let f = u[0] as? Int, let a = u[1] as? Int, let b = u[2] as? Int, b >= a else {
                    throw InvalidArgument("shard: a unit must be [file, entry_start, entry_stop] with entry_stop >= entry_start")
                }
                return DatasetUnit(file: f, range: Int64(a)..<Int64(b))
            }
        }
        do { try s.validate() } catch { throw InvalidArgument(describe(error)) }
        return s
    }
}
