import CCodecsZlib
import ROOTIO

/// Decodes one column chunk (all its pages) straight into the row group's column: values in one buffer sized
/// once (nulls become `T.null`), and for lists the row offsets. Works on the chunk's bytes alone: every page
/// header, size and level length is checked against them. Pages are decompressed into reused scratch memory.
struct ParquetChunkDecoder<T: ParquetPhysical> {
    let leaf: ParquetLeaf
    let chunk: ParquetColumnChunk
    /// File offset of the chunk's first byte (for messages).
    let fileOffset: Int64
    /// Rows of the row group: a flat column holds exactly this many values, a jagged one this many lists.
    let rows: Int

    /// Chunks claiming more value slots than this are refused instead of allocated.
    static var maxSlots: Int { 1 << 28 }

    struct Failure: Error {
        var offset: Int64
        var reason: String
    }

    /// Where decoded pages go: the values buffer and, for lists, the offsets buffer.
    private struct Sink {
        var values: UnsafeMutablePointer<T>
        var capacity: Int
        var count = 0
        var offsets: UnsafeMutablePointer<Int64>?
        var lists = 0
    }

    /// Reused memory for one chunk.
    private struct Scratch {
        let page = PageScratch()
        let repetition = PageScratch()
        let definition = PageScratch()
        let indices = PageScratch()
    }

    func decode(_ bytes: ArraySlice<UInt8>) throws -> (values: [T], offsets: [Int64]?) {
        guard chunk.numValues <= Int64(Self.maxSlots), rows <= Self.maxSlots else {
            throw Failure(offset: fileOffset, reason: "column chunk of \(chunk.numValues) values for \(rows) rows is too large")
        }
        let capacity = leaf.jagged ? Int(chunk.numValues) : rows
        var offsets: [Int64]?
        let values = try [T](unsafeUninitializedCapacity: max(capacity, 1)) { valueBuffer, valueCount in
            guard let base = valueBuffer.baseAddress else { return }
            var sink = Sink(values: base, capacity: capacity)
            if leaf.jagged {
                offsets = try [Int64](unsafeUninitializedCapacity: rows + 1) { offsetBuffer, offsetCount in
                    sink.offsets = offsetBuffer.baseAddress
                    try decodePages(bytes, into: &sink)
                    guard sink.lists == rows else { throw Failure(offset: fileOffset, reason: "\(sink.lists) lists for \(rows) rows") }
                    offsetBuffer[rows] = Int64(sink.count)
                    offsetCount = rows + 1
                }
            } else {
                try decodePages(bytes, into: &sink)
                guard sink.count == rows else { throw Failure(offset: fileOffset, reason: "\(sink.count) values for \(rows) rows") }
            }
            valueCount = sink.count
        }
        return (values, offsets)
    }

