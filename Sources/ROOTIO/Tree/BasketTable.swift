/// Where one basket of a branch lives and which entries it holds.
public struct BasketLocation: Sendable, Hashable {
    public enum Storage: Sendable, Hashable {
        /// A TKey record in the file: offset and size (key header included).
        case disk(ByteRange)
        /// Index into the branch's embedded baskets.
        case embedded(Int)
    }
    public var index: Int
    public var firstEntry: Int64
    public var entryCount: Int64
    public var storage: Storage
    public var entryEnd: Int64 { firstEntry + entryCount }
}

/// The baskets of a branch in entry order: on-disk baskets first, then those embedded in the branch object.
public struct BasketTable: Sendable {
    public var baskets: [BasketLocation]

    init(branch: BranchModel, file: String, fileSize: Int64) throws {
        func bad(_ why: String) -> ROOTIOError {
            .malformed(file: file, object: "branch '\(branch.name)' basket table", offset: 0, reason: why)
        }
        var normal = 0
        let limit = min(branch.writeBasket, branch.basketSeek.count)
        while normal < limit, branch.basketSeek[normal] != 0 { normal += 1 }
        var out: [BasketLocation] = []
        out.reserveCapacity(normal + branch.embeddedBaskets.count)
        var next: Int64 = 0
        for i in 0..<normal {
            let start = branch.basketEntry[i]
            var end: Int64
            if i + 1 < normal {
                end = branch.basketEntry[i + 1]
            } else if normal < branch.basketEntry.count, branch.basketEntry[normal] > start {
                end = branch.basketEntry[normal]
            } else {
                end = branch.entries - Int64(branch.embeddedBaskets.reduce(0) { $0 + $1.entries })
            }
            let seek = branch.basketSeek[i]
            let bytes = Int(branch.basketBytes[i])
            guard start == next, end >= start else { throw bad("basket \(i) covers entries \(start)..<\(end), expected start \(next)") }
            guard seek > 0, bytes > 0, seek + Int64(bytes) <= fileSize else {
                throw bad("basket \(i) at \(seek) with \(bytes) bytes lies outside the file (\(fileSize) bytes)")
            }
            out.append(BasketLocation(index: i, firstEntry: start, entryCount: end - start,
                                      storage: .disk(ByteRange(offset: seek, count: bytes))))
            next = end
        }
        for (j, b) in branch.embeddedBaskets.enumerated() {
            out.append(BasketLocation(index: normal + j, firstEntry: next, entryCount: Int64(b.entries), storage: .embedded(j)))
            next += Int64(b.entries)
        }
        guard next >= branch.entries else {
            throw bad("baskets hold \(next) entries, the branch has \(branch.entries)")
        }
        baskets = out
    }

    /// Baskets that overlap the entry range.
    public func overlapping(_ range: Range<Int64>) -> ArraySlice<BasketLocation> {
        guard !range.isEmpty else { return [] }
        var lo = 0
        var hi = baskets.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if baskets[mid].entryEnd <= range.lowerBound { lo = mid + 1 } else { hi = mid }
        }
        var end = lo
        while end < baskets.count, baskets[end].firstEntry < range.upperBound { end += 1 }
        return baskets[lo..<end]
    }
}
