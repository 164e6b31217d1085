import Foundation
import Synchronization

/// A folder of models served by name, version or tag. Lookups are lock-protected reads of immutable
/// `LoadedModel`s; installs and deletes prepare everything on disk and in memory first and then swap the
/// entry, so clients never see a partial model and a failed install leaves the old version serving.
///
/// Changes (install, load, delete, tag) run one at a time on a dedicated serial queue, never on the caller's
/// thread when called from async code: file writes, model loading and deletion do not occupy Swift's
/// cooperative threads, and the in-memory lock is held only for the final swap.
public final class ModelRepository: Sendable {
    public let root: String
    public let factory: BackendFactory
    let state = Mutex<[String: ModelFolder]>([:])
    /// Serializes changes of the folder on disk (uploads, deletes, loads, tags).
    let mutations = DispatchQueue(label: "hepml.repository.mutations")
    /// Fingerprints of the model folders as this process last loaded or wrote them (see `synchronize`).
    let seen = Mutex<[String: FolderFingerprint]>([:])

    /// Opens (and creates when missing) the repository folder.
    public init(root: String, factory: BackendFactory) throws {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.factory = factory
        if !ModelLoader.isDirectory(self.root) {
            do {
                try FileManager.default.createDirectory(atPath: self.root, withIntermediateDirectories: true)
            } catch {
                throw InferenceError.unavailable("cannot create model repository \(root): \(error.localizedDescription)")
            }
        }
    }

