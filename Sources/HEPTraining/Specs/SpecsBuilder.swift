import HEPData
import ROOTIO

/// The specs pass: one read over the files (or their first `scan` entries) accumulating per-column statistics.
public enum SpecsBuilder {
    /// The specs pass for a params file: its files, tree, selection, defines, cuts and entry limit.
    public static func build(for p: TrainingParams) async throws -> Specs {
        let transform = try EventTransform(defines: p.defines, cuts: p.cuts)
        let defined = Set(transform.defines.map(\.name))
        // Defined columns get their specs from the transform; only file branches are selected in the tree.
        return try await build(files: p.files.map(\.path), tree: p.tree, branches: p.branches.filter { !defined.contains($0) },
                               exclude: p.exclude, transform: transform, scan: p.entries)
    }

    /// The specs of one part of a params file's input, file `file` (an index into `p.files`) over the entries
    /// `entries` (clipped to the file and to `p.entries`), for passes split over many processes (hepml.dask):
    /// the parts' `sum`/`sum_squares`/`count`/`nan`/`inf`/`min`/`max`/`max_length` merge into the specs of the
    /// whole.
    public static func build(for p: TrainingParams, file: Int, entries: Range<Int64>) async throws -> Specs {
        guard p.files.indices.contains(file) else {
            throw TrainingError.configuration(file: "params", reason: "file index \(file) is outside 0..<\(p.files.count)")
        }
        let transform = try EventTransform(defines: p.defines, cuts: p.cuts)
        let defined = Set(transform.defines.map(\.name))
        return try await build(files: [p.files[file].path], tree: p.tree, branches: p.branches.filter { !defined.contains($0) },
                               exclude: p.exclude, transform: transform, scan: p.entries, range: entries)
    }

    /// Builds and merges specs over `files`.
    /// - Parameters:
    ///   - branches/exclude: branch selection (names or globs; empty: all numeric branches).
    ///   - transform: defines (their columns get specs too) and cuts (applied before statistics).
    ///   - range: only these entries of each file (after the `scan` limit).
    public static func build(files: [String], tree treeName: String, branches: [String], exclude: [String],
                             transform: EventTransform, scan: Int64?, range: Range<Int64>? = nil, chunkSize: Int = 10_000,
                             threads: Int = defaultThreadCount)
        async throws -> Specs
    {
        var merged: Specs?
        for path in files {
            let file = try await FileLocator.shared.current.open(path)
            let tree = try await file.tree(treeName)
            var selected = try FeatureBranches.select(in: tree, include: branches, exclude: exclude)
            for name in transform.inputNames where !selected.contains(where: { $0.name == name }) {
                guard let b = tree.allBranches.first(where: { $0.name == name }) else {
                    throw TrainingError.unknownName(expression: "defines/cuts", name: name)
                }
                try FeatureBranches.check(b, in: tree)
                selected.append(b)
            }
            let reader = try tree.reader(branches: selected, threads: threads)
            let total = min(tree.entries, scan ?? tree.entries)
            let entries = range.map { max(0, min($0.lowerBound, total))..<max(0, min($0.upperBound, total)) } ?? 0..<total
            var specs: [String: BranchSpec] = [:]
            var events = 0
            let defined = Set(transform.defines.map(\.name))
            var chunks = reader.chunks(size: chunkSize, entries: entries)
            chunks.readAhead = true
            for try await batch in chunks {
                let chunk = try transform.apply(batch, doubles: [])
                events += chunk.count
                let columns = batch.columns.filter { !defined.contains($0.name) }
                let updated = await addInParallel(columns, kept: chunk.kept, to: columns.map { specs[$0.name] ?? BranchSpec(kind: $0.kind.rawValue, type: $0.type.rawValue) },
                                                  threads: threads)
                for (c, spec) in zip(columns, updated) { specs[c.name] = spec }
                for name in defined {
                    guard let values = chunk.columns[name] else { continue }
                    let type = batch[name]?.type.rawValue ?? "float64"
                    let kind = batch[name]?.kind.rawValue ?? values.kindName
                    var s = specs[name] ?? BranchSpec(kind: kind, type: type)
                    s.add(values: values.allValues, lengths: values.lengths(count: chunk.count))
                    specs[name] = s
                }
            }
            let one = Specs(tree: treeName, events: [path: events, "total": events], branches: specs)
            if merged == nil { merged = one } else { try merged!.merge(one) }
        }
        guard let result = merged else { throw TrainingError.configuration(file: "specs", reason: "no input files") }
        return result
    }

    /// Adds one chunk of every reader column to its statistics, the columns split over `threads` tasks
    /// (groups of about equal numbers of values).
    static func addInParallel(_ columns: [Column], kept: [Int]?, to specs: [BranchSpec], threads: Int) async -> [BranchSpec] {
        let total = columns.reduce(0) { $0 + $1.values.count }
        let groups = Swift.min(Swift.max(1, threads), columns.count)
        guard groups > 1, total > 16_384 else {
            return zip(columns, specs).map { c, s in var s = s; s.add(column: c, kept: kept); return s }
        }
        var bounds = [0]
        var acc = 0
        for (k, c) in columns.enumerated() {
            acc += c.values.count
            if bounds.count < groups, acc * groups >= total * bounds.count { bounds.append(k + 1) }
        }
        bounds.append(columns.count)
        return await withTaskGroup(of: (Int, [BranchSpec]).self) { group in
            for g in 0..<(bounds.count - 1) where bounds[g] < bounds[g + 1] {
                let range = bounds[g]..<bounds[g + 1]
                let mine = Array(columns[range]), start = Array(specs[range])
                group.addTask { (range.lowerBound, zip(mine, start).map { c, s in var s = s; s.add(column: c, kept: kept); return s }) }
            }
            var out = specs
            for await (first, part) in group { out.replaceSubrange(first..<(first + part.count), with: part) }
            return out
        }
    }
}
