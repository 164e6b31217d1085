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
        decode(page, count: count, range: 0..<count, column: column, type: type, into: out)
    }

    /// Decodes elements `range` of a page of `count` elements into `out` (`range.count` elements of the decoded type).
    /// One pass per element: byte planes are joined, zigzag and delta undone in the same loop.
    static func decode(_ page: UnsafeRawBufferPointer, count: Int, range: Range<Int>, column: RNTupleColumn,
                       type: RNTupleColumnType, into out: UnsafeMutableRawPointer) {
        guard !range.isEmpty, range.upperBound <= count, let src = page.baseAddress else { return }
        let lo = range.lowerBound, n = range.count
        let s = src.assumingMemoryBound(to: UInt8.self)
        switch type {
        case .bit:
            unpackBools(s, range: range, into: out.assumingMemoryBound(to: UInt8.self))
        case .byte, .char, .int8, .uint8:
            out.copyMemory(from: src + lo, byteCount: n)
        case .int16, .uint16, .int32, .uint32, .int64, .uint64, .real32, .real64, .index64:
            let w = (type.bitsPerElement(declared: 0) ?? 8) / 8
            out.copyMemory(from: src + lo * w, byteCount: n * w)
        case .index32:
            let o = out.assumingMemoryBound(to: Int64.self)
            for j in 0..<n { o[j] = Int64(UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * (lo + j), as: UInt32.self))) }
        case .splitUInt16:
            unsplit16(s, count: count, range: range, into: out.assumingMemoryBound(to: UInt16.self)) { $0 }
        case .splitInt16:
            unsplit16(s, count: count, range: range, into: out.assumingMemoryBound(to: UInt16.self)) { ($0 >> 1) ^ (0 &- ($0 & 1)) }
        case .splitUInt32, .splitReal32:
            unsplit32(s, count: count, range: range, into: out.assumingMemoryBound(to: UInt32.self)) { $0 }
        case .splitInt32:
            unsplit32(s, count: count, range: range, into: out.assumingMemoryBound(to: UInt32.self)) { ($0 >> 1) ^ (0 &- ($0 & 1)) }
        case .splitUInt64, .splitReal64:
            unsplit64(s, count: count, range: range, into: out.assumingMemoryBound(to: UInt64.self)) { $0 }
        case .splitInt64:
            unsplit64(s, count: count, range: range, into: out.assumingMemoryBound(to: UInt64.self)) { ($0 >> 1) ^ (0 &- ($0 & 1)) }
        case .splitIndex32:
            // Deltas from the page start: the running sum starts at element 0 even for a later range.
            let o = out.assumingMemoryBound(to: Int64.self)
            var acc: Int64 = 0
            for i in 0..<range.upperBound {
                let v = UInt32(s[i]) | UInt32(s[count + i]) << 8 | UInt32(s[2 * count + i]) << 16 | UInt32(s[3 * count + i]) << 24
                acc &+= Int64(v)
                if i >= lo { o[i - lo] = acc }
            }
        case .splitIndex64:
            let o = out.assumingMemoryBound(to: Int64.self)
            var acc: Int64 = 0
            for i in 0..<range.upperBound {
                var v: UInt64 = 0
                for b in 0..<8 { v |= UInt64(s[b * count + i]) << UInt64(8 * b) }
                acc &+= Int64(bitPattern: v)
                if i >= lo { o[i - lo] = acc }
            }
        case .real16, .splitReal16:
            let o = out.assumingMemoryBound(to: Float.self)
            for j in 0..<n {
                let i = lo + j
                let bits: UInt16
                if type == .real16 {
                    bits = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                } else {
                    bits = UInt16(s[i]) | UInt16(s[count + i]) << 8
                }
                o[j] = halfToFloat(bits)
            }
        case .real32Trunc:
            let bits = column.bitsOnStorage
            let o = out.assumingMemoryBound(to: UInt32.self)
            unpackBits(src, byteCount: page.count, range: range, bits: bits) { j, v in o[j] = v << UInt32(32 - bits) }
        case .real32Quant:
            let bits = column.bitsOnStorage
            let (low, high) = column.range ?? (0, 0)
            let scale = bits == 32 ? (high - low) / 4_294_967_295.0 : (high - low) / Double((UInt64(1) << UInt64(bits)) - 1)
            let o = out.assumingMemoryBound(to: Float.self)
            unpackBits(src, byteCount: page.count, range: range, bits: bits) { j, v in o[j] = Float(low + Double(v) * scale) }
        case .switchColumn:
            break
        }
    }

    /// Byte `b` spread to 8 bools (one byte each, LSB first).
    private static let spreadBits: [UInt64] = (0..<256).map { (b: Int) -> UInt64 in
        var v: UInt64 = 0
        for k in 0..<8 where b >> k & 1 == 1 { v |= UInt64(1) << UInt64(8 * k) }
        return v
    }

    /// Bits `range` (LSB first) as one byte per bool; whole bytes through a table.
    private static func unpackBools(_ s: UnsafePointer<UInt8>, range: Range<Int>, into o: UnsafeMutablePointer<UInt8>) {
        var i = range.lowerBound
        var j = 0
        while i < range.upperBound && i & 7 != 0 {
            o[j] = (s[i >> 3] >> UInt8(i & 7)) & 1
            i += 1
            j += 1
        }
        spreadBits.withUnsafeBufferPointer { table in
            let dst = UnsafeMutableRawPointer(o)
            while i + 8 <= range.upperBound {
                dst.storeBytes(of: table[Int(s[i >> 3])], toByteOffset: j, as: UInt64.self)
                i += 8
                j += 8
            }
        }
        while i < range.upperBound {
            o[j] = (s[i >> 3] >> UInt8(i & 7)) & 1
            i += 1
            j += 1
        }
    }

    /// Byte-split pages (all first bytes, then all second bytes, ...) joined to little-endian elements, with `map`
    /// applied to each (zigzag decoding, or nothing).
    @inline(__always)
    private static func unsplit16(_ s: UnsafePointer<UInt8>, count: Int, range: Range<Int>, into o: UnsafeMutablePointer<UInt16>,
                                  _ map: (UInt16) -> UInt16) {
        let p0 = s + range.lowerBound, p1 = p0 + count
        for j in 0..<range.count { o[j] = map(UInt16(p0[j]) | UInt16(p1[j]) << 8) }
    }

    @inline(__always)
    private static func unsplit32(_ s: UnsafePointer<UInt8>, count: Int, range: Range<Int>, into o: UnsafeMutablePointer<UInt32>,
                                  _ map: (UInt32) -> UInt32) {
        let p0 = s + range.lowerBound, p1 = p0 + count, p2 = p1 + count, p3 = p2 + count
        for j in 0..<range.count {
            o[j] = map(UInt32(p0[j]) | UInt32(p1[j]) << 8 | UInt32(p2[j]) << 16 | UInt32(p3[j]) << 24)
        }
    }

    @inline(__always)
    private static func unsplit64(_ s: UnsafePointer<UInt8>, count: Int, range: Range<Int>, into o: UnsafeMutablePointer<UInt64>,
                                  _ map: (UInt64) -> UInt64) {
        let p0 = s + range.lowerBound, p1 = p0 + count, p2 = p1 + count, p3 = p2 + count
        let p4 = p3 + count, p5 = p4 + count, p6 = p5 + count, p7 = p6 + count
        for j in 0..<range.count {
            let a = UInt64(p0[j]) | UInt64(p1[j]) << 8 | UInt64(p2[j]) << 16 | UInt64(p3[j]) << 24
            let b = UInt64(p4[j]) << 32 | UInt64(p5[j]) << 40 | UInt64(p6[j]) << 48 | UInt64(p7[j]) << 56
            o[j] = map(a | b)
        }
    }

    /// Elements `range` of `bits` bits packed LSB first into consecutive bytes; `store` gets the output index.
    private static func unpackBits(_ src: UnsafeRawPointer, byteCount: Int, range: Range<Int>, bits: Int,
                                   _ store: (Int, UInt32) -> Void) {
        let mask: UInt64 = bits == 32 ? 0xFFFF_FFFF : (UInt64(1) << UInt64(bits)) - 1
        for (j, i) in range.enumerated() {
            let bit = i * bits
            let first = bit >> 3
            var word: UInt64
            if byteCount - first >= 8 {
                word = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: first, as: UInt64.self))
            } else {
                word = 0
                for k in 0..<max(0, byteCount - first) {
                    word |= UInt64(src.load(fromByteOffset: first + k, as: UInt8.self)) << UInt64(8 * k)
                }
            }
            store(j, UInt32((word >> UInt64(bit & 7)) & mask))
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
