import CCodecsLZ4
import CCodecsSnappy
import CCodecsZlib
import CCodecsZstd

/// Page decompression for Parquet's codecs: SNAPPY, GZIP, ZSTD, LZ4_RAW and the Hadoop-framed LZ4 (with a
/// raw-block fallback, as older writers used). The output size is always the page header's, so a corrupt
/// page cannot make a decoder allocate more.
enum ParquetCodec {
    struct Failure: Error, Equatable { var reason: String }

    static func name(_ codec: Int32) -> String {
        switch codec {
        case 0: return "UNCOMPRESSED"
        case 1: return "SNAPPY"
        case 2: return "GZIP"
        case 3: return "LZO"
        case 4: return "BROTLI"
        case 5: return "LZ4"
        case 6: return "ZSTD"
        case 7: return "LZ4_RAW"
        default: return "codec \(codec)"
        }
    }

    /// Decompresses `input` into exactly `o.count` bytes (not UNCOMPRESSED: callers use the page as it is).
    static func decompress(_ codec: Int32, _ input: UnsafeRawBufferPointer, into o: UnsafeMutableRawBufferPointer) throws(Failure) {
        let size = o.count
        guard [1, 2, 5, 6, 7].contains(codec) else { throw Failure(reason: "\(name(codec)) compression is not supported") }
        let ok: Bool
        if let src = input.baseAddress, let dst = o.baseAddress {
            switch codec {
            case 1:
                var n = size
                ok = snappy_uncompress(src.assumingMemoryBound(to: CChar.self), input.count,
                                       dst.assumingMemoryBound(to: CChar.self), &n) == SNAPPY_OK && n == size
            case 2: ok = gunzip(input, into: o)
            case 6:
                let n = ZSTD_decompress(dst, size, src, input.count)
                ok = ZSTD_isError(n) == 0 && n == size
            case 7:
                ok = LZ4_decompress_safe(src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self),
                                         Int32(clamping: input.count), Int32(clamping: size)) == Int32(clamping: size)
            default:
                ok = hadoopLZ4(input, into: o) || LZ4_decompress_safe(
                    src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self),
                    Int32(clamping: input.count), Int32(clamping: size)) == Int32(clamping: size)
            }
        } else {
            ok = size == 0
        }
        guard ok else { throw Failure(reason: "\(name(codec)) data does not decompress to \(size) bytes") }
    }

    /// gzip (or zlib) stream into exactly `o.count` bytes.
    private static func gunzip(_ input: UnsafeRawBufferPointer, into o: UnsafeMutableRawBufferPointer) -> Bool {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return false }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        stream.next_out = o.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(o.count)
        let rc = inflate(&stream, Z_FINISH)
        return rc == Z_STREAM_END && stream.total_out == uLong(o.count)
    }

    /// Hadoop's LZ4 framing: blocks of [big-endian decompressed size][big-endian compressed size][LZ4 block].
    private static func hadoopLZ4(_ input: UnsafeRawBufferPointer, into o: UnsafeMutableRawBufferPointer) -> Bool {
        var ip = 0, op = 0
        func be32(_ at: Int) -> Int {
            Int(input[at]) << 24 | Int(input[at + 1]) << 16 | Int(input[at + 2]) << 8 | Int(input[at + 3])
        }
        while ip < input.count {
            guard input.count - ip >= 8 else { return false }
            let raw = be32(ip), packed = be32(ip + 4)
            ip += 8
            guard packed <= input.count - ip, raw <= o.count - op else { return false }
            let n = LZ4_decompress_safe(input.baseAddress!.advanced(by: ip).assumingMemoryBound(to: CChar.self),
                                        o.baseAddress!.advanced(by: op).assumingMemoryBound(to: CChar.self),
                                        Int32(packed), Int32(raw))
            guard n == Int32(raw) else { return false }
            ip += packed
            op += raw
        }
        return op == o.count
    }
}
