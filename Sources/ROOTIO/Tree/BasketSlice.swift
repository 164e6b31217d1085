/// The typed values of some entries of one basket, plus per-entry value counts for jagged columns.
struct BasketSlice: Sendable {
    var values: ColumnValues
    /// Values (not elements) per entry, jagged columns only.
    var counts: [Int32]?
}

/// Decodes entries of a `RawBasket` into typed values with whole-buffer byte swaps.
enum BasketExtractor {
    /// - Parameters:
    ///   - entries: local entry range inside the basket.
    ///   - generatedCounts: elements per entry of the whole basket, from the counter branch, for baskets
    ///     written without an entry-offset table.
    static func extract(_ basket: RawBasket, entries: Range<Int>, as interp: BranchInterpretation,
                        generatedCounts: [Int32]?, context: String, file: String) throws -> BasketSlice
    {
        switch interp.type {
        case .bool: return try extract(basket, entries, interp, generatedCounts, context, file, Bool.self)
        case .int8: return try extract(basket, entries, interp, generatedCounts, context, file, Int8.self)
        case .uint8: return try extract(basket, entries, interp, generatedCounts, context, file, UInt8.self)
        case .int16: return try extract(basket, entries, interp, generatedCounts, context, file, Int16.self)
        case .uint16: return try extract(basket, entries, interp, generatedCounts, context, file, UInt16.self)
        case .int32: return try extract(basket, entries, interp, generatedCounts, context, file, Int32.self)
        case .uint32: return try extract(basket, entries, interp, generatedCounts, context, file, UInt32.self)
        case .int64: return try extract(basket, entries, interp, generatedCounts, context, file, Int64.self)
        case .uint64: return try extract(basket, entries, interp, generatedCounts, context, file, UInt64.self)
        case .float32: return try extract(basket, entries, interp, generatedCounts, context, file, Float.self)
        case .float64: return try extract(basket, entries, interp, generatedCounts, context, file, Double.self)
        }
    }

    private static func extract<T: ColumnScalar>(
        _ basket: RawBasket, _ entries: Range<Int>, _ interp: BranchInterpretation, _ generatedCounts: [Int32]?,
        _ context: String, _ file: String, _: T.Type
    ) throws -> BasketSlice {
        func bad(_ why: String) -> ROOTIOError { .malformed(file: file, object: context, offset: 0, reason: why) }
        let size = interp.type.byteSize
        let data = basket.data
        if interp.kind != .jagged {
            let entryBytes = interp.elementBytes
            guard data.count >= basket.entries * entryBytes else {
                throw bad("basket has \(data.count) bytes for \(basket.entries) entries of \(entryBytes) bytes")
            }
            let n = entries.count * interp.itemsPerElement
            let values = [T](unsafeUninitializedCapacity: n) { out, initialized in
                data.withUnsafeBytes { raw in
                    T.decodeBigEndian(raw.baseAddress! + entries.lowerBound * entryBytes, count: n, into: out.baseAddress!)
                }
                initialized = n
            }
            return BasketSlice(values: T.wrap(values), counts: nil)
        }
        var byteOffsets = basket.byteOffsets
        if byteOffsets == nil {
            guard let counts = generatedCounts, counts.count == basket.entries else {
                if basket.entries == 0 || data.isEmpty {
                    byteOffsets = [Int32](repeating: 0, count: basket.entries + 1)
                    return try slice(data, byteOffsets!, entries, interp, size, bad, T.self)
                }
                throw bad("jagged basket without entry offsets and no counter values to rebuild them")
            }
            var offs = [Int32](repeating: 0, count: counts.count + 1)
            var acc = 0
            for (i, n) in counts.enumerated() {
                guard n >= 0 else { throw bad("negative counter value \(n)") }
                acc += Int(n) * interp.elementBytes + (n > 0 || interp.headerBytes == 0 ? interp.headerBytes : 0)
                guard acc <= data.count else { throw bad("counter values need more bytes than the basket's \(data.count)") }
                offs[i + 1] = Int32(acc)
            }
            byteOffsets = offs
        }
        return try slice(data, byteOffsets!, entries, interp, size, bad, T.self)
    }

    private static func slice<T: ColumnScalar>(
        _ data: [UInt8], _ offs: [Int32], _ entries: Range<Int>, _ interp: BranchInterpretation, _ size: Int,
        _ bad: (String) -> ROOTIOError, _: T.Type
    ) throws -> BasketSlice {
        let header = interp.headerBytes
        let elementBytes = interp.elementBytes
        var counts = [Int32](repeating: 0, count: entries.count)
        var total = 0
        for (k, i) in entries.enumerated() {
            var len = Int(offs[i + 1] - offs[i])
            if header > 0, len > 0 {
                guard len >= header else { throw bad("entry \(i) has \(len) bytes, less than its \(header)-byte header") }
                len -= header
            }
            guard len >= 0, len % elementBytes == 0 else {
                throw bad("entry \(i) has \(len) bytes, not a multiple of \(elementBytes)")
            }
            counts[k] = Int32(len / size)
            total += len / size
        }
        guard entries.isEmpty || Int(offs[entries.upperBound]) <= data.count else {
            throw bad("entry offsets reach byte \(offs[entries.upperBound]) of a \(data.count)-byte basket")
        }
        let values = [T](unsafeUninitializedCapacity: total) { out, initialized in
            data.withUnsafeBytes { raw in
                guard let base = raw.baseAddress, total > 0 else { return }
                if header == 0 {
                    T.decodeBigEndian(base + Int(offs[entries.lowerBound]), count: total, into: out.baseAddress!)
                } else {
                    var at = 0
                    for (k, i) in entries.enumerated() where counts[k] > 0 {
                        T.decodeBigEndian(base + Int(offs[i]) + header, count: Int(counts[k]), into: out.baseAddress! + at)
                        at += Int(counts[k])
                    }
                }
            }
            initialized = total
        }
        return BasketSlice(values: T.wrap(values), counts: counts)
    }
}
