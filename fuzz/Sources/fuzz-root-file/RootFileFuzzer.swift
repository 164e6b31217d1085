import FuzzSupport
import ROOTIO

/// A ROOT file from memory: header, directories and keys, streamer list, every tree's model and all readable
/// branches read in chunks (basket table, decompression, basket decoding, baskets straddling chunks).
/// At most four chunks of 300 entries per tree: enough to cross basket boundaries, fast enough to fuzz.
@main
enum RootFileFuzzer {
    static func main() { runFuzzer { data, size in data.map { fuzzRootFile($0, size) } ?? 0 } }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRootFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    runBlocking {
        let file = try await ROOTFile.open(source: MemorySource(name: "fuzz.root", bytes: input))
        _ = try? await file.streamerInfo()
        for (path, key) in try await file.allKeys() where key.className == "TTree" {
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
    return 0
}
