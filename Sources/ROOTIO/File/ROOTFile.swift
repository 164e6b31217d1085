/// An open ROOT file: header, directories and keys, with trees loaded on demand.
public final class ROOTFile: Sendable {
    public let source: ByteSource
    public let header: FileHeader
    public let root: Directory
    /// Set when this file is a CSV, JSON-lines or Parquet table shown as one tree (see `ColumnTable`).
    public let table: (any ColumnTable)?

    /// Opens a local path.
    public static func open(path: String) async throws -> ROOTFile {
        try await open(source: try LocalFileSource(path: path))
    }

    /// Opens any byte source (local, XRootD, HTTP).
    public static func open(source: ByteSource) async throws -> ROOTFile {
        guard source.size >= 4 else {
            if source.size == 0 { throw ROOTIOError.notROOT(file: source.name) }
            let b = try await source.read(offset: 0, count: Int(source.size))
            _ = try FileHeader(bytes: b, file: source.name)
            throw ROOTIOError.truncated(file: source.name, object: "file header", offset: 0, needed: 64,
                                        available: Int(source.size))
        }
        let headBytes = try await source.read(offset: 0, count: Int(min(source.size, Int64(FileHeader.readSize))))
        let header = try FileHeader(bytes: headBytes, file: source.name)
        guard source.size >= header.end else {
            throw ROOTIOError.truncated(file: source.name, object: "file (fEND \(header.end))", offset: source.size,
                                        needed: Int(header.end - source.size), available: 0)
        }
        let dirOffset = header.begin + Int64(header.nbytesName)
        guard dirOffset < source.size else {
            throw ROOTIOError.truncated(file: source.name, object: "root directory", offset: dirOffset, needed: 42,
                                        available: 0)
        }
        let root = try await Directory.read(at: dirOffset, path: "", source: source)
        return ROOTFile(source: source, header: header, root: root)
    }

    init(source: ByteSource, header: FileHeader, root: Directory, table: (any ColumnTable)? = nil) {
        self.source = source
        self.header = header
        self.root = root
        self.table = table
    }

    public var name: String { source.name }

    /// The subdirectory a directory key points at.
    public func directory(for key: Key, path: String) async throws -> Directory {
        try await Directory.read(at: key.seekKey + Int64(key.keylen), path: path, source: source)
    }

    /// Looks up `dir/sub/name` or `name;cycle` (highest cycle when none is given).
    public func key(at path: String) async throws -> Key {
        var parts = path.split(separator: "/").map(String.init)
        guard let last = parts.popLast() else { throw ROOTIOError.keyNotFound(file: name, path: path) }
        var dir = root
        var walked = ""
        for part in parts {
            let (n, cyc) = Self.splitCycle(part)
            guard let k = dir.key(named: n, cycle: cyc), Directory.isDirectoryClass(k.className) else {
                throw ROOTIOError.keyNotFound(file: name, path: path)
            }
            walked += walked.isEmpty ? n : "/" + n
            dir = try await directory(for: k, path: walked)
        }
        let (n, cyc) = Self.splitCycle(last)
        guard let k = dir.key(named: n, cycle: cyc) else { throw ROOTIOError.keyNotFound(file: name, path: path) }
        return k
    }

    static func splitCycle(_ s: String) -> (String, Int16?) {
        guard let semi = s.lastIndex(of: ";"), let c = Int16(s[s.index(after: semi)...]) else { return (s, nil) }
        return (String(s[..<semi]), c)
    }

    /// One entry per key in every directory: `path;cycle` and class name, in file order (directories recursed).
    public func allKeys() async throws -> [(path: String, key: Key)] {
        var out: [(String, Key)] = []
        try await walk(root, prefix: "", into: &out, depth: 0)
        return out
    }

    private func walk(_ dir: Directory, prefix: String, into out: inout [(String, Key)], depth: Int) async throws {
        guard depth < 64 else {
            throw ROOTIOError.malformed(file: name, object: "directory '\(prefix)'", offset: 0, reason: "nesting deeper than 64")
        }
        for k in dir.keys {
            out.append(("\(prefix)\(k.name);\(k.cycle)", k))
            if Directory.isDirectoryClass(k.className) {
                let sub = try await directory(for: k, path: prefix + k.name)
                try await walk(sub, prefix: prefix + k.name + "/", into: &out, depth: depth + 1)
            }
        }
    }
}
