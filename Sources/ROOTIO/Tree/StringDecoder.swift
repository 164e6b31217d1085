/// Decodes string entries: `char*` leaves, `TString`, `std::string` (with a 6-byte object header as a class
/// member) and `vector<string>` (object header, count, then length-prefixed strings).
enum StringDecoder {
    /// One string; records its bytes as a run and returns its length.
    static func string(_ r: inout EntryBytes, headerBytes: Int, runs: inout ObjectSlice.Runs) throws -> Int {
        let objectEnd = headerBytes > 0 ? try r.objectHeader() : nil
        let n = try r.stringLength()
        runs.append(start: r.position, count: n)
        r.position += n
        if let objectEnd { try r.expectEnd(objectEnd, what: "std::string") }
        return n
    }

    /// A `vector<string>`; records each string and returns how many there are.
    static func strings(_ r: inout EntryBytes, innerCounts: inout [Int32], runs: inout ObjectSlice.Runs) throws -> Int {
        let objectEnd = try r.objectHeader()
        let count = try r.count(minimumBytes: 1)
        for _ in 0..<count {
            let n = try r.stringLength()
            runs.append(start: r.position, count: n)
            innerCounts.append(Int32(n))
            r.position += n
        }
        try r.expectEnd(objectEnd, what: "vector<string>")
        return count
    }
}
