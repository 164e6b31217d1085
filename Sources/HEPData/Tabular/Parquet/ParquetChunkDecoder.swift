import CCodecsZlib

/// Decodes one column chunk (all its pages) into the non-null values and, when the column has them, the
/// definition and repetition levels. Works on the chunk's bytes alone: every page header, size and level
/// length is checked against them.
struct ParquetChunkDecoder<T: ParquetPhysical> {
    let leaf: ParquetLeaf
    let chunk: ParquetColumnChunk
    /// File offset of `bytes[0]` (for messages).
    let fileOffset: Int64

    struct Failure: Error {
        var offset: Int64
        var reason: String
    }

    struct Decoded {
        var values: [T] = []
        var definition: [UInt32] = []
        var repetition: [UInt32] = []
    }

    func decode(_ bytes: [UInt8]) throws -> Decoded {
        var out = Decoded()
        var dictionary: [T]?
        var position = 0
        var levelsSeen: Int64 = 0
        while levelsSeen < chunk.numValues {
            guard position < bytes.count else {
                throw Failure(offset: fileOffset + Int64(position),
                              reason: "chunk ends after \(levelsSeen) of \(chunk.numValues) values")
            }
            var r = ThriftCompactReader(bytes, position: position)
            let header: ParquetPageHeader
            do throws(ThriftCompactReader.Failure) {
                header = try ParquetPageHeader.decode(&r)
            } catch {
                throw Failure(offset: fileOffset + Int64(error.position), reason: "page header: \(error.reason)")
            }
            let pageStart = r.position
            let size = Int(header.compressedSize)
            guard header.compressedSize >= 0, header.uncompressedSize >= 0, size <= bytes.count - pageStart else {
                throw Failure(offset: fileOffset + Int64(pageStart),
                              reason: "page of \(header.compressedSize) bytes past the chunk end (\(bytes.count - pageStart) left)")
            }
            guard header.uncompressedSize <= 1 << 30, header.numValues >= 0 else {
                throw Failure(offset: fileOffset + Int64(pageStart), reason: "page claims \(header.uncompressedSize) bytes")
            }
            position = pageStart + size
            let at = fileOffset + Int64(pageStart)
            try bytes.withUnsafeBytes { (all: UnsafeRawBufferPointer) in
                let page = UnsafeRawBufferPointer(rebasing: all[pageStart..<(pageStart + size)])
                if let expected = header.crc {
                    let found = UInt32(crc32(0, page.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(page.count)))
                    guard found == expected else {
                        throw Failure(offset: at, reason: "corrupt page: CRC-32 \(found) differs from the header's \(expected)")
                    }
                }
                switch header.type {
                case 2:
                    let data = try decompress(page, size: Int(header.uncompressedSize), at: at)
                    var dict: [T] = []
                    let ok = data.withUnsafeBytes { T.appendPlain($0, count: Int(header.numValues), to: &dict) }
                    guard ok != nil else { throw Failure(offset: at, reason: "dictionary page shorter than \(header.numValues) values") }
                    dictionary = dict
                case 0:
                    let data = try decompress(page, size: Int(header.uncompressedSize), at: at)
                    try data.withUnsafeBytes { (d: UnsafeRawBufferPointer) in
                        var p = 0
                        if leaf.maxRepetition > 0 { p += try levelsV1(d, from: p, max: leaf.maxRepetition, count: Int(header.numValues), into: &out.repetition, at: at) }
                        if leaf.maxDefinition > 0 { p += try levelsV1(d, from: p, max: leaf.maxDefinition, count: Int(header.numValues), into: &out.definition, at: at) }
                        try values(UnsafeRawBufferPointer(rebasing: d[p...]), header: header, dictionary: dictionary,
                                   defStart: out.definition.count - Int(header.numValues), into: &out, at: at)
                    }
                case 3:
                    let rl = Int(header.repetitionLevelsLength), dl = Int(header.definitionLevelsLength)
                    guard rl >= 0, dl >= 0, rl + dl <= page.count, rl + dl <= Int(header.uncompressedSize) else {
                        throw Failure(offset: at, reason: "level lengths \(rl)+\(dl) exceed the page")
                    }
                    let n = Int(header.numValues)
                    if leaf.maxRepetition > 0 {
                        try levels(UnsafeRawBufferPointer(rebasing: page[0..<rl]), max: leaf.maxRepetition, count: n, into: &out.repetition, at: at)
                    }
                    if leaf.maxDefinition > 0 {
                        try levels(UnsafeRawBufferPointer(rebasing: page[rl..<(rl + dl)]), max: leaf.maxDefinition, count: n, into: &out.definition, at: at)
                    }
                    let body = UnsafeRawBufferPointer(rebasing: page[(rl + dl)...])
                    let rawSize = Int(header.uncompressedSize) - rl - dl
                    if header.isCompressed && chunk.codec != 0 {
                        let data = try decompress(body, size: rawSize, at: at)
                        try data.withUnsafeBytes { (d: UnsafeRawBufferPointer) in
                            try values(d, header: header, dictionary: dictionary, defStart: out.definition.count - n, into: &out, at: at)
                        }
                    } else {
                        try values(body, header: header, dictionary: dictionary, defStart: out.definition.count - n, into: &out, at: at)
                    }
                default:
                    return  // index pages and unknown kinds carry no values
                }
            }
            if header.type == 0 || header.type == 3 { levelsSeen += Int64(header.numValues) }
        }
        return out
    }

