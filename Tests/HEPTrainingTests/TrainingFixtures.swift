import Foundation
import ROOTIO

enum TrainingFixtures {
    static let packageRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    static func root(_ name: String) -> String { packageRoot + "/../shared/testdata/root/" + name }

    /// The reference statistics of one branch (uproot-computed JSON beside the file).
    static func reference(_ file: String, tree: String = "Events;1") throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root(file) + ".json"))
        let d = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let t = (d["trees"] as! [String: Any])[tree] as! [String: Any]
        return t["branches"] as! [String: [String: Any]]
    }
}
