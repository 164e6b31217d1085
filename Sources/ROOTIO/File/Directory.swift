/// A TDirectory: its keys (headers only) and, lazily, its subdirectories.
public struct Directory: Sendable {
    public var path: String
    public var keys: [Key]

    /// Reads the directory record at `offset` and its keys list.
    static func read(at offset: Int64, path: String, source: ByteSource) async throws -> Directory {
        let headBytes = try await source.read(offset: offset, count: Int(min(Int64(42), source.size - offset)))
        var c = ByteCursor(bytes: headBytes, file: source.name, object: "directory '\(path)'", fileOffset: offset)
        let version = try c.i16()
        _ = try c.u32()
        _ = try c.u32()
        let nbytesKeys = try c.i32()
        _ = try c.i32()  // fNbytesName
        let seekKeys: Int64
        if version > 1000 {
            _ = try c.i64()
            _ = try c.i64()
            seekKeys = try c.i64()
        } else {
            _ = try c.i32()
            _ = try c.i32()
            seekKeys = Int64(try c.i32())
        }
        if seekKeys == 0 || nbytesKeys == 0 { return Directory(path: path, keys: []) }
        guard nbytesKeys > 0, seekKeys > 0 else {
            throw c.malformed("fSeekKeys \(seekKeys), fNbytesKeys \(nbytesKeys)")
        }
        let listBytes = try await source.read(offset: seekKeys, count: Int(nbytesKeys))
        var k = ByteCursor(bytes: listBytes, file: source.name, object: "keys list of '\(path)'", fileOffset: seekKeys)
        _ = try Key(from: &k)
        let n = try k.i32()
        guard n >= 0, Int(n) <= listBytes.count / 26 else { throw k.malformed("key count \(n)") }
        var keys: [Key] = []
        keys.reserveCapacity(Int(n))
        for _ in 0..<n { keys.append(try Key(from: &k)) }
        return Directory(path: path, keys: keys)
    }

    /// The key named `name` with the given cycle, or the highest cycle when `cycle` is nil.
    public func key(named name: String, cycle: Int16? = nil) -> Key? {
        let matches = keys.filter { $0.name == name && (cycle == nil || $0.cycle == cycle) }
        return matches.max { abs(Int($0.cycle)) < abs(Int($1.cycle)) }
    }

    static func isDirectoryClass(_ className: String) -> Bool {
        className == "TDirectory" || className == "TDirectoryFile"
    }
}
