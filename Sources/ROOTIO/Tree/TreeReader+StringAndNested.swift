/// String and `vector<vector<T>>` branches in the chunk pipeline: their baskets are decoded entry by entry
/// while the basket is planned (phase 2, where errors can be thrown), and the slices are joined per column.
extension TreeReader {
    /// The decoded slice of a string or nested-vector basket, nil for other branches.
    func objectSlice(_ t: Target, _ job: Job, base: ArenaPointer, entries: Int, length: Int, offsets: [Int32]?,
                     context: String) throws -> Decoded?
    {
        let interp = t.interpretation
        guard interp.kind.isStringOrNested else { return nil }
        let decode = { (data: UnsafeRawBufferPointer) in
            try ObjectSlice.decode(data, entries: entries, byteOffsets: offsets, slice: job.local, as: interp,
                                   context: context, file: self.tree.file.name)
        }
        let slice: ObjectSlice
        if let raw = job.raw {
            guard length <= raw.data.count else {
                throw ROOTIOError.malformed(file: tree.file.name, object: context, offset: 0,
                                            reason: "\(length) bytes of entry data in a \(raw.data.count)-byte basket")
            }
            slice = try raw.data.withUnsafeBytes { try decode(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
        } else {
            slice = try decode(UnsafeRawBufferPointer(start: base.pointer + job.arenaOffset, count: length))
        }
        let plan = SlicePlan(valueCount: slice.values.count, counts: nil, byteOffsets: nil, entries: job.local,
                             object: slice)
        return Decoded(entries: entries, length: length, byteOffsets: offsets, plan: plan)
    }

    /// The column of a string or nested-vector branch from its slices, nil for other branches.
    func objectColumn(_ t: Int, parts: [Part], start: Int64, count: Int) -> Column? {
        let interp = targets[t].interpretation
        guard interp.kind.isStringOrNested else { return nil }
        return ObjectSlice.column(name: targets[t].branch.name, interpretation: interp,
                                  slices: parts.compactMap(\.plan.object), entryStart: start, entryCount: count)
    }
}
