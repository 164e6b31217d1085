extension NestedVectorDecoder {
    /// One entry of a `vector<T>` member of the objects of a split collection (`tracks.hits` of a
    /// `vector<Track>`): a single object header, then for each collection element the vector's 4-byte count
    /// and its big-endian values, up to the header's end (the element count itself is not stored). Records each
    /// vector as a run and returns the number of vectors.
    static func memberVectors(_ r: inout EntryBytes, elementBytes: Int, innerCounts: inout [Int32],
                              runs: inout ObjectSlice.Runs) throws -> Int
    {
        let objectEnd = try r.objectHeader()
        var count = 0
        while r.position < objectEnd {
            let n = try r.count(minimumBytes: elementBytes)
            runs.append(start: r.position, count: n)
            innerCounts.append(Int32(n))
            r.position += n * elementBytes
            count += 1
        }
        try r.expectEnd(objectEnd, what: "vector member of a collection element")
        return count
    }
}
