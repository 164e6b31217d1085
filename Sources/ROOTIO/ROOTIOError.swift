/// Every failure the ROOT reader reports. Each case names the file and, where known, the object and byte offset.
public enum ROOTIOError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file could not be opened or read by the operating system.
    case io(file: String, message: String)
    /// The file does not start with the `root` magic.
    case notROOT(file: String)
    /// A read ran past the end of the file, a key or a buffer.
    case truncated(file: String, object: String, offset: Int64, needed: Int, available: Int)
    /// A structure holds a value that cannot be right (negative size, impossible version, ...).
    case malformed(file: String, object: String, offset: Int64, reason: String)
    /// A compressed block failed to decompress or has an unknown framing.
    case corruptBlock(file: String, object: String, offset: Int64, reason: String)
    /// An LZ4 block's xxh64 checksum does not match its data.
    case checksumMismatch(file: String, object: String, offset: Int64, expected: UInt64, found: UInt64)
    /// No key with that path (and cycle) in the file.
    case keyNotFound(file: String, path: String)
    /// The object exists but is not of the expected class.
    case wrongClass(file: String, path: String, expected: String, found: String)
    /// No branch with that name in the tree.
    case branchNotFound(file: String, tree: String, branch: String)
    /// Several branches answer to that name (a short name shared by members of different objects).
    case ambiguousBranch(file: String, tree: String, branch: String, candidates: [String])
    /// The branch is one the reader skips (with the reason: its type, or baskets that do not cover the tree).
    case skippedBranch(file: String, tree: String, branch: String, reason: String)
    /// The object or branch uses a class or layout the reader does not decode yet.
    case unsupported(file: String, object: String, reason: String)

    public var description: String {
        switch self {
        case let .io(file, message): return "\(file): \(message)"
        case let .notROOT(file): return "\(file): not a ROOT file (missing 'root' magic at offset 0)"
        case let .truncated(file, object, offset, needed, available):
            return "\(file): \(object) truncated at offset \(offset): needed \(needed) bytes, \(available) available"
        case let .malformed(file, object, offset, reason):
            return "\(file): \(object) malformed at offset \(offset): \(reason)"
        case let .corruptBlock(file, object, offset, reason):
            return "\(file): \(object) has a corrupt compressed block at offset \(offset): \(reason)"
        case let .checksumMismatch(file, object, offset, expected, found):
            return "\(file): \(object) LZ4 checksum mismatch at offset \(offset): expected \(String(expected, radix: 16)), found \(String(found, radix: 16))"
        case let .keyNotFound(file, path): return "\(file): no object named '\(path)'"
        case let .wrongClass(file, path, expected, found):
            return "\(file): '\(path)' is a \(found), not a \(expected)"
        case let .branchNotFound(file, tree, branch): return "\(file): tree '\(tree)' has no branch '\(branch)'"
        case let .ambiguousBranch(file, tree, branch, candidates):
            return "\(file): tree '\(tree)' has several branches named '\(branch)': "
                + candidates.map { "'\($0)'" }.joined(separator: ", ") + " (use the full name)"
        case let .skippedBranch(file, tree, branch, reason):
            return "\(file): tree '\(tree)': branch '\(branch)' cannot be read: \(reason)"
        case let .unsupported(file, object, reason): return "\(file): \(object): not supported yet: \(reason)"
        }
    }
}
