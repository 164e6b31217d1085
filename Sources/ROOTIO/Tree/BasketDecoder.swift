/// A basket's uncompressed entry data with its per-entry byte offsets (entries + 1, relative to `data`).
public struct RawBasket: Sendable {
    public var entries: Int
    public var data: [UInt8]
    public var byteOffsets: [Int32]?
}

/// Turns the bytes of an on-disk TBasket record into entry data and offsets.
enum BasketDecoder {
    /// - Parameters:
    ///   - record: the whole key record (`fBasketBytes` bytes at `fBasketSeek`).
    ///   - expectedEntries: entries the branch's basket table assigns to this basket.
    static func decode(record: [UInt8], at offset: Int64, branch: BranchModel, expectedEntries: Int64, file: String)
        throws -> RawBasket
    {
        var c = ByteCursor(bytes: record, file: file, object: "basket of branch '\(branch.name)'", fileOffset: offset)
        let key = try Key(from: &c)
        _ = try c.i16()  // TBasket version
        _ = try c.i32()  // fBufferSize
        var nevBufSize = try c.i32()
        if nevBufSize < 0 {
            nevBufSize = -nevBufSize
            _ = try c.u8()  // fIOBits
        }
        let nevBuf = Int(try c.i32())
        let last = Int(try c.i32())
        _ = try c.u8()  // flag
        let keylen = Int(key.keylen)
        guard Int64(nevBuf) == expectedEntries else {
            throw c.malformed("basket holds \(nevBuf) entries, the branch table says \(expectedEntries)")
        }
        guard key.nbytes >= key.keylen, Int(key.nbytes) <= record.count, keylen >= c.position, key.objlen >= 0 else {
            throw c.malformed("fNbytes \(key.nbytes), fKeylen \(key.keylen), record of \(record.count) bytes")
        }
        let stored = Int(key.nbytes) - keylen
        let objlen = Int(key.objlen)
        let data: [UInt8]
        if key.isCompressed {
            data = try record.withUnsafeBytes { raw in
                try ROOTDecompressor.decompress(UnsafeRawBufferPointer(rebasing: raw[keylen..<(keylen + stored)]),
                                                uncompressedSize: objlen, file: file, object: c.object,
                                                fileOffset: offset + Int64(keylen))
            }
        } else {
            data = Array(record[keylen..<(keylen + stored)])
        }
        let border = last - keylen
        guard border >= 0, border <= data.count else {
            throw c.malformed("fLast \(last) outside the basket's \(data.count) bytes")
        }
        var offsets: [Int32]?
        if branch.entryOffsetLen != 0, border < data.count {
            offsets = try readOffsetTable(data, border: border, entries: nevBuf, keylen: keylen, cursor: c)
        }
        var body = data
        body.removeSubrange(border...)
        return RawBasket(entries: nevBuf, data: body, byteOffsets: offsets)
    }

    /// The entry-offset table after the data: count, then entry starts in key coordinates.
    private static func readOffsetTable(_ data: [UInt8], border: Int, entries: Int, keylen: Int, cursor: ByteCursor) throws
        -> [Int32]
    {
        var t = ByteCursor(bytes: data, file: cursor.file, object: cursor.object + " entry offsets")
        t.position = border
        let n = Int(try t.i32())
        guard n >= entries, n <= t.remaining / 4 else {
            throw t.malformed("entry-offset table of \(n) values for \(entries) entries")
        }
        var offs = [Int32](repeating: 0, count: entries + 1)
        var previous: Int32 = 0
        for i in 0..<entries {
            let v = try t.i32() - Int32(keylen)
            guard v >= previous, Int(v) <= border else {
                throw t.malformed("entry \(i) offset \(v) is outside 0...\(border) or decreasing")
            }
            offs[i] = v
            previous = v
        }
        offs[entries] = Int32(border)
        return offs
    }
}
