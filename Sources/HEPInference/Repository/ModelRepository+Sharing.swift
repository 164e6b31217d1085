import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Several server replicas on one shared repository folder (a Kubernetes volume, NFS): each replica writes
/// through the same atomic steps (staged folder renamed into place, `tags.json` renamed over) and calls
/// `synchronize()` every few seconds to load what the others changed.
extension ModelRepository {
    /// What one `synchronize()` changed in memory.
    public struct SyncChanges: Sendable, Equatable {
        /// Models (re)loaded because their folder appeared or changed.
        public var loaded: [String] = []
        /// Models whose tags were re-read (folder otherwise unchanged).
        public var retagged: [String] = []
        /// Models no longer served because their folder is gone.
        public var removed: [String] = []
        /// Models whose new folder failed to load, with the reason (the rest keep serving).
        public var failed: [String: String] = [:]

        public var isEmpty: Bool { loaded.isEmpty && retagged.isEmpty && removed.isEmpty && failed.isEmpty }
    }

    /// Brings memory in line with the folder on disk: loads new or changed model folders, re-reads changed
    /// tags and drops models whose folder was deleted. Runs on the mutation queue, after any local change.
    public func synchronize() async -> SyncChanges {
        (try? await mutate { self.synchronizeNow() }) ?? SyncChanges()
    }

    func synchronizeNow() -> SyncChanges {
        var changes = SyncChanges()
        let onDisk = folderNames()
        let known = seen.withLock { $0 }
        for name in onDisk {
            guard (try? ModelName.validate(name)) != nil, let now = FolderFingerprint(dir: "\(root)/\(name)") else { continue }
            guard let before = known[name], before == now else {
                if let before = known[name], before.content == now.content, retag(name) {
                    changes.retagged.append(name)
                    continue
                }
                do {
                    try loadNow(name)
                    changes.loaded.append(name)
                } catch {
                    changes.failed[name] = clientSafe("\(error)")
                }
                continue
            }
        }
        let present = Set(onDisk)
        for name in known.keys where !present.contains(name) {
            state.withLock { _ = $0.removeValue(forKey: name) }
            _ = seen.withLock { $0.removeValue(forKey: name) }
            changes.removed.append(name)
        }
        changes.removed.sort()
        return changes
    }

    /// Re-reads `tags.json` of a loaded model whose other files did not change; false when the model is not
    /// loaded or the tags name versions it does not serve (then the caller reloads the folder).
    func retag(_ name: String) -> Bool {
        guard let folder = state.withLock({ $0[name] }), let files = try? ModelFolderPath(folder: "\(root)/\(name)", model: name),
              let tags = try? ModelLoader.readTags(files), tags.values.allSatisfy({ folder.versions[$0] != nil })
        else { return false }
        remember(name)
        state.withLock { $0[name]?.tags = tags }
        return true
    }

    /// Records the folder's fingerprint as the state this process serves.
    func remember(_ name: String) {
        let fp = FolderFingerprint(dir: "\(root)/\(name)")
        seen.withLock { $0[name] = fp }
    }

    /// Moves a staged model folder to `final`. An existing folder is swapped out in one step
    /// (`renameat2(RENAME_EXCHANGE)`), so a replica polling the folder never sees the model missing; where the
    /// file system cannot exchange, the old folder is moved aside first.
    static func moveIntoPlace(_ staged: String, _ final: String, trash: String, name: String) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: final) else {
            guard rename(staged, final) == 0 else { throw InferenceError.backend("cannot move '\(name)' into the repository") }
            return
        }
        if let exchange = renameExchange, exchange(AT_FDCWD, staged, AT_FDCWD, final, 2 /* RENAME_EXCHANGE */) == 0 {
            _ = rename(staged, trash)  // the old folder, removed by the caller
            return
        }
        guard rename(final, trash) == 0 else { throw InferenceError.backend("cannot replace '\(name)' in the repository") }
        guard rename(staged, final) == 0 else {
            _ = rename(trash, final)
            throw InferenceError.backend("cannot move '\(name)' into the repository")
        }
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// glibc's `renameat2` (not in Swift's Glibc module), looked up once.
    private static let renameExchange: RenameAt2? = dlsym(nil, "renameat2").map { unsafeBitCast($0, to: RenameAt2.self) }
}
