/// A TKey: the header of every record in a ROOT file (object payloads, baskets, directories).
public struct Key: Sendable {
    public var nbytes: Int32
    public var version: Int16
    public var objlen: Int32
    public var keylen: Int16
    public var cycle: Int16
    public var seekKey: Int64
    public var seekPdir: Int64
    public var className: String
    public var name: String
    public var title: String

    /// Whether the payload is compressed (stored size differs from the object size).
    public var isCompressed: Bool { objlen != nbytes - Int32(keylen) }

    /// Parses a key header at the cursor.
    public init(from c: inout ByteCursor) throws {
        nbytes = try c.i32()
        version = try c.i16()
        objlen = try c.i32()
        _ = try c.u32()  // fDatime
        keylen = try c.i16()
        cycle = try c.i16()
        if version > 1000 {
            seekKey = try c.i64()
            seekPdir = try c.i64()
        } else {
            seekKey = Int64(try c.i32())
            seekPdir = Int64(try c.i32())
        }
        className = try c.string()
        name = try c.string()
        title = try c.string()
        guard keylen >= 0, objlen >= 0 else {
            throw c.malformed("key '\(name)': fKeylen \(keylen), fObjlen \(objlen)")
        }
    }

    /// Reads and decompresses this key's payload; the returned cursor uses key coordinates (origin = fKeylen).
    public func payload(from source: ByteSource) async throws -> ByteCursor {
        let object = "key '\(name)' (\(className)) at \(seekKey)"
        guard nbytes >= Int32(keylen), seekKey >= 0 else {
            throw ROOTIOError.malformed(file: source.name, object: object, offset: seekKey,
                                        reason: "fNbytes \(nbytes) < fKeylen \(keylen)")
        }
        let stored = Int(nbytes) - Int(keylen)
        let raw = try await source.read(offset: seekKey + Int64(keylen), count: stored)
        let data: [UInt8]
        if isCompressed {
            data = try raw.withUnsafeBytes {
                try ROOTDecompressor.decompress($0, uncompressedSize: Int(objlen), file: source.name, object: object,
                                                fileOffset: seekKey + Int64(keylen))
            }
        } else {
            data = raw
        }
        return ByteCursor(bytes: data, origin: Int(keylen), file: source.name, object: object,
                          fileOffset: isCompressed ? -1 : seekKey + Int64(keylen))
    }
}
