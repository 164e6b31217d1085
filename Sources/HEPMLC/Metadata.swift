import Foundation
import ROOTIO

/// JSON descriptions of a file's trees and a tree's branches.
enum Metadata {
    static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Every TTree and RNTuple in the file (sub-directories included).
    static func trees(of f: OpenFile) throws -> String {
        let file = f.file
        let keys = try runBlocking { try await file.allKeys() }
        var trees: [[String: Any]] = []
        for (path, key) in keys where key.className == "TTree" || key.className == RNTuple.className {
            let name = String(path[..<(path.lastIndex(of: ";") ?? path.endIndex)])
            var entry: [String: Any] = ["path": name, "cycle": Int(key.cycle), "class": key.className]
            if let t = try? f.tree(path) { entry["entries"] = t.entries }
            trees.append(entry)
        }
        return try json(["name": file.name, "trees": trees])
    }

    /// The readable branches (unique name, full path, type, kind, shape, counter) and the skipped ones (with
    /// the reason).
    static func branches(of tree: Tree) throws -> String {
        let (readable, skipped) = tree.classifyBranches()
        let list: [[String: Any]] = readable.map { b, i in
            var d: [String: Any] = ["name": b.name, "path": b.path, "type": i.type.rawValue, "kind": i.kind.rawValue,
                                    "shape": i.shape]
            if let c = i.counter { d["counter"] = c }
            return d
        }
        return try json(["path": tree.path, "entries": tree.entries, "rntuple": tree.isRNTuple, "branches": list,
                         "skipped": skipped.map { ["name": $0.0.name, "reason": $0.1] }])
    }
}
