#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place where a file named by a model folder or its configuration (config.pbtxt
/// `default_model_filename` and `label_filename`, params.json `model` and `labels`, tags.json, version
/// folders) becomes a path on disk. The name must be relative without `..`; the path is then resolved with
/// `realpath` (all symbolic links followed) and must stay inside the model folder's own real path.
/// Errors name the file as the configuration wrote it and say the same thing whether a file outside the
/// folder exists or not.
public struct ModelFolderPath: Sendable {
    /// The model folder with every symbolic link resolved.
    public let realFolder: String
    /// The model name, used in error messages instead of server paths.
    public let model: String

    /// - Throws: `notFound` when `folder` does not exist.
    public init(folder: String, model: String) throws {
        guard let real = Self.realPath(folder) else { throw InferenceError.notFound("model '\(model)' has no folder in the repository") }
        realFolder = real
        self.model = model
    }

    /// The real path of `relative` (a file or folder that must exist), inside the model folder.
    /// - Parameter what: how the configuration calls the file, e.g. "default_model_filename".
    public func resolve(_ relative: String, what: String) throws -> String {
        guard let path = try resolveIfPresent(relative, what: what) else {
            throw InferenceError.unavailable(missingMessage(relative, what: what))
        }
        return path
    }

    /// Like `resolve`, but nil when nothing by that name exists (optional files such as tags.json).
    /// A name that is absolute, uses `..`, or is a symbolic link leading out of the folder (dangling or not)
    /// still throws.
    public func resolveIfPresent(_ relative: String, what: String) throws -> String? {
        let parts: [String]
        do {
            parts = try ModelName.safeRelativePath(relative)
        } catch {
            throw InferenceError.invalidInput("model '\(model)': \(what) must be a relative path inside the model folder (no '..', not absolute)")
        }
        let joined = realFolder + "/" + parts.joined(separator: "/")
        guard let real = Self.realPath(joined) else {
            var st = stat()
            if lstat(joined, &st) == 0 || Self.hasLinkComponent(realFolder, parts) {
                throw InferenceError.invalidInput(escapeMessage(relative, what: what))
            }
            return nil
        }
        guard real == realFolder || real.hasPrefix(realFolder + "/") else {
            throw InferenceError.invalidInput(escapeMessage(relative, what: what))
        }
        return real
    }

    func escapeMessage(_ relative: String, what: String) -> String {
        "model '\(model)': \(what) '\(relative.prefix(128))' is not a file inside the model folder"
    }

    func missingMessage(_ relative: String, what: String) -> String {
        "model '\(model)': \(what) '\(relative.prefix(128))' does not exist in the model folder"
    }

    /// Whether some existing prefix of `parts` under `base` is a symbolic link (a link whose target is missing
    /// must not be reported as a missing file: that would tell whether the outside target exists).
    static func hasLinkComponent(_ base: String, _ parts: [String]) -> Bool {
        var path = base
        for p in parts {
            path += "/" + p
            var st = stat()
            guard lstat(path, &st) == 0 else { return false }
            if (st.st_mode & S_IFMT) == S_IFLNK { return true }
        }
        return false
    }

    /// `realpath(3)`: absolute, no `.`/`..`, every link resolved; nil when the path does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
