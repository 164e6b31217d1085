extension Column {
    /// Offsets (entries + 1) of each entry's values in `values`, whatever the kind: for doubly jagged and
    /// jagged-string columns the inner level is flattened (all values, or all bytes, of the entry).
    public var entryValueOffsets: [Int64] {
        guard let o = offsets else {
            let n = Int64(shape.reduce(1, *))
            return (0...entryCount).map { Int64($0) * n }
        }
        guard let inner = innerOffsets else { return o }
        return o.map { inner[Int($0)] }
    }
}
