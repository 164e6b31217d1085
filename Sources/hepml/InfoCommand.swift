import ArgumentParser
import HEPData
import ROOTIO

/// `hepml info`: the keys and trees of a file, with branch details on request.
struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a ROOT file's keys, trees and branches.")

    @OptionGroup var options: TreeOptions

    @Flag(name: .long, help: "One line per branch: type, kind, counter, compressed/uncompressed bytes; reasons for skipped branches.")
    var verbose = false

    @Option(name: .long, help: "Also scan the first N entries: min/max of each branch and the longest jagged entry.")
    var scan: Int?

    func run() async throws {
        if let r = options.redirector { FileLocator.shared.current.redirector = r }
        try applyFormat(options.format)
        let f = try await FileLocator.shared.current.open(options.file)
        let keys = try await f.allKeys()
        if let table = f.table {
            print("file \(f.name): \(table.formatName), \(f.source.size) bytes")
        } else {
            print("file \(f.name): ROOT \(f.header.version), \(f.source.size) bytes, fCompress \(f.header.compress)")
        }
        print("keys:")
        for (path, key) in keys { print("  \(path)  \(key.className)") }
        let treePaths = options.tree.map { [$0] }
            ?? keys.filter { $0.key.isTreeLike }.map { String($0.path) }
        for path in treePaths {
            let tree = try await f.tree(path)
            let (readable, skipped) = tree.classifyBranches()
            let kinds = Dictionary(grouping: readable, by: { $0.1.kind }).mapValues(\.count)
            print("\(tree.isRNTuple ? "rntuple" : "tree") \(path): \(tree.entries) entries, \(tree.allBranches.count) \(tree.isRNTuple ? "fields" : "branches"): "
                + "\(kinds[.flat] ?? 0) flat, \(kinds[.jagged] ?? 0) jagged, \(kinds[.fixed] ?? 0) fixed, "
                + objectKindCounts(kinds) + "\(skipped.count) skipped")
            if verbose {
                for (b, i) in readable {
                    let shape = i.kind == .fixed ? "\(i.shape)" : ""
                    let counter = i.counter.map { "[\($0)]" } ?? (i.kind == .jagged ? "[vector]" : "")
                    print("  \(pad(b.name, 28)) \(pad(i.kind.isString ? "utf8" : i.type.rawValue, 8)) \(pad(i.kind.rawValue + shape + counter, 20)) "
                        + "compressed \(pad(String(b.compressedBytes), 10, right: true))  uncompressed \(pad(String(b.uncompressedBytes), 10, right: true))")
                }
                for (b, why) in skipped { print("  \(pad(b.name, 28)) skipped: \(why)") }
            }
            if let n = scan {
                let range: Range<Int64> = 0..<min(tree.entries, Int64(max(0, n)))
                let stats = try await FileInspection.statistics(tree, branches: readable.map(\.0), entries: range,
                                                                threads: defaultThreadCount, chunkSize: 100_000)
                print("  scan of \(range.count) entries:")
                for s in stats {
                    let r = s.interpretation.kind.isString
                        ? "\(s.text.strings) strings, \(s.text.distinctCount) distinct, longest \(s.text.maxLength) bytes"
                        : s.range.map { "min \($0.min)  max \($0.max)" } ?? "no values"
                    let len = s.interpretation.kind == .jagged || s.interpretation.kind == .doublyJagged
                        ? "  max length \(s.maxLength)" : ""
                    print("  \(pad(s.name, 28)) \(r)\(len)")
                }
            }
        }
    }
}

/// "3 string, 1 doubly_jagged, " for the string and nested-vector kinds present (empty when none).
private func objectKindCounts(_ kinds: [ColumnKind: Int]) -> String {
    [ColumnKind.string, .jaggedString, .doublyJagged].compactMap { k in kinds[k].map { "\($0) \(k.rawValue), " } }.joined()
}
