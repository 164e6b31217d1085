import ArgumentParser
import ROOTIO

/// `hepml read`: stream branches in chunks and report throughput.
struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read", abstract: "Read branches chunk by chunk and report MB/s and events/s.")

    @OptionGroup var options: TreeOptions

    @Option(name: .long, parsing: .upToNextOption, help: "Branch names or glob patterns, comma-separated (default: all numeric branches).")
    var branches: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Branch names or glob patterns to leave out, comma-separated.")
    var exclude: [String] = []

    @Option(name: .long, help: "Entry range A:B (either side may be empty).")
    var entries: String?

    @Option(name: .long, help: "Entries per chunk.")
    var chunkSize: Int = 10_000

    @Option(name: .long, help: "Decoding threads (default: number of cores).")
    var threads: Int = defaultThreadCount

    @Flag(name: .long, help: "Only print the total line.")
    var quiet = false

    @Flag(name: .long, help: "Benchmark floor: read and decompress the same baskets without decoding values.")
    var decompressOnly = false

    @Flag(name: .long, help: "Print the values: one JSON object per entry (branch name to number, array or string).")
    var json = false

    func run() async throws {
        guard chunkSize > 0 else { throw ValidationError("--chunk-size must be positive") }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        let (_, tree) = try await options.open()
        let split = { (list: [String]) in list.flatMap { $0.split(separator: ",").map(String.init) } }
        let selected = try tree.selectBranches(include: split(branches), exclude: split(exclude))
        let range = try parseRange(entries, total: tree.entries)
        let reader = try tree.reader(branches: selected, threads: threads)
        let start = ContinuousClock.now
        if decompressOnly {
            var bytes: Int64 = 0
            for chunk in reader.chunks(size: chunkSize, entries: range).ranges {
                bytes += try await reader.decompressOnly(entries: chunk, includeStraddling: chunk.lowerBound == range.lowerBound)
            }
            print(line(label: "decompress-only", entries: Int64(range.count), branches: selected.count,
                       compressed: tree.file.source.statistics.bytes, decoded: bytes, seconds: seconds(since: start)))
            return
        }
        if json {
            for try await batch in reader.chunks(size: chunkSize, entries: range) { printEntries(batch) }
            return
        }
        var last = start
        var lastStats = reader.statistics
        for try await batch in reader.chunks(size: chunkSize, entries: range) {
            let s = reader.statistics
            if !quiet {
                let dt = seconds(since: last)
                print(line(label: "chunk \(batch.entryStart)..<\(batch.entryStart + Int64(batch.entryCount))",
                           entries: Int64(batch.entryCount), branches: batch.columns.count,
                           compressed: s.compressedBytes - lastStats.compressedBytes,
                           decoded: s.decodedBytes - lastStats.decodedBytes, seconds: dt))
            }
            last = ContinuousClock.now
            lastStats = s
        }
        let s = reader.statistics
        let io = tree.file.source.statistics
        print(line(label: "total", entries: s.entries, branches: selected.count, compressed: s.compressedBytes,
                   decoded: s.decodedBytes, seconds: seconds(since: start)) + "  (\(io.requests) reads, \(threads) threads)")
    }

    /// One JSON line per entry of `batch`, branches in selection order.
    private func printEntries(_ batch: ColumnBatch) {
        for i in 0..<batch.entryCount {
            let entry = JSONValue.object(batch.columns.map { ($0.name, $0.entryJSON(i)) })
            print(entry.serialized(pretty: false))
        }
    }

    private func line(label: String, entries: Int64, branches: Int, compressed: Int64, decoded: Int64, seconds: Double) -> String {
        let mb = { (b: Int64) in Double(b) / 1e6 }
        return "\(label): \(entries) entries, \(branches) branches, \(fmt(mb(compressed))) MB read, \(fmt(mb(decoded))) MB decoded, "
            + "\(fmt(seconds, 3)) s, \(fmt(mb(decoded) / max(seconds, 1e-9), 1)) MB/s, \(fmt(Double(entries) / max(seconds, 1e-9), 0)) events/s"
    }

    private func parseRange(_ text: String?, total: Int64) throws -> Range<Int64> {
        guard let text else { return 0..<total }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw ValidationError("--entries takes A:B, got '\(text)'") }
        let a = parts[0].isEmpty ? 0 : Int64(parts[0])
        let b = parts[1].isEmpty ? total : Int64(parts[1])
        guard let a, let b, a >= 0, a <= b else { throw ValidationError("--entries '\(text)' is not a valid range") }
        return a..<min(b, total)
    }
}
