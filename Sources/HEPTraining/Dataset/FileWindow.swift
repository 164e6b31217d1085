import HEPData
import ROOTIO

/// The input files of one dataset pass with at most `maxOpen` readers open at a time, so memory does not
/// grow with the number of files (each open file holds its tree metadata, a decompression arena and one
/// decoded basket per branch). Files are grouped by class (label and fixed fraction); each chunk takes every
/// class's share from a small window of that class's files, in file order, proportionally to what they have
/// left. A reader is opened when its file enters a window and released as soon as the file is exhausted.
struct FileWindow: Sendable {
    /// One input file: its params entry, entry ranges still to read and its reader while open.
    struct Source: Sendable {
        var entry: TrainingParams.FileEntry
        var reader: TreeReader?
        /// Entry ranges still to read, in order (the whole file, or this shard's units of it).
        var ranges: [Range<Int64>]
        var lastUse = 0
        var remaining: Int64 { ranges.reduce(0) { $0 + Int64($1.count) } }

        /// Takes the next `n` entries (fewer at the end) as consecutive ranges.
        mutating func take(_ n: Int64) -> [Range<Int64>] {
            var left = n
            var taken: [Range<Int64>] = []
            while left > 0, let first = ranges.first {
                let k = min(left, Int64(first.count))
                taken.append(first.lowerBound..<(first.lowerBound + k))
                left -= k
                if k == Int64(first.count) { ranges.removeFirst() } else { ranges[0] = (first.lowerBound + k)..<first.upperBound }
            }
            return taken
        }
    }

    var sources: [Source]
    let tree: String
    let branchNames: [String]
    let maxOpen: Int
    /// Source indices of each class, in file order.
    private var groups: [[Int]] = []
    private(set) var openCount = 0
    /// The most readers open at once during this pass.
    private(set) var peakOpen = 0
    private var tick = 0

    /// Opens each file once to learn its entry count and check the branches, keeping the readers only when
    /// all files fit in `maxOpen`.
    init(params: TrainingParams, branches: [String], maxOpen: Int) async throws {
        tree = params.tree
        branchNames = branches
        self.maxOpen = max(1, maxOpen)
        let keep = params.files.count <= self.maxOpen
        var sources: [Source] = []
        for f in params.files {
            let file = try await FileLocator.shared.current.open(f.path)
            let tree = try await file.tree(params.tree)
            let models = try branches.map { try tree.branch(named: $0) }
            let end = min(tree.entries, params.entries ?? tree.entries)
            sources.append(Source(entry: f, reader: keep ? try tree.reader(branches: models) : nil, ranges: end > 0 ? [0..<end] : []))
        }
        self.sources = sources
        openCount = keep ? sources.count : 0
        peakOpen = openCount
        var byKey: [String: Int] = [:]
        for (k, s) in sources.enumerated() {
            let key = "\(s.entry.label.map { "\($0)" } ?? "-") \(s.entry.fraction.map { "\($0)" } ?? "-")"
            if let g = byKey[key] { groups[g].append(k) } else { byKey[key] = groups.count; groups.append([k]) }
        }
    }

    var hasRemaining: Bool { sources.contains { $0.remaining > 0 } }

    /// How many entries each source gives to the next chunk of `chunkSize` rows: every class takes its fixed
    /// fractions (one per unfinished file) or its share of all entries left, spread over its window.
    func plan(chunkSize: Int) -> [(source: Int, count: Int64)] {
        let total = sources.reduce(Int64(0)) { $0 + $1.remaining }
        let window = max(1, maxOpen / max(1, groups.count))
        var plan: [(source: Int, count: Int64)] = []
        for g in groups {
            let active = g.filter { sources[$0].remaining > 0 }
            guard !active.isEmpty else { continue }
            let left = active.reduce(Int64(0)) { $0 + sources[$1].remaining }
            let share = sources[active[0]].entry.fraction.map { $0 * Double(chunkSize) * Double(active.count) }
                ?? Double(chunkSize) * Double(left) / Double(total)
            var want = max(1, min(left, Int64(share.rounded())))
            let open = Array(active.prefix(window))
            let windowLeft = open.reduce(Int64(0)) { $0 + sources[$1].remaining }
            for (j, k) in open.enumerated() {
                let r = sources[k].remaining
                let n = j == open.count - 1 ? min(r, want) : min(r, want, max(1, Int64((Double(want) * Double(r) / Double(windowLeft)).rounded())))
                if n > 0 { plan.append((k, n)) }
                want -= n
                if want <= 0 { break }
            }
            var next = open.count
            while want > 0, next < active.count {
                let n = min(sources[active[next]].remaining, want)
                plan.append((active[next], n))
                want -= n
                next += 1
            }
        }
        return plan
    }

    /// Reads the next `n` entries of source `k` (opening its reader if needed, closing the least recently
    /// used one first when `maxOpen` are open) and releases the reader once the file is exhausted.
    mutating func read(source k: Int, entries n: Int64, _ body: (ColumnBatch) throws -> Void) async throws {
        let reader = try await reader(for: k)
        for range in sources[k].take(n) { try body(try await reader.read(entries: range)) }
        if sources[k].remaining == 0 { close(k) }
    }

    private mutating func reader(for k: Int) async throws -> TreeReader {
        tick += 1
        sources[k].lastUse = tick
        if let r = sources[k].reader { return r }
        while openCount >= maxOpen, let lru = sources.indices.filter({ sources[$0].reader != nil && $0 != k }).min(by: { sources[$0].lastUse < sources[$1].lastUse }) {
            close(lru)
        }
        let file = try await FileLocator.shared.current.open(sources[k].entry.path)
        let tree = try await file.tree(tree)
        let r = try tree.reader(branches: try branchNames.map { try tree.branch(named: $0) })
        sources[k].reader = r
        openCount += 1
        peakOpen = max(peakOpen, openCount)
        return r
    }

    private mutating func close(_ k: Int) {
        guard sources[k].reader != nil else { return }
        sources[k].reader = nil
        openCount -= 1
    }

    /// Releases every reader (end of a pass, or a shard restriction that left a file nothing to read).
    mutating func closeFinished() {
        for k in sources.indices where sources[k].remaining == 0 { close(k) }
    }
}