    private func decodePages(_ chunkBytes: ArraySlice<UInt8>, into sink: inout Sink) throws {
        let scratch = Scratch()
        var dictionary: [T]?
        var position = 0
        var levelsSeen: Int64 = 0
        try chunkBytes.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            while levelsSeen < chunk.numValues {
                guard position < bytes.count else {
                    throw Failure(offset: fileOffset + Int64(position),
                                  reason: "chunk ends after \(levelsSeen) of \(chunk.numValues) values")
                }
                var r = ThriftCompactReader(chunkBytes, position: position)
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
                let page = UnsafeRawBufferPointer(rebasing: bytes[pageStart..<(pageStart + size)])
                if let expected = header.crc {
                    let found = UInt32(crc32(0, page.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(page.count)))
                    guard found == expected else {
                        throw Failure(offset: at, reason: "corrupt page: CRC-32 \(found) differs from the header's \(expected)")
                    }
                }
                let n = Int(header.numValues)
                if header.type == 0 || header.type == 3 {
                    guard Int64(n) <= chunk.numValues - levelsSeen else {
                        throw Failure(offset: at, reason: "page of \(n) values past the chunk's \(chunk.numValues)")
                    }
                    levelsSeen += Int64(n)
                }
                switch header.type {
                case 2:
                    let data = try decompress(page, size: Int(header.uncompressedSize), scratch: scratch.page, at: at)
                    guard let dict = T.plainArray(data, count: n) else {
                        throw Failure(offset: at, reason: "dictionary page shorter than \(n) values")
                    }
                    dictionary = dict
                case 0:
                    let d = try decompress(page, size: Int(header.uncompressedSize), scratch: scratch.page, at: at)
                    var p = 0
                    var rep: UnsafeMutablePointer<UInt8>?
                    var def: UnsafeMutablePointer<UInt8>?
                    if leaf.maxRepetition > 0 {
                        rep = scratch.repetition.buffer(n, of: UInt8.self)
                        p += try levelsV1(d, from: p, max: leaf.maxRepetition, count: n, into: rep, at: at)
                    }
                    if leaf.maxDefinition > 0 {
                        def = scratch.definition.buffer(n, of: UInt8.self)
                        p += try levelsV1(d, from: p, max: leaf.maxDefinition, count: n, into: def, at: at)
                    }
                    try self.page(UnsafeRawBufferPointer(rebasing: d[p...]), count: n, repetition: rep, definition: def,
                             header: header, dictionary: dictionary, scratch: scratch, into: &sink, at: at)
                case 3:
                    let rl = Int(header.repetitionLevelsLength), dl = Int(header.definitionLevelsLength)
                    guard rl >= 0, dl >= 0, rl + dl <= page.count, rl + dl <= Int(header.uncompressedSize) else {
                        throw Failure(offset: at, reason: "level lengths \(rl)+\(dl) exceed the page")
                    }
                    var rep: UnsafeMutablePointer<UInt8>?
                    var def: UnsafeMutablePointer<UInt8>?
                    if leaf.maxRepetition > 0 {
                        rep = scratch.repetition.buffer(n, of: UInt8.self)
                        try levels(UnsafeRawBufferPointer(rebasing: page[0..<rl]), max: leaf.maxRepetition, count: n, into: rep, at: at)
                    }
                    if leaf.maxDefinition > 0 {
                        def = scratch.definition.buffer(n, of: UInt8.self)
                        try levels(UnsafeRawBufferPointer(rebasing: page[rl..<(rl + dl)]), max: leaf.maxDefinition, count: n, into: def, at: at)
                    }
                    var body = UnsafeRawBufferPointer(rebasing: page[(rl + dl)...])
                    if header.isCompressed && chunk.codec != 0 {
                        body = try decompress(body, size: Int(header.uncompressedSize) - rl - dl, scratch: scratch.page, at: at)
                    }
                    try self.page(body, count: n, repetition: rep, definition: def, header: header, dictionary: dictionary,
                                  scratch: scratch, into: &sink, at: at)
                default:
                    continue  // index pages and unknown kinds carry no values
                }
            }
        }
    }

    /// The page body decompressed into `scratch` (or the stored bytes themselves when uncompressed).
    private func decompress(_ page: UnsafeRawBufferPointer, size: Int, scratch: PageScratch, at: Int64) throws -> UnsafeRawBufferPointer {
        if chunk.codec == 0 {
            guard page.count == size else { throw Failure(offset: at, reason: "corrupt page: stored page is \(page.count) bytes, header says \(size)") }
            return page
        }
        let out = UnsafeMutableRawBufferPointer(start: scratch.bytes(size), count: size)
        do throws(ParquetCodec.Failure) {
            try ParquetCodec.decompress(chunk.codec, page, into: out)
        } catch {
            throw Failure(offset: at, reason: "corrupt page: \(error.reason)")
        }
        return UnsafeRawBufferPointer(out)
    }

    /// Data page v1 levels: a 4-byte little-endian length, then the RLE/bit-packed hybrid. Returns bytes used.
    private func levelsV1(_ d: UnsafeRawBufferPointer, from p: Int, max: Int, count: Int, into out: UnsafeMutablePointer<UInt8>?,
                          at: Int64) throws -> Int
    {
        guard d.count - p >= 4 else { throw Failure(offset: at, reason: "page too short for its levels") }
        let n = Int(d[p]) | Int(d[p + 1]) << 8 | Int(d[p + 2]) << 16 | Int(d[p + 3]) << 24
        guard n <= d.count - p - 4 else { throw Failure(offset: at, reason: "levels of \(n) bytes past the page end") }
        try levels(UnsafeRawBufferPointer(rebasing: d[(p + 4)..<(p + 4 + n)]), max: max, count: count, into: out, at: at)
        return 4 + n
    }

    /// `count` levels into `out`, each checked against `max` (schemas are at most 64 levels deep).
    private func levels(_ d: UnsafeRawBufferPointer, max: Int, count: Int, into out: UnsafeMutablePointer<UInt8>?, at: Int64) throws {
        guard let out, count > 0 else { return }
        let width = Int.bitWidth - max.leadingZeroBitCount
        do throws(RLEBitPackedDecoder.Failure) {
            var dec = try RLEBitPackedDecoder(d, bitWidth: width)
            try dec.decode(count: count, into: out)
        } catch {
            throw Failure(offset: at, reason: "corrupt levels (\(error))")
        }
        var highest: UInt8 = 0
        for i in 0..<count { highest = Swift.max(highest, out[i]) }
        guard Int(highest) <= max else { throw Failure(offset: at, reason: "level \(highest) above the maximum \(max)") }
    }

    /// One data page's `count` levels and values into the sink: lists closed at repetition level 0, element slots
    /// where the definition level reaches the repeated node, values where it reaches the leaf, nulls elsewhere.
    private func page(_ d: UnsafeRawBufferPointer, count n: Int, repetition: UnsafeMutablePointer<UInt8>?,
                      definition: UnsafeMutablePointer<UInt8>?, header: ParquetPageHeader, dictionary: [T]?,
                      scratch: Scratch, into sink: inout Sink, at: Int64) throws
    {
        let maxDef = UInt8(leaf.maxDefinition)
        var slots = n
        var present = n
        if let definition {
            var c = 0
            for i in 0..<n { c &+= definition[i] == maxDef ? 1 : 0 }
            present = c
        }
        if let repetition, let definition, let offsets = sink.offsets {
            guard sink.lists > 0 || n == 0 || repetition[0] == 0 else {
                throw Failure(offset: at, reason: "the first value does not start a list")
            }
            let (lists, elements) = try listOffsets(repetition: repetition, definition: definition, count: n, into: offsets,
                                                    lists: sink.lists, elements: sink.count, at: at)
            sink.lists = lists
            slots = elements - sink.count
        }
        guard slots <= sink.capacity - sink.count else {
            throw Failure(offset: at, reason: "more values than the chunk's \(sink.capacity) slots")
        }
        let start = sink.count
        try values(d, count: present, into: sink.values + start + (slots - present), header: header, dictionary: dictionary,
                   scratch: scratch, at: at)
        if present != slots, let definition {
            guard let null = T.null else {
                throw Failure(offset: at, reason: leaf.jagged ? "null list elements in an integer column" : "null values in an integer column")
            }
            // Spread the values (decoded at the end of the page's slots) forwards over their slots: a value only
            // moves left, onto a slot already read.
            let repDef = leaf.jagged ? UInt8(leaf.repeatedDefinition) : 0
            let v = sink.values
            var slot = start
            var source = start + slots - present
            for i in 0..<n {
                let level = definition[i]
                if level < repDef { continue }
                if level == maxDef {
                    v[slot] = v[source]
                    source += 1
                } else {
                    v[slot] = null
                }
                slot += 1
            }
        }
        sink.count += slots
    }

    /// Writes the first element of every list that starts in the page (repetition level 0) to `offsets`; an element
    /// slot is a definition level at or above the repeated node's. Eight levels at a time: bit masks of the list
    /// starts and the slots (levels are at most 64, so a byte never carries into the next).
    private func listOffsets(repetition: UnsafeMutablePointer<UInt8>, definition: UnsafeMutablePointer<UInt8>, count n: Int,
                             into offsets: UnsafeMutablePointer<Int64>, lists: Int, elements: Int, at: Int64) throws -> (Int, Int)
    {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let slotBias = ones &* UInt64(0x80 - leaf.repeatedDefinition)
        let repDef = UInt8(leaf.repeatedDefinition)
        var list = lists
        var element = elements
        var i = 0
        func tooMany() -> Failure { Failure(offset: at, reason: "more lists than the row group's \(rows) rows") }
        while i + 8 <= n {
            let r = UInt64(littleEndian: UnsafeRawPointer(repetition + i).loadUnaligned(as: UInt64.self))
            let d = UInt64(littleEndian: UnsafeRawPointer(definition + i).loadUnaligned(as: UInt64.self))
            let starts = Self.byteMask(~(r &+ ones &* 0x7F) & high)
            let slots = Self.byteMask((d &+ slotBias) & high)
            if starts != 0 {
                guard starts.nonzeroBitCount <= rows - list else { throw tooMany() }
                var s = starts
                while s != 0 {
                    let j = s.trailingZeroBitCount
                    offsets[list] = Int64(element + (slots & ((1 << UInt64(j)) &- 1)).nonzeroBitCount)
                    list += 1
                    s &= s &- 1
                }
            }
            element += slots.nonzeroBitCount
            i += 8
        }
        while i < n {
            if repetition[i] == 0 {
                guard list < rows else { throw tooMany() }
                offsets[list] = Int64(element)
                list += 1
            }
            if definition[i] >= repDef { element += 1 }
            i += 1
        }
        return (list, element)
    }

    /// The high bits of the 8 bytes of `m` as an 8-bit mask (bit k from byte k).
    @inline(__always)
    private static func byteMask(_ m: UInt64) -> UInt64 { ((m >> 7) &* 0x0102_0408_1020_4080) >> 56 }

    /// Decodes `count` non-null values of the page into `out`.
    private func values(_ d: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<T>, header: ParquetPageHeader,
                        dictionary: [T]?, scratch: Scratch, at: Int64) throws
    {
        guard count > 0 else { return }
        switch header.encoding {
        case 0:
            guard T.copyPlain(d, count: count, to: out) != nil else {
                throw Failure(offset: at, reason: "PLAIN values shorter than \(count) values")
            }
        case 2, 8:
            guard let dictionary else { throw Failure(offset: at, reason: "dictionary-encoded page without a dictionary page") }
            guard d.count >= 1 else { throw Failure(offset: at, reason: "dictionary indices missing") }
            let indices = scratch.indices.buffer(count, of: UInt32.self)
            do throws(RLEBitPackedDecoder.Failure) {
                var dec = try RLEBitPackedDecoder(UnsafeRawBufferPointer(rebasing: d[1...]), bitWidth: Int(d[0]))
                try dec.decode(count: count, into: indices)
            } catch {
                throw Failure(offset: at, reason: "corrupt dictionary indices (\(error))")
            }
            var highest: UInt32 = 0
            for i in 0..<count { highest = max(highest, indices[i]) }
            guard Int(highest) < dictionary.count else {
                throw Failure(offset: at, reason: "dictionary index \(highest) ≥ \(dictionary.count) entries")
            }
            dictionary.withUnsafeBufferPointer { dict in
                guard let entries = dict.baseAddress else { return }
                for i in 0..<count { out[i] = entries[Int(indices[i])] }
            }
        case 5:
            let raw: [Int64]
            do {
                raw = try DeltaBinaryPackedDecoder.decode(d, expected: count)
            } catch {
                throw Failure(offset: at, reason: "corrupt DELTA_BINARY_PACKED values (\(error))")
            }
            guard raw.count == count else { throw Failure(offset: at, reason: "\(raw.count) delta values, \(count) expected") }
            for (i, v) in raw.enumerated() {
                guard let x = T(delta: v) else { throw Failure(offset: at, reason: "DELTA_BINARY_PACKED on a non-integer column") }
                out[i] = x
            }
        case 3:
            // RLE booleans: a 4-byte length, then the hybrid at bit width 1.
            guard d.count >= 4 else { throw Failure(offset: at, reason: "RLE values missing their length") }
            let n = Int(d[0]) | Int(d[1]) << 8 | Int(d[2]) << 16 | Int(d[3]) << 24
            guard n <= d.count - 4 else { throw Failure(offset: at, reason: "RLE values of \(n) bytes past the page end") }
            let bits = scratch.indices.buffer(count, of: UInt32.self)
            do throws(RLEBitPackedDecoder.Failure) {
                var dec = try RLEBitPackedDecoder(UnsafeRawBufferPointer(rebasing: d[4..<(4 + n)]), bitWidth: 1)
                try dec.decode(count: count, into: bits)
            } catch {
                throw Failure(offset: at, reason: "corrupt RLE values (\(error))")
            }
            for i in 0..<count {
                guard let x = T(bit: bits[i]) else { throw Failure(offset: at, reason: "RLE values on a non-boolean column") }
                out[i] = x
            }
        default:
            throw Failure(offset: at, reason: "encoding \(header.encoding) is not supported")
        }
    }
}
