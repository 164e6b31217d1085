/// The header at offset 0 of every ROOT file (small and 64-bit layouts).
public struct FileHeader: Sendable {
    /// fVersion as stored (> 1000000 marks the 64-bit layout).
    public var rawVersion: Int32
    public var begin: Int64
    public var end: Int64
    public var nbytesName: Int32
    public var compress: Int32
    public var seekInfo: Int64
    public var nbytesInfo: Int32

    /// ROOT version that wrote the file, e.g. 62208.
    public var version: Int32 { rawVersion % 1_000_000 }
    public var isLarge: Bool { rawVersion >= 1_000_000 }

    /// Bytes to read to decode a header of either layout.
    public static let readSize = 64

    public init(bytes: [UInt8], file: String) throws {
        guard bytes.count >= 4, bytes[0] == 0x72, bytes[1] == 0x6F, bytes[2] == 0x6F, bytes[3] == 0x74 else {
            throw ROOTIOError.notROOT(file: file)
        }
        var c = ByteCursor(bytes: bytes, file: file, object: "file header", fileOffset: 0)
        c.position = 4
        rawVersion = try c.i32()
        begin = Int64(try c.i32())
        if rawVersion >= 1_000_000 {
            end = try c.i64()
            _ = try c.i64()  // fSeekFree
            _ = try c.i32()  // fNbytesFree
            _ = try c.i32()  // nfree
            nbytesName = try c.i32()
            _ = try c.u8()  // fUnits
            compress = try c.i32()
            seekInfo = try c.i64()
            nbytesInfo = try c.i32()
        } else {
            end = Int64(try c.i32())
            _ = try c.i32()
            _ = try c.i32()
            _ = try c.i32()
            nbytesName = try c.i32()
            _ = try c.u8()
            compress = try c.i32()
            seekInfo = Int64(try c.i32())
            nbytesInfo = try c.i32()
        }
        guard begin > 0, end >= begin, nbytesName >= 0 else {
            throw ROOTIOError.malformed(file: file, object: "file header", offset: 8,
                                        reason: "fBEGIN \(begin), fEND \(end), fNbytesName \(nbytesName)")
        }
    }
}
