/// What one basket contributes to a chunk's column: how many values, and where they are in the basket data.
struct SlicePlan: Sendable {
    /// Values (not elements) this slice adds to the column.
    var valueCount: Int
    /// Values per entry (jagged columns only).
    var counts: [Int32]?
    /// Byte offset of each entry in the basket data (entries + 1), for jagged columns.
    var byteOffsets: [Int32]?
    /// Local entry range inside the basket.
    var entries: Range<Int>
    /// The decoded entries of a string or `vector<vector<T>>` branch (see `ObjectSlice`).
    var object: ObjectSlice? = nil
}

/// Validates and copies basket slices into typed columns with whole-buffer byte swaps.
enum BasketExtractor {
    /// Checks the basket against the interpretation and measures the slice of `entries`.
    /// - Parameter generatedCounts: elements per entry of the whole basket, from the counter branch, for jagged
    ///   baskets written without an entry-offset table.
    static func plan(entries basketEntries: Int, dataCount: Int, byteOffsets: [Int32]?, slice entries: Range<Int>,
                     as interp: BranchInterpretation, generatedCounts: [Int32]?, context: String, file: String) throws
        -> SlicePlan
    {
        func bad(_ why: String) -> ROOTIOError { .malformed(file: file, object: context, offset: 0, reason: why) }
        let size = interp.storedValueBytes
        if interp.kind != .jagged {
            guard dataCount >= basketEntries * interp.elementBytes else {
                throw bad("basket has \(dataCount) bytes for \(basketEntries) entries of \(interp.elementBytes) bytes")
            }
            return SlicePlan(valueCount: entries.count * interp.itemsPerElement, counts: nil, byteOffsets: nil, entries: entries)
        }
        var offs: [Int32]
        if let byteOffsets {
            offs = byteOffsets
        } else if let counts = generatedCounts {
            guard counts.count == basketEntries else { throw bad("counter has \(counts.count) values for \(basketEntries) entries") }
            offs = [Int32](repeating: 0, count: basketEntries + 1)
            var acc = 0
            for (i, n) in counts.enumerated() {
                guard n >= 0 else { throw bad("negative counter value \(n)") }
                acc += Int(n) * interp.elementBytes + interp.headerBytes
                guard acc <= dataCount else { throw bad("counter values need more than the basket's \(dataCount) bytes") }
                offs[i + 1] = Int32(acc)
            }
        } else if basketEntries == 0 || dataCount == 0 {
            offs = [Int32](repeating: 0, count: basketEntries + 1)
        } else {
            throw bad("jagged basket without entry offsets and no counter values to rebuild them")
        }
        let header = interp.headerBytes
        let elementBytes = interp.elementBytes
        var total = 0
        var valid = true
        let powerOfTwo = elementBytes & (elementBytes - 1) == 0
        let mask = elementBytes - 1
        let shift = size.trailingZeroBitCount
        let counts = [Int32](unsafeUninitializedCapacity: entries.count) { out, n in
            offs.withUnsafeBufferPointer { o in
                var k = 0
                for i in entries {
                    var len = Int(o[i + 1]) &- Int(o[i])
                    if header > 0, len > 0 { len &-= header }
                    let c: Int
                    if powerOfTwo {
                        valid = valid && len >= 0 && len & mask == 0
                        c = len &>> shift
                    } else {
                        valid = valid && len >= 0 && len % elementBytes == 0
                        c = len / size
                    }
                    out[k] = Int32(truncatingIfNeeded: c)
                    total &+= c
                    k &+= 1
                }
            }
            n = entries.count
        }
        guard valid else {
            let first = entries.first { i in
                let len = Int(offs[i + 1]) - Int(offs[i])
                return len < 0 || (len > 0 && (len < header || (len - header) % elementBytes != 0))
            } ?? entries.lowerBound
            throw ROOTIOError.malformed(file: file, object: context, offset: Int64(offs[first]),
                                        reason: "entry \(first) of the basket has \(Int(offs[first + 1]) - Int(offs[first])) bytes: negative, shorter than its \(header)-byte header or not a multiple of \(elementBytes)")
        }
        guard entries.isEmpty || Int(offs[entries.upperBound]) <= dataCount else {
            throw bad("entry offsets reach byte \(offs[entries.upperBound]) of a \(dataCount)-byte basket")
        }
        return SlicePlan(valueCount: total, counts: counts, byteOffsets: offs, entries: entries)
    }

    /// Decodes a planned slice from big-endian basket data into `out`.
    @inline(__always)
    static func copy<T: ColumnScalar>(_ data: UnsafeRawPointer, _ plan: SlicePlan, _ interp: BranchInterpretation,
                                      into out: UnsafeMutablePointer<T>)
    {
        guard plan.valueCount > 0 else { return }
        guard let offs = plan.byteOffsets, let counts = plan.counts else {
            decode(data + plan.entries.lowerBound * interp.elementBytes, count: plan.valueCount, interp, into: out)
            return
        }
        let header = interp.headerBytes
        if header == 0 {
            decode(data + Int(offs[plan.entries.lowerBound]), count: plan.valueCount, interp, into: out)
            return
        }
        var at = 0
        for (k, i) in plan.entries.enumerated() where counts[k] > 0 {
            decode(data + Int(offs[i]) + header, count: Int(counts[k]), interp, into: out + at)
            at += Int(counts[k])
        }
    }

    /// Decodes `count` consecutive values: a byte swap, or unpacking of Double32_t/Float16_t.
    @inline(__always)
    private static func decode<T: ColumnScalar>(_ source: UnsafeRawPointer, count: Int, _ interp: BranchInterpretation,
                                                into out: UnsafeMutablePointer<T>) {
        if let packing = interp.packing {
            FloatPacking.decode(packing, source, count: count, into: out)
        } else {
            T.decodeBigEndian(source, count: count, into: out)
        }
    }
}