    /// Runs a change on the mutation queue and waits for it without blocking a cooperative thread.
    func mutate<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            mutations.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Names of the model folders on disk (hidden and staging folders excluded).
    public func folderNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { !$0.hasPrefix(".") && ModelLoader.isDirectory(root + "/" + $0) }.sorted()
    }

    /// Loads every model folder; returns the names that failed with their reasons.
    @discardableResult
    public func loadAll() -> [(String, String)] {
        var failures: [(String, String)] = []
        for name in folderNames() {
            do { try load(name) } catch { failures.append((name, "\(error)")) }
        }
        return failures
    }

    /// (Re)loads one model from disk (blocking; from async code the `async` overload is used).
    public func load(_ name: String) throws {
        try ModelName.validate(name)
        try mutations.sync { try loadNow(name) }
    }

    /// (Re)loads one model from disk on the mutation queue.
    public func load(_ name: String) async throws {
        try ModelName.validate(name)
        try await mutate { try self.loadNow(name) }
    }

    func loadNow(_ name: String) throws {
        let dir = root + "/" + name
        remember(name)
        guard ModelLoader.isDirectory(dir) else { throw InferenceError.notFound("model '\(name)' is not in the repository") }
        var folder: ModelFolder
        do {
            folder = try ModelLoader.load(dir: dir, name: name, factory: factory)
        } catch let e as InferenceError {
            throw e.withMessage(clientSafe(e.description))
        }
        folder.states = folder.states.map { var s = $0; s.reason = clientSafe(s.reason); return s }
        state.withLock { $0[name] = folder }
    }

    /// Stops serving a model (its files stay).
    public func unload(_ name: String) throws {
        try ModelName.validate(name)
        let removed = state.withLock { $0.removeValue(forKey: name) }
        guard removed != nil else { throw InferenceError.notFound("model '\(name)' is not loaded") }
    }

    /// The model version for `version`: nil or "" for the latest ready version, a number, or a tag.
    public func model(_ name: String, version: String? = nil) throws -> LoadedModel {
        guard let folder = state.withLock({ $0[name] }) else {
            throw InferenceError.notFound("unknown model '\(name)'")
        }
        let wanted: Int?
        if let version, !version.isEmpty {
            if let n = Int(version) { wanted = n } else if let n = folder.tags[version] { wanted = n } else {
                throw InferenceError.notFound("model '\(name)' has no version or tag '\(version)'")
            }
        } else {
            wanted = nil
        }
        if let wanted {
            if let m = folder.versions[wanted] { return m }
            if let s = folder.states.first(where: { $0.version == wanted }) {
                throw InferenceError.unavailable("model '\(name)' version \(wanted) is \(s.state): \(s.reason)")
            }
            throw InferenceError.notFound("model '\(name)' has no version \(wanted)")
        }
        guard let latest = folder.versions.keys.max() else {
            let reason = folder.states.map { "version \($0.version): \($0.reason)" }.joined(separator: "; ")
            throw InferenceError.unavailable("model '\(name)' is not available: \(reason)")
        }
        return folder.versions[latest]!
    }

    /// Every known model version and its state, sorted by name and version.
    public func index() -> [(name: String, state: ModelVersionState)] {
        let snapshot = state.withLock { $0 }
        var out: [(String, ModelVersionState)] = []
        for name in Set(snapshot.keys).union(folderNames()).sorted() {
            if let f = snapshot[name] {
                out += f.states.map { (name, $0) }
            } else {
                out.append((name, ModelVersionState(version: 0, state: "UNLOADED", reason: "not loaded")))
            }
        }
        return out
    }

    /// The raw `params.json` of a TFaaS-layout model, loaded or not.
    public func paramsFile(of name: String) -> [UInt8]? {
        guard (try? ModelName.validate(name)) != nil, let files = try? ModelFolderPath(folder: "\(root)/\(name)", model: name) else { return nil }
        return (try? files.resolveIfPresent("params.json", what: "params.json"))?.flatMap(ModelLoader.read)
    }

    /// Error text without server paths (the repository root and staging folders are shown as model-relative).
    func clientSafe(_ text: String, staging: String? = nil) -> String {
        var t = text
        for folder in [staging, staging.flatMap(ModelFolderPath.realPath), ModelFolderPath.realPath(root), root].compactMap({ $0 }) {
            t = t.replacingOccurrences(of: folder + "/", with: "")
        }
        return t
    }

    /// Version numbers with their state for one model.
    public func versions(of name: String) -> [ModelVersionState] { state.withLock { $0[name]?.states ?? [] } }

    /// Tags of one model.
    public func tags(of name: String) -> [String: Int] { state.withLock { $0[name]?.tags ?? [:] } }

    /// Whether every loaded model has at least one ready version.
    public var allReady: Bool { state.withLock { $0.values.allSatisfy { !$0.versions.isEmpty } } }

    /// Installs a model atomically from `files` (relative path → bytes, inside the model folder). The files
    /// are written to a staging folder and loaded from there; only when every version loads is the folder
    /// moved into place and the served entry swapped. Returns the loaded folder's ready versions.
    @discardableResult
    public func install(name: String, files: [String: [UInt8]]) throws -> [Int] {
        try checkUpload(name: name, files: files)
        return try mutations.sync { try installNow(name: name, files: files) }
    }

    /// `install` on the mutation queue (from async code).
    @discardableResult
    public func install(name: String, files: [String: [UInt8]]) async throws -> [Int] {
        try checkUpload(name: name, files: files)
        return try await mutate { try self.installNow(name: name, files: files) }
    }

    /// Refuses names and file sets that cannot be a model folder: unsafe paths, and a path used both as a
    /// file and as a folder (`1/model.onnx` and `1/model.onnx/x`).
    func checkUpload(name: String, files: [String: [UInt8]]) throws {
        try ModelName.validate(name)
        guard !files.isEmpty else { throw InferenceError.invalidInput("upload of '\(name)' contains no files") }
        var filePaths = Set<String>()
        var folderPaths = Set<String>()
        for path in files.keys {
            let parts = try ModelName.safeRelativePath(path)
            filePaths.insert(parts.joined(separator: "/"))
            for k in 1..<parts.count { folderPaths.insert(parts[0..<k].joined(separator: "/")) }
        }
        if let clash = filePaths.intersection(folderPaths).sorted().first {
            throw InferenceError.invalidInput("upload of '\(name)': '\(clash.prefix(128))' is both a file and a folder")
        }
    }

    private func installNow(name: String, files: [String: [UInt8]]) throws -> [Int] {
        let fm = FileManager.default
        let token = UUID().uuidString
        let staging = "\(root)/.staging-\(token)"
        let stagedDir = "\(staging)/\(name)"
        defer { try? fm.removeItem(atPath: staging) }
        do {
            try fm.createDirectory(atPath: stagedDir, withIntermediateDirectories: true)
            var folders: Set<String> = [stagedDir]
            for (path, bytes) in files {
                let parts = try ModelName.safeRelativePath(path)
                let parent = ([stagedDir] + parts.dropLast()).joined(separator: "/")
                if folders.insert(parent).inserted { try fm.createDirectory(atPath: parent, withIntermediateDirectories: true) }
                guard Self.writeNewFile(parent + "/" + parts[parts.count - 1], bytes) else {
                    throw InferenceError.backend("cannot write \(name)/\(path)")
                }
            }
        } catch let e as InferenceError {
            throw e
        } catch {
            throw InferenceError.backend("cannot stage upload of '\(name)': \(clientSafe(error.localizedDescription, staging: staging))")
        }
        var folder: ModelFolder
        do {
            folder = try ModelLoader.load(dir: stagedDir, name: name, factory: factory)
        } catch {
            throw InferenceError.invalidInput(clientSafe("\(error)", staging: staging))
        }
        if let failed = folder.states.first(where: { $0.state == "UNAVAILABLE" }) {
            throw InferenceError.invalidInput(
                "uploaded model '\(name)' version \(failed.version) does not load: \(clientSafe(failed.reason, staging: staging))")
        }
        let final = "\(root)/\(name)"
        let trash = "\(root)/.trash-\(token)"
        try Self.moveIntoPlace(stagedDir, final, trash: trash, name: name)
        remember(name)
        // The sessions were created from the staged files and do not read them again; only the swap is locked.
        folder.states = folder.states.map { var s = $0; s.reason = clientSafe(s.reason, staging: staging); return s }
        state.withLock { $0[name] = folder }
        try? fm.removeItem(atPath: trash)
        return folder.versions.keys.sorted()
    }

    /// Removes a model from memory and disk.
    public func delete(_ name: String) throws {
        try ModelName.validate(name)
        try mutations.sync { try deleteNow(name) }
    }

    /// `delete` on the mutation queue (from async code).
    public func delete(_ name: String) async throws {
        try ModelName.validate(name)
        try await mutate { try self.deleteNow(name) }
    }

    private func deleteNow(_ name: String) throws {
        let fm = FileManager.default
        let dir = "\(root)/\(name)"
        let wasLoaded = state.withLock { $0.removeValue(forKey: name) } != nil
        _ = seen.withLock { $0.removeValue(forKey: name) }
        guard fm.fileExists(atPath: dir) else {
            if wasLoaded { return }
            throw InferenceError.notFound("unknown model '\(name)'")
        }
        let trash = "\(root)/.trash-\(UUID().uuidString)"
        do {
            try fm.moveItem(atPath: dir, toPath: trash)
            try fm.removeItem(atPath: trash)
        } catch {
            throw InferenceError.backend("cannot delete '\(name)'")
        }
    }

    /// Points `tag` at `version` (written to `tags.json`).
    public func setTag(_ tag: String, model name: String, version: Int) throws {
        try checkTag(tag, model: name)
        try mutations.sync { try setTagNow(tag, model: name, version: version) }
    }

    /// `setTag` on the mutation queue (from async code).
    public func setTag(_ tag: String, model name: String, version: Int) async throws {
        try checkTag(tag, model: name)
        try await mutate { try self.setTagNow(tag, model: name, version: version) }
    }

    private func checkTag(_ tag: String, model name: String) throws {
        try ModelName.validate(name)
        try ModelName.validate(tag)
        guard Int(tag) == nil else { throw InferenceError.invalidInput("tag '\(tag)' must not be a number") }
    }

    private func setTagNow(_ tag: String, model name: String, version: Int) throws {
        guard var folder = state.withLock({ $0[name] }) else { throw InferenceError.notFound("unknown model '\(name)'") }
        guard folder.versions[version] != nil else {
            throw InferenceError.notFound("model '\(name)' has no ready version \(version)")
        }
        folder.tags[tag] = version
        let json = "{" + folder.tags.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}\n"
        let dir = "\(root)/\(name)"
        let tmp = "\(dir)/.tags-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(json.utf8)), rename(tmp, "\(dir)/tags.json") == 0 else {
            try? FileManager.default.removeItem(atPath: tmp)
            throw InferenceError.backend("cannot write \(name)/tags.json")
        }
        remember(name)
        state.withLock { $0[name] = folder }
    }
}

extension ModelRepository {
    /// Writes a file that must not exist yet (plain write(2), no per-file sync: the folder is only served
    /// after it loaded).
    static func writeNewFile(_ path: String, _ bytes: [UInt8]) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bytes.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return true }
            var done = 0
            while done < raw.count {
                let n = write(fd, base + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                done += n
            }
            return true
        }
    }
}

extension InferenceError {
    /// The same class of error with another message (used to take server paths out).
    func withMessage(_ m: String) -> InferenceError {
        switch self {
        case .invalidInput: return .invalidInput(m)
        case .notFound: return .notFound(m)
        case .unavailable: return .unavailable(m)
        case .unsupported: return .unsupported(m)
        case .backend: return .backend(m)
        }
    }
}
