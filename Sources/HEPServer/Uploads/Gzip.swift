import CCodecsZlib

/// gzip decompression (zlib's inflate with gzip framing), with a cap on the output size.
enum Gzip {
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// - Parameter zlibOrGzip: also accept a zlib stream (HTTP `deflate`), detected from its header.
    static func decompress(_ input: [UInt8], maxOutput: Int, zlibOrGzip: Bool = false) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, (zlibOrGzip ? 32 : 16) + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw APIError(.internalServerError, "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { inp in
            stream.next_in = inp.baseAddress
            stream.avail_in = uInt(inp.count)
            var rc: Int32 = Z_OK
            while rc == Z_OK {
                rc = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let r = inflate(&stream, Z_NO_FLUSH)
                    output.append(contentsOf: out[0..<(out.count - Int(stream.avail_out))])
                    return r
                }
                if output.count > maxOutput { return -100 }
                if rc == Z_BUF_ERROR, stream.avail_in == 0 { return Z_DATA_ERROR }
            }
            return rc
        }
        if status == -100 { throw APIError(.contentTooLarge, "gzip body expands beyond \(maxOutput) bytes") }
        guard status == Z_STREAM_END else { throw APIError.badRequest("the body is not valid \(zlibOrGzip ? "gzip/deflate" : "gzip") data") }
        return output
    }
}
