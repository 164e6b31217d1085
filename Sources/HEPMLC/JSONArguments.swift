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

    /// `{"index": i, "count": n, "epoch": e, "unit_size": u}` (all optional).
    static func shard(_ text: String) throws -> DatasetShard {
        let any = try object(text, what: "shard")
        if any is NSNull { return DatasetShard() }
        guard let d = any as? [String: Any] else { throw InvalidArgument("shard: expected a JSON object") }
        for k in d.keys where !["index", "count", "epoch", "unit_size"].contains(k) {
            throw InvalidArgument("shard: unknown key '\(k)' (known: index, count, epoch, unit_size)")
        }
        func int(_ k: String) throws -> Int? {
            guard let v = d[k], !(v is NSNull) else { return nil }
            guard let n = v as? Int else { throw InvalidArgument("shard: '\(k)' must be an integer") }
            return n
        }
        var s = DatasetShard(index: try int("index") ?? 0, count: try int("count") ?? 1, epoch: try int("epoch") ?? 0)
        if let u = try int("unit_size") { s.unitSize = Int64(u) }
        do { try s.validate() } catch { throw InvalidArgument(describe(error)) }
        return s
    }
}
