/// Decoding of one RNTuple page: decompression, then the column encoding (split, zigzag, delta, bit
/// packing, truncated and quantized floats) into native values of the column's decoded type.
enum RNTuplePage {
    /// `raw` decompressed to exactly `uncompressedSize` bytes (stored as is when the sizes are equal);
    /// the block headers are checked before the output is allocated.
    static func inflate(_ raw: ArraySlice<UInt8>, uncompressedSize: Int, file: String, object: String,
                        fileOffset: Int64) throws -> [UInt8] {
        if raw.count == uncompressedSize { return Array(raw) }
        return try raw.withUnsafeBytes {
            try ROOTDecompressor.decompress($0, uncompressedSize: uncompressedSize, file: file, object: object,
                                            fileOffset: fileOffset)
        }
    }

    /// Decodes `count` elements of `column` from the uncompressed page `page` into `out`, which holds
    /// `count` elements of `column.type.decodedType`.
    static func decode(_ page: UnsafeRawBufferPointer, count: Int, column: RNTupleColumn, type: RNTupleColumnType,
                       into out: UnsafeMutableRawPointer) {
        guard count > 0, let src = page.baseAddress else { return }
        switch type {
        case .bit:
            let o = out.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { o[i] = (src.load(fromByteOffset: i >> 3, as: UInt8.self) >> UInt8(i & 7)) & 1 }
        case .byte, .char, .int8, .uint8:
            out.copyMemory(from: src, byteCount: count)
        case .int16, .uint16, .int32, .uint32, .int64, .uint64, .real32, .real64:
            out.copyMemory(from: src, byteCount: count * (type.bitsPerElement(declared: 0)! / 8))
        case .index32:
            let o = out.assumingMemoryBound(to: Int64.self)
            for i in 0..<count { o[i] = Int64(UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .index64:
            out.copyMemory(from: src, byteCount: count * 8)
        case .splitUInt16, .splitUInt32, .splitUInt64, .splitReal32, .splitReal64:
            unsplit(src, count: count, width: type.bitsPerElement(declared: 0)! / 8, into: out)
        case .splitInt16:
            unsplit(src, count: count, width: 2, into: out)
            unzigzag(out.assumingMemoryBound(to: UInt16.self), count: count)
        case .splitInt32:
            unsplit(src, count: count, width: 4, into: out)
            unzigzag(out.assumingMemoryBound(to: UInt32.self), count: count)
        case .splitInt64:
            unsplit(src, count: count, width: 8, into: out)
            unzigzag(out.assumingMemoryBound(to: UInt64.self), count: count)
        case .splitIndex32:
            let o = out.assumingMemoryBound(to: Int64.self)
            var acc: Int64 = 0
            for i in 0..<count {
                var v: UInt32 = 0
                for b in 0..<4 { v |= UInt32(src.load(fromByteOffset: b * count + i, as: UInt8.self)) << UInt32(8 * b) }
                acc &+= Int64(v)
                o[i] = acc
            }
        case .splitIndex64:
            unsplit(src, count: count, width: 8, into: out)
            let o = out.assumingMemoryBound(to: Int64.self)
            for i in 1..<max(1, count) { o[i] = o[i] &+ o[i - 1] }
        case .real16, .splitReal16:
            let o = out.assumingMemoryBound(to: Float.self)
            for i in 0..<count {
                let bits: UInt16
                if type == .real16 {
                    bits = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                } else {
                    bits = UInt16(src.load(fromByteOffset: i, as: UInt8.self))
                        | UInt16(src.load(fromByteOffset: count + i, as: UInt8.self)) << 8
                }
                o[i] = halfToFloat(bits)
            }
        case .real32Trunc:
            let n = column.bitsOnStorage
            let o = out.assumingMemoryBound(to: UInt32.self)
            unpackBits(src, byteCount: page.count, count: count, bits: n) { i, v in o[i] = v << UInt32(32 - n) }
        case .real32Quant:
            let n = column.bitsOnStorage
            let (lo, hi) = column.range ?? (0, 0)
            let scale = n == 32 ? (hi - lo) / 4_294_967_295.0 : (hi - lo) / Double((UInt64(1) << UInt64(n)) - 1)
            let o = out.assumingMemoryBound(to: Float.self)
            unpackBits(src, byteCount: page.count, count: count, bits: n) { i, v in o[i] = Float(lo + Double(v) * scale) }
        case .switchColumn:
            break
        }
    }

    /// Byte-split (all first bytes, then all second bytes, ...) to little-endian elements.
    private static func unsplit(_ src: UnsafeRawPointer, count: Int, width: Int, into out: UnsafeMutableRawPointer) {
        let s = src.assumingMemoryBound(to: UInt8.self)
        let o = out.assumingMemoryBound(to: UInt8.self)
        for b in 0..<width {
            let plane = s + b * count
            for i in 0..<count { o[i &* width &+ b] = plane[i] }
        }
    }

    private static func unzigzag<T: FixedWidthInteger & UnsignedInteger>(_ p: UnsafeMutablePointer<T>, count: Int) {
        for i in 0..<count {
            let u = T(littleEndian: p[i])
            p[i] = (u >> 1) ^ (0 &- (u & 1))
        }
    }

    /// Elements of `bits` bits packed LSB first into consecutive bytes.
    private static func unpackBits(_ src: UnsafeRawPointer, byteCount: Int, count: Int, bits: Int,
                                   _ store: (Int, UInt32) -> Void) {
        let mask: UInt64 = bits == 32 ? 0xFFFF_FFFF : (UInt64(1) << UInt64(bits)) - 1
        for i in 0..<count {
            let bit = i * bits
            var word: UInt64 = 0
            let first = bit >> 3
            for k in 0..<min(8, byteCount - first) {
                word |= UInt64(src.load(fromByteOffset: first + k, as: UInt8.self)) << UInt64(8 * k)
            }
            store(i, UInt32((word >> UInt64(bit & 7)) & mask))
        }
    }

    /// IEEE 754 half precision to single precision.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }
}
