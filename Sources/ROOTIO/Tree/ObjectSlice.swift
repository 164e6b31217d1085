/// The entries of one basket slice of a string or `vector<vector<T>>` branch, decoded: counts per entry and
/// per string or inner vector, and the flat values (UTF-8 bytes for strings).
struct ObjectSlice: Sendable {
    /// Per entry: bytes (`.string`), strings (`.jaggedString`) or inner vectors (`.doublyJagged`).
    var outerCounts: [Int32] = []
    /// Per string or inner vector: bytes or values (empty for `.string`).
    var innerCounts: [Int32] = []
    var values: ColumnValues = .uint8([])

    /// Where each run of values (one string or inner vector) starts in the basket data, while decoding.
    struct Runs {
        var starts: [Int] = []
        var counts: [Int32] = []
        var total = 0

        mutating func append(start: Int, count: Int) {
            starts.append(start)
            counts.append(Int32(truncatingIfNeeded: count))
            total += count
        }
    }

    /// Decodes the entries `slice` of a basket.
    /// - Parameters:
    ///   - data: the basket's entry data (up to `fLast`).
    ///   - byteOffsets: entry starts (entries + 1) from the basket's offset table; without it entries are
    ///     walked from the start (each entry is self-delimiting).
    static func decode(_ data: UnsafeRawBufferPointer, entries: Int, byteOffsets: [Int32]?, slice: Range<Int>,
                       as interp: BranchInterpretation, context: String, file: String) throws -> ObjectSlice
    {
        func bad(_ why: String) -> ROOTIOError { .malformed(file: file, object: context, offset: 0, reason: why) }
        guard slice.lowerBound >= 0, slice.upperBound <= entries else {
            throw bad("entries \(slice) outside the basket's \(entries)")
        }
        var out = ObjectSlice()
        out.outerCounts.reserveCapacity(slice.count)
        var runs = Runs()
        if let offs = byteOffsets {
            guard offs.count >= entries + 1 else { throw bad("\(offs.count) entry offsets for \(entries) entries") }
            for i in slice {
                let start = Int(offs[i])
                let end = Int(offs[i + 1])
                guard start >= 0, start <= end, end <= data.count else {
                    throw bad("entry \(i) spans bytes \(start)..<\(end) of a \(data.count)-byte basket")
                }
                if start == end {  // ROOT writes nothing for an empty char* string
                    out.outerCounts.append(0)
                    continue
                }
                var r = EntryBytes(data: data, position: start, end: end, context: context, file: file)
                try decodeEntry(&r, interp, into: &out, runs: &runs)
                try r.expectEnd(end, what: "entry \(i)")
            }
        } else {
            var position = 0
            for i in 0..<slice.upperBound {
                var r = EntryBytes(data: data, position: position, end: data.count, context: context, file: file)
                if i < slice.lowerBound {
                    var scratch = ObjectSlice()
                    var skipped = Runs()
                    try decodeEntry(&r, interp, into: &scratch, runs: &skipped)
                } else {
                    try decodeEntry(&r, interp, into: &out, runs: &runs)
                }
                position = r.position
            }
        }
        out.values = gather(data, runs: runs, type: interp.type, isString: interp.kind.isString)
        return out
    }

    private static func decodeEntry(_ r: inout EntryBytes, _ interp: BranchInterpretation, into out: inout ObjectSlice,
                                    runs: inout Runs) throws
    {
        switch interp.kind {
        case .string:
            out.outerCounts.append(Int32(try StringDecoder.string(&r, headerBytes: interp.headerBytes, runs: &runs)))
        case .jaggedString:
            out.outerCounts.append(Int32(try StringDecoder.strings(&r, innerCounts: &out.innerCounts, runs: &runs)))
        case .doublyJagged:
            let decode = interp.isCollectionMember ? NestedVectorDecoder.memberVectors : NestedVectorDecoder.vectors
            out.outerCounts.append(Int32(try decode(&r, interp.type.byteSize, &out.innerCounts, &runs)))
        case .flat, .fixed, .jagged:
            throw r.malformed("kind \(interp.kind.rawValue) is not a string or nested vector")
        }
    }

    /// Copies (strings) or byte-swaps (numbers) every run into one flat array.
    private static func gather(_ data: UnsafeRawBufferPointer, runs: Runs, type: ScalarType, isString: Bool) -> ColumnValues {
        if isString || type == .uint8 { return .uint8(copyRuns(UInt8.self, data, runs)) }
        switch type {
        case .bool: return .bool(copyRuns(Bool.self, data, runs))
        case .int8: return .int8(copyRuns(Int8.self, data, runs))
        case .uint8: return .uint8(copyRuns(UInt8.self, data, runs))
        case .int16: return .int16(copyRuns(Int16.self, data, runs))
        case .uint16: return .uint16(copyRuns(UInt16.self, data, runs))
        case .int32: return .int32(copyRuns(Int32.self, data, runs))
        case .uint32: return .uint32(copyRuns(UInt32.self, data, runs))
        case .int64: return .int64(copyRuns(Int64.self, data, runs))
        case .uint64: return .uint64(copyRuns(UInt64.self, data, runs))
        case .float32: return .float32(copyRuns(Float.self, data, runs))
        case .float64: return .float64(copyRuns(Double.self, data, runs))
        }
    }

    private static func copyRuns<T: ColumnScalar>(_: T.Type, _ data: UnsafeRawBufferPointer, _ runs: Runs) -> [T] {
        guard runs.total > 0, let base = data.baseAddress else { return [] }
        return [T](unsafeUninitializedCapacity: runs.total) { out, n in
            guard let dst = out.baseAddress else { n = 0; return }
            var at = 0
            for k in runs.starts.indices {
                let c = Int(runs.counts[k])
                T.decodeBigEndian(base + runs.starts[k], count: c, into: dst + at)
                at += c
            }
            n = at
        }
    }

    /// The column of a chunk from its slices in entry order.
    static func column(name: String, interpretation interp: BranchInterpretation, slices: [ObjectSlice],
                       entryStart: Int64, entryCount: Int) -> Column
    {
        let offsets = prefixSums(slices.map(\.outerCounts))
        let inner: [Int64]? = interp.kind == .string ? nil : prefixSums(slices.map(\.innerCounts))
        let values = ColumnValues.concatenation(slices.map(\.values), type: interp.type)
        return Column(name: name, type: interp.type, kind: interp.kind, shape: [], entryStart: entryStart,
                      entryCount: entryCount, values: values, offsets: offsets, innerOffsets: inner)
    }

    private static func prefixSums(_ parts: [[Int32]]) -> [Int64] {
        let n = parts.reduce(0) { $0 + $1.count }
        return [Int64](unsafeUninitializedCapacity: n + 1) { o, k in
            var acc: Int64 = 0
            o[0] = 0
            var i = 1
            for p in parts {
                for c in p {
                    acc += Int64(c)
                    o[i] = acc
                    i += 1
                }
            }
            k = i
        }
    }
}