    private func decompress(_ page: UnsafeRawBufferPointer, size: Int, at: Int64) throws -> [UInt8] {
        do throws(ParquetCodec.Failure) {
            return try ParquetCodec.decompress(chunk.codec, page, size: size)
        } catch {
            throw Failure(offset: at, reason: "corrupt page: \(error.reason)")
        }
    }

    /// Data page v1 levels: a 4-byte little-endian length, then the RLE/bit-packed hybrid. Returns bytes used.
    private func levelsV1(_ d: UnsafeRawBufferPointer, from p: Int, max: Int, count: Int, into out: inout [UInt32],
                          at: Int64) throws -> Int
    {
        guard d.count - p >= 4 else { throw Failure(offset: at, reason: "page too short for its levels") }
        let n = Int(d[p]) | Int(d[p + 1]) << 8 | Int(d[p + 2]) << 16 | Int(d[p + 3]) << 24
        guard n <= d.count - p - 4 else { throw Failure(offset: at, reason: "levels of \(n) bytes past the page end") }
        try levels(UnsafeRawBufferPointer(rebasing: d[(p + 4)..<(p + 4 + n)]), max: max, count: count, into: &out, at: at)
        return 4 + n
    }

    private func levels(_ d: UnsafeRawBufferPointer, max: Int, count: Int, into out: inout [UInt32], at: Int64) throws {
        let width = Int.bitWidth - max.leadingZeroBitCount
        do {
            var dec = try RLEBitPackedDecoder(d, bitWidth: width)
            let start = out.count
            try dec.decode(count: count, into: &out)
            for i in start..<out.count where out[i] > UInt32(max) {
                throw Failure(offset: at, reason: "level \(out[i]) above the maximum \(max)")
            }
        } catch let e as Failure {
            throw e
        } catch {
            throw Failure(offset: at, reason: "corrupt levels (\(error))")
        }
    }

    /// Decodes the page's non-null values.
    private func values(_ d: UnsafeRawBufferPointer, header: ParquetPageHeader, dictionary: [T]?, defStart: Int,
                        into out: inout Decoded, at: Int64) throws
    {
        let n = Int(header.numValues)
        var present = n
        if leaf.maxDefinition > 0 {
            let m = UInt32(leaf.maxDefinition)
            present = 0
            out.definition.withUnsafeBufferPointer { b in
                for i in Swift.max(0, defStart)..<b.count where b[i] == m { present += 1 }
            }
        }
        switch header.encoding {
        case 0:
            guard T.appendPlain(d, count: present, to: &out.values) != nil else {
                throw Failure(offset: at, reason: "PLAIN values shorter than \(present) values")
            }
        case 2, 8:
            guard let dictionary else { throw Failure(offset: at, reason: "dictionary-encoded page without a dictionary page") }
            guard present > 0 else { return }
            guard d.count >= 1 else { throw Failure(offset: at, reason: "dictionary indices missing") }
            var indices: [UInt32] = []
            do {
                var dec = try RLEBitPackedDecoder(UnsafeRawBufferPointer(rebasing: d[1...]), bitWidth: Int(d[0]))
                try dec.decode(count: present, into: &indices)
            } catch {
                throw Failure(offset: at, reason: "corrupt dictionary indices (\(error))")
            }
            out.values.reserveCapacity(out.values.count + present)
            let dn = UInt32(dictionary.count)
            for i in indices {
                guard i < dn else { throw Failure(offset: at, reason: "dictionary index \(i) ≥ \(dn) entries") }
                out.values.append(dictionary[Int(i)])
            }
        case 5:
            let raw: [Int64]
            do {
                raw = try DeltaBinaryPackedDecoder.decode(d, expected: present)
            } catch {
                throw Failure(offset: at, reason: "corrupt DELTA_BINARY_PACKED values (\(error))")
            }
            guard raw.count == present else { throw Failure(offset: at, reason: "\(raw.count) delta values, \(present) expected") }
            for v in raw {
                guard let x = T(delta: v) else { throw Failure(offset: at, reason: "DELTA_BINARY_PACKED on a non-integer column") }
                out.values.append(x)
            }
        case 3:
            // RLE booleans: a 4-byte length, then the hybrid at bit width 1.
            guard d.count >= 4 else { throw Failure(offset: at, reason: "RLE values missing their length") }
            let n = Int(d[0]) | Int(d[1]) << 8 | Int(d[2]) << 16 | Int(d[3]) << 24
            guard n <= d.count - 4 else { throw Failure(offset: at, reason: "RLE values of \(n) bytes past the page end") }
            var bits: [UInt32] = []
            do {
                var dec = try RLEBitPackedDecoder(UnsafeRawBufferPointer(rebasing: d[4..<(4 + n)]), bitWidth: 1)
                try dec.decode(count: present, into: &bits)
            } catch {
                throw Failure(offset: at, reason: "corrupt RLE values (\(error))")
            }
            for b in bits {
                guard let x = T(bit: b) else { throw Failure(offset: at, reason: "RLE values on a non-boolean column") }
                out.values.append(x)
            }
        default:
            throw Failure(offset: at, reason: "encoding \(header.encoding) is not supported")
        }
    }
}
