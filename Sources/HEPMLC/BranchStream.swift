import ROOTIO

/// `hepml_read_stream`: selected branches of an entry range, chunk by chunk, as Arrow record batches.
enum BranchStream {
    static func make(tree: Tree, branches patterns: [String], entryStart: Int64, entryStop: Int64, stepSize: Int64) throws
        -> ArrowStreamState
    {
        let selected = try tree.selectBranches(include: patterns)
        if !patterns.isEmpty && selected.isEmpty {
            throw ROOTIOError.branchNotFound(file: tree.file.name, tree: tree.path, branch: patterns.joined(separator: ", "))
        }
        let reader = try tree.reader(branches: selected)
        let n = tree.entries
        let start = min(max(0, entryStart), n)
        let stop = max(start, entryStop < 0 ? n : min(entryStop, n))
        let fields = reader.outputs.map { ArrowField.branch(name: $0.name, interpretation: $0.interpretation) }
        let state = ArrowStreamState(schema: .record(fields))
        let names = reader.columnNames
        let step = Int(clamping: stepSize > 0 ? stepSize : 100_000)
        state.start { send in
            for try await batch in reader.chunks(size: step, entries: start..<stop) {
                try Task.checkCancellation()
                var byName: [String: Column] = [:]
                for c in batch.columns { byName[c.name] = c }
                let children = try names.map { name in
                    guard let c = byName[name] else {
                        throw ROOTIOError.malformed(file: tree.file.name, object: "branch '\(name)'", offset: 0, reason: "missing from the chunk")
                    }
                    return try ColumnArrays.column(c)
                }
                try await send(.record(length: batch.entryCount, children: children))
            }
        }
        return state
    }
}
