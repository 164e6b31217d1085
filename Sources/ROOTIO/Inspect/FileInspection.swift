/// Per-branch statistics of every TTree in a file, in the schema of the shared reference JSON files.
public enum FileInspection {
    /// Walks all keys, reads every numeric branch of every tree in chunks, and builds the document.
    public static func inspect(_ file: ROOTFile, threads: Int = defaultThreadCount, chunkSize: Int = 100_000)
        async throws -> JSONValue
    {
        let keys = try await file.allKeys()
        var trees: [(String, JSONValue)] = []
        var ntuples: [(String, JSONValue)] = []
        for (path, key) in keys where key.isTreeLike {
            let tree = try await file.tree(path)
            let json = try await inspect(tree, threads: threads, chunkSize: chunkSize)
            if tree.isRNTuple { ntuples.append((path, json)) } else { trees.append((path, json)) }
        }
        let base = file.name.split(separator: "/").last.map(String.init) ?? file.name
        return .object([
            ("file", .string(base)),
            ("fCompress", .int(file.header.compress)),
            ("fVersion", .int(file.header.rawVersion)),
            ("keys", .object(keys.map { ($0.path, .string($0.key.className)) })),
            ("trees", .object(trees)),
            ("rntuples", .object(ntuples)),
        ])
    }

    /// Statistics of one tree's numeric branches (an RNTuple's fields); the others are listed under `skipped`,
    /// with the reason for each under `skip_reasons`. Every statistic covers all the tree's entries (the same
    /// chunked `TreeReader` path as `read`); a branch that cannot is skipped with the reason, never truncated.
    public static func inspect(_ tree: Tree, threads: Int, chunkSize: Int) async throws -> JSONValue {
        let (readable, skipped) = tree.classifyBranches()
        let stats = try await statistics(tree, branches: readable.map(\.0), entries: nil, threads: threads,
                                         chunkSize: chunkSize)
        return .object([
            ("entries", .int(tree.entries)),
            (tree.isRNTuple ? "fields" : "branches", .object(zip(readable, stats).map { (branch, s) in
                (s.name, tree.isRNTuple ? withoutCounter(s.json) : namingCounter(s.json, of: branch.0, in: tree))
            })),
            ("skipped", .array(skipped.map { .string($0.0.name) })),
            ("skip_reasons", .object(skipped.map { ($0.0.name, .string($0.1)) })),
        ])
    }

    /// The counter under the unique name of the branch that counts (ROOT's leaf name may be shared by the
    /// counters of several objects of one class).
    private static func namingCounter(_ json: JSONValue, of branch: BranchModel, in tree: Tree) -> JSONValue {
        guard case let .object(members) = json, let name = json["counter"]?.stringValue,
              let counter = try? tree.counterBranch(named: name, of: branch), counter.name != name
        else { return json }
        return .object(members.map { $0.0 == "counter" ? ($0.0, .string(counter.name)) : $0 })
    }

    /// RNTuple collections carry their offsets themselves: no counter entry.
    private static func withoutCounter(_ json: JSONValue) -> JSONValue {
        guard case let .object(members) = json else { return json }
        return .object(members.filter { $0.0 != "counter" })
    }

    /// Streams the branches over `entries` (default: all the tree's entries) through the same `TreeReader`
    /// chunks as `hepml read`, and accumulates their statistics; a column that comes back short is an error.
    public static func statistics(_ tree: Tree, branches: [BranchModel], entries: Range<Int64>?, threads: Int,
                                  chunkSize: Int) async throws -> [BranchStatistics]
    {
        let reader = try tree.reader(branches: branches, threads: threads)
        var stats = reader.outputs.map { BranchStatistics(name: $0.name, interpretation: $0.interpretation) }
        let all = entries ?? 0..<tree.entries
        for try await batch in reader.chunks(size: chunkSize, entries: all) {
            for (k, column) in batch.columns.enumerated() { stats[k].add(column) }
        }
        for s in stats where s.entries != Int64(all.count) {
            throw ROOTIOError.malformed(file: tree.file.name, object: "branch '\(s.name)' of tree '\(tree.path)'", offset: 0,
                                        reason: "read \(s.entries) entries of the \(all.count) requested")
        }
        return stats
    }
}
