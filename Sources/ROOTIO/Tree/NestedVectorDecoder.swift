/// Decodes `vector<vector<T>>` entries: an object header, the number of inner vectors, then for each inner
/// vector its 4-byte count and its big-endian values.
enum NestedVectorDecoder {
    /// One entry; records each inner vector's values as a run and returns the number of inner vectors.
    static func vectors(_ r: inout EntryBytes, elementBytes: Int, innerCounts: inout [Int32],
                        runs: inout ObjectSlice.Runs) throws -> Int
    {
        let objectEnd = try r.objectHeader()
        let count = try r.count(minimumBytes: 4)
        for _ in 0..<count {
            let n = try r.count(minimumBytes: elementBytes)
            runs.append(start: r.position, count: n)
            innerCounts.append(Int32(n))
            r.position += n * elementBytes
        }
        try r.expectEnd(objectEnd, what: "vector<vector>")
        return count
    }
}
