/// A basket's uncompressed entry data with its per-entry byte offsets (entries + 1, relative to `data`).
/// Used for embedded baskets and for baskets kept between chunks.
public struct RawBasket: Sendable {
    public var entries: Int
    public var data: [UInt8]
    public var byteOffsets: [Int32]?
}

/// Turns the bytes of an on-disk TBasket record into entry data and offsets.
enum BasketDecoder {
    /// Header fields of a basket record needed before decompression.
    struct Sizes {
        var keylen: Int
        var stored: Int
        var objlen: Int
    }

    /// Reads fNbytes, fObjlen and fKeylen from the first bytes of a record.
    static func sizes(of record: ArraySlice<UInt8>, at offset: Int64, branch: BranchModel, file: String) throws -> Sizes {
        guard record.count >= 18 else {
            throw ROOTIOError.truncated(file: file, object: "basket of branch '\(branch.name)'", offset: offset, needed: 18,
                                        available: record.count)
        }
        return record.withUnsafeBytes { r in
            let nbytes = Int(Int32(bigEndian: r.loadUnaligned(fromByteOffset: 0, as: Int32.self)))
            let objlen = Int(Int32(bigEndian: r.loadUnaligned(fromByteOffset: 6, as: Int32.self)))
            let keylen = Int(Int16(bigEndian: r.loadUnaligned(fromByteOffset: 14, as: Int16.self)))
            return Sizes(keylen: keylen, stored: nbytes - keylen, objlen: objlen)
        }
    }

    /// Checks a record's sizes against the record and, when compressed, against its block headers, before
    /// the arena for `sizes.objlen` bytes is allocated.
    static func validateFraming(_ record: ArraySlice<UInt8>, sizes: Sizes, at offset: Int64, branch: BranchModel,
                                file: String) throws {
        let object = "basket of branch '\(branch.name)'"
        guard sizes.keylen >= 18, sizes.stored >= 0, sizes.objlen >= 0, sizes.keylen + sizes.stored <= record.count else {
            throw ROOTIOError.malformed(file: file, object: object, offset: offset,
                                        reason: "fKeylen \(sizes.keylen), fNbytes \(sizes.keylen + sizes.stored), fObjlen \(sizes.objlen) in a record of \(record.count) bytes")
        }
        guard sizes.stored != sizes.objlen else { return }
        try record.withUnsafeBytes { raw in
            try ROOTDecompressor.validate(UnsafeRawBufferPointer(rebasing: raw[sizes.keylen..<(sizes.keylen + sizes.stored)]),
                                          uncompressedSize: sizes.objlen, file: file, object: object,
                                          fileOffset: offset + Int64(sizes.keylen))
        }
    }

