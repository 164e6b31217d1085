import CCodecsZlib

/// gzip decompression (zlib's inflate with gzip framing), with a cap on the output size checked while
/// inflating.
enum Gzip {
    static func isGzip(_ bytes: UnsafeRawBufferPointer) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// Inflates `input`, refusing with 413 as soon as the output would pass `maxOutput` bytes.
    /// - Parameters:
    ///   - zlibOrGzip: also accept a zlib stream (HTTP `deflate`), detected from its header.
    ///   - reserve: told each output growth before it is kept (the in-flight budget), may throw.
    static func decompress(_ input: UnsafeRawBufferPointer, maxOutput: Int, zlibOrGzip: Bool = false,
                           reserve: (Int) throws -> Void = { _ in }) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, (zlibOrGzip ? 32 : 16) + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw APIError(.internalServerError, "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: UInt8.self).baseAddress)
        var remaining = input.count
        var rc: Int32 = Z_OK
        while rc == Z_OK {
            if stream.avail_in == 0, remaining > 0 {
                let n = min(remaining, Int(UInt32.max >> 1))
                stream.avail_in = uInt(n)
                remaining -= n
            }
            let produced: Int
            (rc, produced) = chunk.withUnsafeMutableBufferPointer { out in
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                let r = inflate(&stream, Z_NO_FLUSH)
                return (r, out.count - Int(stream.avail_out))
            }
            if produced > 0 {
                guard output.count + produced <= maxOutput else {
                    throw APIError(.contentTooLarge, "the compressed body expands beyond the \(maxOutput) bytes this endpoint accepts")
                }
                try reserve(produced)
                output.append(contentsOf: chunk[0..<produced])
            }
            if rc == Z_BUF_ERROR { rc = produced > 0 || (stream.avail_in == 0 && remaining > 0) ? Z_OK : Z_DATA_ERROR }
        }
        guard rc == Z_STREAM_END else { throw APIError.badRequest("the body is not valid \(zlibOrGzip ? "gzip/deflate" : "gzip") data") }
        return output
    }
}
