/// Decodes DELTA_BINARY_PACKED integers: a header (values per block, miniblocks per block, total count, first
/// value), then blocks of a zigzag minimum delta, one bit width per miniblock and the miniblocks' bit-packed
/// deltas. Arithmetic wraps, as the encoding defines.
struct DeltaBinaryPackedDecoder {
    enum Failure: Error, Equatable {
        case truncated(position: Int)
        case malformed(String)
    }

    /// Decodes all values of the page. Returns them as Int64 (INT32 columns narrow them).
    static func decode(_ bytes: UnsafeRawBufferPointer, expected: Int) throws(Failure) -> [Int64] {
        var position = 0
        func varint() throws(Failure) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < bytes.count, shift < 64 else { throw .truncated(position: position) }
                let b = bytes[position]
                position += 1
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }
        func zigzag() throws(Failure) -> Int64 {
            let v = try varint()
            return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
        }
        let blockSize = try varint()
        let miniblocks = try varint()
        let total = try varint()
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, miniblocks <= blockSize,
              blockSize % miniblocks == 0, (blockSize / miniblocks) % 32 == 0
        else {
            throw .malformed("block size \(blockSize), \(miniblocks) miniblocks")
        }
        guard total <= UInt64(expected) else { throw .malformed("\(total) values, the page holds \(expected)") }
        var out: [Int64] = []
        out.reserveCapacity(Int(total))
        var last = try zigzag()
        if total == 0 { return out }
        out.append(last)
        let perMini = Int(blockSize / miniblocks)
        while out.count < Int(total) {
            let minDelta = try zigzag()
            guard bytes.count - position >= Int(miniblocks) else { throw .truncated(position: position) }
            let widths = (0..<Int(miniblocks)).map { bytes[position + $0] }
            position += Int(miniblocks)
            for w in widths where out.count < Int(total) {
                let width = Int(w)
                guard width <= 64 else { throw .malformed("miniblock bit width \(width)") }
                let n = min(perMini, Int(total) - out.count)
                guard (bytes.count - position) * 8 >= n * width else { throw .truncated(position: position) }
                var bitPos = position * 8
                for _ in 0..<n {
                    var delta: UInt64 = 0
                    if width > 0 {
                        // Up to 64 bits starting at any bit offset: gather 9 bytes.
                        let byte = bitPos >> 3
                        let shift = UInt64(bitPos & 7)
                        var lo: UInt64 = 0
                        let avail = min(8, bytes.count - byte)
                        for k in 0..<avail { lo |= UInt64(bytes[byte + k]) << (8 * UInt64(k)) }
                        delta = lo >> shift
                        if shift > 0, width + Int(shift) > 64, byte + 8 < bytes.count {
                            delta |= UInt64(bytes[byte + 8]) << (64 - shift)
                        }
                        if width < 64 { delta &= (UInt64(1) << UInt64(width)) - 1 }
                    }
                    last = last &+ minDelta &+ Int64(bitPattern: delta)
                    out.append(last)
                    bitPos += width
                }
                position += min(bytes.count - position, (perMini * width + 7) / 8)
            }
        }
        return out
    }
}