    /// Decodes a record into `out` (exactly `sizes.objlen` bytes) and returns the entry count, the data length
    /// (`fLast - fKeylen`) and the entry offsets.
    /// - Parameters:
    ///   - record: the whole key record (`fBasketBytes` bytes at `fBasketSeek`).
    ///   - expectedEntries: entries the branch's basket table assigns to this basket.
    static func decode(record: ArraySlice<UInt8>, at offset: Int64, branch: BranchModel, expectedEntries: Int64,
                       file: String, into out: UnsafeMutableRawBufferPointer) throws
        -> (entries: Int, length: Int, byteOffsets: [Int32]?)
    {
        let sizes = try sizes(of: record, at: offset, branch: branch, file: file)
        guard sizes.keylen >= 18, sizes.keylen <= record.count else {
            throw ROOTIOError.malformed(file: file, object: "basket of branch '\(branch.name)'", offset: offset,
                                        reason: "fKeylen \(sizes.keylen) in a record of \(record.count) bytes")
        }
        let object = "basket of branch '\(branch.name)'"
        let header = try record.withUnsafeBytes { r in
            try BasketHeader(UnsafeRawBufferPointer(rebasing: r[0..<sizes.keylen]), file: file, object: object, offset: offset)
        }
        let nevBuf = header.nevBuf
        let last = header.last
        let keylen = sizes.keylen
        func bad(_ why: String) -> ROOTIOError { .malformed(file: file, object: object, offset: offset, reason: why) }
        guard Int64(nevBuf) == expectedEntries else {
            throw bad("basket holds \(nevBuf) entries, the branch table says \(expectedEntries)")
        }
        let stored = sizes.stored
        let objlen = sizes.objlen
        guard stored >= 0, keylen + stored <= record.count, objlen >= 0, out.count == objlen else {
            throw bad("fNbytes \(keylen + stored), fKeylen \(keylen), record of \(record.count) bytes")
        }
        let isCompressed = stored != objlen
        try record.withUnsafeBytes { raw in
            let payload = UnsafeRawBufferPointer(rebasing: raw[keylen..<(keylen + stored)])
            if isCompressed {
                try ROOTDecompressor.decompress(payload, into: out, file: file, object: object,
                                                fileOffset: offset + Int64(keylen))
            } else {
                out.copyMemory(from: payload)
            }
        }
        let border = last - keylen
        guard border >= 0, border <= objlen else {
            throw bad("fLast \(last) outside the basket's \(objlen) bytes")
        }
        var offsets: [Int32]?
        if branch.entryOffsetLen != 0, border < objlen {
            offsets = try readOffsetTable(UnsafeRawBufferPointer(rebasing: out[border..<objlen]), border: border,
                                          entries: nevBuf, keylen: keylen, file: file, object: object)
        }
        return (nevBuf, border, offsets)
    }
    /// The entry-offset table after the data: count, then entry starts in key coordinates.
    private static func readOffsetTable(_ table: UnsafeRawBufferPointer, border: Int, entries: Int, keylen: Int,
                                        file: String, object: String) throws -> [Int32]
    {
        func bad(_ why: String) -> ROOTIOError {
            .malformed(file: file, object: object + " entry offsets", offset: Int64(border), reason: why)
        }
        guard table.count >= 4 else { throw bad("no room for the table's count") }
        let n = Int(Int32(bigEndian: table.loadUnaligned(as: Int32.self)))
        guard n >= entries, n <= (table.count - 4) / 4 else { throw bad("\(n) values for \(entries) entries") }
        var monotonic = true
        let shift = Int32(keylen)
        let limit = Int32(border)
        let offs = [Int32](unsafeUninitializedCapacity: entries + 1) { out, initialized in
            var previous: Int32 = 0
            for i in 0..<entries {
                let v = Int32(bigEndian: table.loadUnaligned(fromByteOffset: 4 + 4 * i, as: Int32.self)) &- shift
                monotonic = monotonic && v >= previous && v <= limit
                out[i] = v
                previous = v
            }
            out[entries] = limit
            initialized = entries + 1
        }
        guard monotonic else { throw bad("entry offsets decrease or point outside 0...\(border)") }
        return offs
    }
}

/// The fields of a TBasket record header that decoding needs, read without building strings.
struct BasketHeader {
    var nevBuf: Int
    var last: Int

    init(_ h: UnsafeRawBufferPointer, file: String, object: String, offset: Int64) throws {
        var p = 0
        func need(_ n: Int) throws {
            guard p + n <= h.count else {
                throw ROOTIOError.truncated(file: file, object: object + " header", offset: offset + Int64(p), needed: n,
                                            available: h.count - p)
            }
        }
        func i32() throws -> Int32 {
            try need(4)
            defer { p += 4 }
            return Int32(bigEndian: h.loadUnaligned(fromByteOffset: p, as: Int32.self))
        }
        try need(18)
        let version = Int16(bigEndian: h.loadUnaligned(fromByteOffset: 4, as: Int16.self))
        p = 18 + (version > 1000 ? 16 : 8)
        for _ in 0..<3 {
            try need(1)
            var n = Int(h[p])
            p += 1
            if n == 255 { n = Int(UInt32(bitPattern: try i32())) }
            try need(n)
            p += n
        }
        try need(2)
        p += 2  // TBasket version
        _ = try i32()  // fBufferSize
        if try i32() < 0 { p += 1 }  // fNevBufSize < 0: an fIOBits byte follows
        nevBuf = Int(try i32())
        last = Int(try i32())
        guard nevBuf >= 0 else {
            throw ROOTIOError.malformed(file: file, object: object, offset: offset, reason: "fNevBuf \(nevBuf)")
        }
    }
}
