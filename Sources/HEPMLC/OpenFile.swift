import Foundation
import HEPData
import ROOTIO

/// A file opened through the C ABI (`hepml_file *`), with its trees loaded once.
final class OpenFile: @unchecked Sendable {
    let file: ROOTFile
    private let lock = NSLock()
    private var trees: [String: Tree] = [:]

    init(file: ROOTFile) { self.file = file }

    static func open(_ name: String) throws -> OpenFile {
        try runBlocking { OpenFile(file: try await FileLocator.shared.current.open(name)) }
    }

    /// The tree (or RNTuple) at `path`, loaded on first use.
    func tree(_ path: String) throws -> Tree {
        if let t = lock.withLock({ trees[path] }) { return t }
        let file = self.file
        let t = try runBlocking { try await file.tree(path) }
        lock.withLock { trees[path] = t }
        return t
    }
}

