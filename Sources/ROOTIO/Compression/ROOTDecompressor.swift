/// Decodes ROOT's compressed-block framing: a sequence of blocks, each with a 9-byte header
/// (`ZL`/`XZ`/`L4`/`ZS` magic, method byte, u24 little-endian compressed and uncompressed sizes).
/// The codec is picked from each block's magic, never from the file's fCompress.
public enum ROOTDecompressor {
    static let headerSize = 9

    /// Decompresses `source` into exactly `uncompressedSize` bytes. The block headers are checked against
    /// `uncompressedSize` before the output is allocated.
    /// - Parameters:
    ///   - file/object/fileOffset: context for errors (fileOffset of `source[0]`, or -1).
    public static func decompress(_ source: UnsafeRawBufferPointer, uncompressedSize: Int,
                                  file: String, object: String, fileOffset: Int64) throws -> [UInt8] {
        try validate(source, uncompressedSize: uncompressedSize, file: file, object: object, fileOffset: fileOffset)
        var out = [UInt8](repeating: 0, count: uncompressedSize)
        try out.withUnsafeMutableBytes { dst in
            try decompress(source, into: dst, file: file, object: object, fileOffset: fileOffset)
        }
        return out
    }

    /// Checks, without decompressing or allocating, that the block headers of `source` can yield exactly
    /// `uncompressedSize` bytes: every block lies inside `source`, has a known magic, claims no more than
    /// its codec can expand to (and what its own frame records, for zstd and xz), and the blocks' sizes sum
    /// to `uncompressedSize`. A damaged size field (a key's fObjlen, a basket's, a page's) fails here.
    public static func validate(_ source: UnsafeRawBufferPointer, uncompressedSize: Int,
                                file: String, object: String, fileOffset: Int64) throws {
        var inPos = 0
        var total = 0
        func fail(_ reason: String) -> ROOTIOError {
            .corruptBlock(file: file, object: object, offset: fileOffset >= 0 ? fileOffset + Int64(inPos) : Int64(inPos),
                          reason: reason)
        }
        guard uncompressedSize >= 0 else { throw fail("uncompressed size \(uncompressedSize)") }
        while total < uncompressedSize {
            guard source.count - inPos >= headerSize, let h = source.baseAddress.map({ $0 + inPos }) else {
                throw fail("blocks hold \(total) bytes, the header says \(uncompressedSize)")
            }
            let (codec, csize, usize) = try blockHeader(h, fail: fail)
            guard csize <= source.count - inPos - headerSize else {
                throw fail("block says \(csize) compressed bytes, only \(source.count - inPos - headerSize) present")
            }
            guard usize > 0, usize <= uncompressedSize - total else {
                throw fail("block says \(usize) uncompressed bytes, \(uncompressedSize - total) expected")
            }
            guard usize <= codec.maxExpansion(ofCompressed: csize) else {
                throw fail("block says \(csize) \(codec.rawValue) bytes expand to \(usize)")
            }
            let payload = UnsafeRawBufferPointer(start: h + headerSize, count: csize)
            if let declared = codec.declaredSize(payload), declared != usize {
                throw fail("block header says \(usize) bytes, its \(codec.rawValue) frame says \(declared)")
            }
            inPos += headerSize + csize
            total += usize
        }
    }

    /// The codec and sizes of the 9-byte block header at `h`.
    private static func blockHeader(_ h: UnsafeRawPointer, fail: (String) -> ROOTIOError) throws
        -> (codec: Codec, compressed: Int, uncompressed: Int)
    {
        func u24(_ at: Int) -> Int {
            Int(h.load(fromByteOffset: at, as: UInt8.self)) | Int(h.load(fromByteOffset: at + 1, as: UInt8.self)) << 8
                | Int(h.load(fromByteOffset: at + 2, as: UInt8.self)) << 16
        }
        let m0 = h.load(fromByteOffset: 0, as: UInt8.self)
        let m1 = h.load(fromByteOffset: 1, as: UInt8.self)
        let codec: Codec
        switch (m0, m1) {
        case (0x5A, 0x4C): codec = .zlib
        case (0x58, 0x5A): codec = .lzma
        case (0x5A, 0x53): codec = .zstd
        case (0x4C, 0x34): codec = .lz4
        case (0x43, 0x53): throw fail("old ROOT 'CS' compression (algorithm 3) is not supported")
        default: throw fail("unknown block magic 0x\(String(m0, radix: 16))\(String(m1, radix: 16))")
        }
        return (codec, u24(3), u24(6))
    }

