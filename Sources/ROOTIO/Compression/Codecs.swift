import CCodecsLZ4
import CCodecsLZMA
import CCodecsXXHash
import CCodecsZlib
import CCodecsZstd

/// The compression algorithms ROOT writes, with thin wrappers over the system libraries.
public enum Codec: String, Sendable, CaseIterable {
    case zlib, lzma, lz4, zstd

    /// The two-byte magic of a ROOT compressed block.
    public var magic: (UInt8, UInt8) {
        switch self {
        case .zlib: return (0x5A, 0x4C)  // "ZL"
        case .lzma: return (0x58, 0x5A)  // "XZ"
        case .lz4: return (0x4C, 0x34)  // "L4"
        case .zstd: return (0x5A, 0x53)  // "ZS"
        }
    }

    /// Decompresses `source` into `destination` (whose count is the expected size). Returns false on any error
    /// or if the output size differs.
    public static func decompress(_ codec: Codec, _ source: UnsafeRawBufferPointer,
                                  into destination: UnsafeMutableRawBufferPointer) -> Bool {
        guard let src = source.baseAddress, let dst = destination.baseAddress else {
            return source.count == 0 && destination.count == 0
        }
        switch codec {
        case .zlib:
            var outLen = uLongf(destination.count)
            let rc = uncompress(dst.assumingMemoryBound(to: Bytef.self), &outLen,
                                src.assumingMemoryBound(to: Bytef.self), uLong(source.count))
            return rc == Z_OK && Int(outLen) == destination.count
        case .lzma:
            var memlimit: UInt64 = UInt64.max
            var inPos = 0
            var outPos = 0
            let rc = lzma_stream_buffer_decode(&memlimit, 0, nil, src.assumingMemoryBound(to: UInt8.self), &inPos,
                                               source.count, dst.assumingMemoryBound(to: UInt8.self), &outPos,
                                               destination.count)
            return rc == LZMA_OK && outPos == destination.count
        case .lz4:
            let n = LZ4_decompress_safe(src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self),
                                        Int32(source.count), Int32(destination.count))
            return Int(n) == destination.count
        case .zstd:
            let n = ZSTD_decompress(dst, destination.count, src, source.count)
            return ZSTD_isError(n) == 0 && n == destination.count
        }
    }

    /// Compresses `source` (used by tests and writers); returns nil on failure.
    public static func compress(_ codec: Codec, _ source: [UInt8], level: Int32 = 5) -> [UInt8]? {
        source.withUnsafeBytes { s -> [UInt8]? in
            let sp = s.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            switch codec {
            case .zlib:
                var cap = compressBound(uLong(s.count))
                var out = [UInt8](repeating: 0, count: Int(cap))
                let rc = out.withUnsafeMutableBytes { o in
                    compress2(o.baseAddress!.assumingMemoryBound(to: Bytef.self), &cap,
                              sp.assumingMemoryBound(to: Bytef.self), uLong(s.count), level)
                }
                guard rc == Z_OK else { return nil }
                return Array(out[0..<Int(cap)])
            case .lzma:
                var out = [UInt8](repeating: 0, count: s.count + s.count / 2 + 1024)
                var outPos = 0
                let outCount = out.count
                let rc = out.withUnsafeMutableBytes { o in
                    lzma_easy_buffer_encode(UInt32(level), LZMA_CHECK_CRC32, nil, sp.assumingMemoryBound(to: UInt8.self),
                                            s.count, o.baseAddress!.assumingMemoryBound(to: UInt8.self), &outPos, outCount)
                }
                guard rc == LZMA_OK else { return nil }
                return Array(out[0..<outPos])
            case .lz4:
                let cap = LZ4_compressBound(Int32(s.count))
                var out = [UInt8](repeating: 0, count: Int(cap))
                let n = out.withUnsafeMutableBytes { o in
                    LZ4_compress_default(sp.assumingMemoryBound(to: CChar.self),
                                         o.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(s.count), cap)
                }
                guard n > 0 else { return nil }
                return Array(out[0..<Int(n)])
            case .zstd:
                let cap = ZSTD_compressBound(s.count)
                var out = [UInt8](repeating: 0, count: cap)
                let n = out.withUnsafeMutableBytes { o in ZSTD_compress(o.baseAddress!, cap, sp, s.count, level) }
                guard ZSTD_isError(n) == 0 else { return nil }
                return Array(out[0..<n])
            }
        }
    }
}

/// XXH64 and XXH3-64 hashes from libxxhash.
public enum XXHash {
    /// XXH64 with a seed (ROOT's LZ4 blocks use seed 0).
    public static func xxh64(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        XXH64(bytes.baseAddress, bytes.count, seed)
    }

    public static func xxh64(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { xxh64($0, seed: seed) }
    }

    /// XXH3 64-bit (RNTuple envelope and page checksums).
    public static func xxh3(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { xxh3($0) }
    }

    public static func xxh3(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits(bytes.baseAddress, bytes.count)
    }
}
