import ROOTIO

/// Opens a ROOT file from memory and reads what the commands read: header, directories and keys, the
/// streamer list, each TTree's or RNTuple's model, and every readable branch or field in chunks (basket or
/// page lists, decompression, decoding, baskets straddling chunks). `keep` picks the keys to read.
/// At most four chunks of 300 entries per tree: enough to cross basket and cluster boundaries, fast enough to fuzz.
public func readEverything(_ input: [UInt8], keep: @escaping @Sendable (Key) -> Bool) async throws {
    let file = try await ROOTFile.open(source: MemorySource(name: "fuzz.root", bytes: input))
    _ = try? await file.streamerInfo()
    for (path, key) in try await file.allKeys() where key.isTreeLike && keep(key) {
        guard let tree = try? await file.tree(path) else { continue }
        let branches = tree.classifyBranches().readable.map(\.0)
        guard let reader = try? tree.reader(branches: branches, threads: 1) else { continue }
        let entries = 0..<min(1200, branches.reduce(tree.entries) { min($0, $1.entries) })
        do {
            for try await batch in reader.chunks(size: 300, entries: entries) {
                for column in batch.columns { _ = column.values.doubles() }
            }
        } catch {}
    }
}
