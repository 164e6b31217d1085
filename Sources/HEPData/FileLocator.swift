import Foundation
import ROOTIO

/// Turns what a user names (local path, `root://` or `http(s)://` URL, CMS logical name `/store/...`) into a
/// byte source, and reads file lists.
public struct FileLocator: Sendable {
    /// `root://host:port/` prefixed to CMS logical names (`/store/...`).
    public var redirector: String?
    /// File format for every name (`--format`); nil: from each name's extension (`.csv`, `.jsonl`, `.parquet`).
    public var format: TableFormat?

    public init(redirector: String? = nil) { self.redirector = redirector }

    /// The URL or path to open: full URLs are used as given (never double-prefixed).
    public func resolve(_ name: String) -> String {
        if name.contains("://") { return name }
        if name.hasPrefix("/store/"), let r = redirector {
            return (r.hasSuffix("/") ? String(r.dropLast()) : r) + "/" + name
        }
        return name
    }

    public func source(_ name: String) async throws -> ByteSource {
        let target = resolve(name)
        if target.hasPrefix("root://") || target.hasPrefix("xroot://") { return try await XRootDFile.open(target) }
        if target.hasPrefix("http://") || target.hasPrefix("https://") { return try await HTTPRangeSource.open(target) }
        return try LocalFileSource(path: target)
    }

    /// Opens a ROOT file, or a CSV, JSON-lines or Parquet file shown as a file with one tree, `Events`.
    public func open(_ name: String) async throws -> ROOTFile {
        let src = try await source(name)
        if let table = try await (format ?? TableFormat.guess(name)).table(src) { return ROOTFile.wrapping(table, source: src) }
        return try await ROOTFile.open(source: src)
    }

    /// A file list: one path or URL per line, `#` starts a comment.
    public static func readList(_ path: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RemoteError.invalidURL(path, reason: "cannot read the file list")
        }
        return text.split(whereSeparator: \.isNewline).map { line in
            String(line.prefix { $0 != "#" }).trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
    }

    /// Process-wide locator (set from `--redirector` / `HEPML_REDIRECTOR`).
    public static let shared = Shared()

    public final class Shared: @unchecked Sendable {
        private let lock = NSLock()
        private var locator = FileLocator(redirector: ProcessInfo.processInfo.environment["HEPML_REDIRECTOR"])
        public var current: FileLocator {
            get { lock.lock(); defer { lock.unlock() }; return locator }
            set { lock.lock(); locator = newValue; lock.unlock() }
        }
    }
}