    /// Decompresses into a caller-provided buffer that must be filled exactly.
    public static func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer,
                                  file: String, object: String, fileOffset: Int64) throws {
        var inPos = 0
        var outPos = 0
        func fail(_ reason: String) -> ROOTIOError {
            .corruptBlock(file: file, object: object, offset: fileOffset >= 0 ? fileOffset + Int64(inPos) : Int64(inPos),
                          reason: reason)
        }
        while outPos < destination.count {
            guard source.count - inPos >= headerSize else {
                throw fail("block header needs \(headerSize) bytes, \(source.count - inPos) left")
            }
            guard let h = source.baseAddress.map({ $0 + inPos }) else { throw fail("no compressed bytes") }
            let (codec, csize, usize) = try blockHeader(h, fail: fail)
            guard csize <= source.count - inPos - headerSize else {
                throw fail("block says \(csize) compressed bytes, only \(source.count - inPos - headerSize) present")
            }
            guard usize > 0, usize <= destination.count - outPos else {
                throw fail("block says \(usize) uncompressed bytes, \(destination.count - outPos) expected")
            }
            let payload = UnsafeRawBufferPointer(start: h + headerSize, count: csize)
            let target = UnsafeMutableRawBufferPointer(rebasing: destination[outPos..<(outPos + usize)])
            var ok: Bool
            if codec == .lz4 {
                guard csize >= 8 else { throw fail("LZ4 block shorter than its 8-byte checksum") }
                let expected = UInt64(bigEndian: payload.loadUnaligned(as: UInt64.self))
                let data = UnsafeRawBufferPointer(rebasing: payload[8...])
                let found = XXHash.xxh64(data)
                guard expected == found else {
                    throw ROOTIOError.checksumMismatch(file: file, object: object,
                                                       offset: fileOffset >= 0 ? fileOffset + Int64(inPos) : Int64(inPos),
                                                       expected: expected, found: found)
                }
                ok = Codec.decompress(.lz4, data, into: target)
            } else {
                ok = Codec.decompress(codec, payload, into: target)
            }
            guard ok else { throw fail("\(codec.rawValue) could not decompress \(csize) bytes into \(usize)") }
            inPos += headerSize + csize
            outPos += usize
        }
    }

    /// Frames `data` as ROOT blocks with `codec` (for tests and round trips).
    public static func compress(_ data: [UInt8], codec: Codec, level: Int32 = 5) -> [UInt8]? {
        var out: [UInt8] = []
        let maxBlock = 0xFF_FFFF
        var start = 0
        while start < data.count {
            let end = min(data.count, start + maxBlock)
            let chunk = Array(data[start..<end])
            guard var body = Codec.compress(codec, chunk, level: level) else { return nil }
            if codec == .lz4 {
                let sum = XXHash.xxh64(body).bigEndian
                body = withUnsafeBytes(of: sum) { Array($0) } + body
            }
            guard body.count <= maxBlock else { return nil }
            let m = codec.magic
            let method: UInt8 = codec == .zlib ? 8 : (codec == .lzma ? 0 : 1)
            out += [m.0, m.1, method]
            out += [UInt8(body.count & 0xFF), UInt8(body.count >> 8 & 0xFF), UInt8(body.count >> 16 & 0xFF)]
            out += [UInt8(chunk.count & 0xFF), UInt8(chunk.count >> 8 & 0xFF), UInt8(chunk.count >> 16 & 0xFF)]
            out += body
            start = end
        }
        return out
    }
}
