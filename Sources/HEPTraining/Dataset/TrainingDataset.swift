import HEPData
import ROOTIO
import Synchronization

/// Training batches from several labelled files: each chunk takes events from the files in proportion to
/// what they have left (or to given fractions), so it keeps the class balance; defines, cuts, the vector
/// (and image) layout and labels are applied column-wise; rows are shuffled through a seeded buffer and
/// assigned to train/validation/test by a seeded hash of (file, entry).
public final class TrainingDataset: Sendable {
    public let params: TrainingParams
    public let specs: Specs
    public let layout: VectorLayout
    let transform: EventTransform
    let labelExpression: (String, Expression)?
    let weightExpression: (String, Expression)?
    let splitHash: SplitHash
    private let lastSummary = Mutex(DatasetSummary())

    /// Branches laid out as features: `params.branches` (globs over the specs) plus defined columns,
    /// minus `params.exclude` and the label/weight inputs.
    public init(params: TrainingParams, specs: Specs) throws {
        guard !params.files.isEmpty else { throw TrainingError.configuration(file: "params", reason: "no input files") }
        self.params = params
        self.specs = specs
        transform = try EventTransform(defines: params.defines, cuts: params.cuts)
        labelExpression = try params.label.map { ($0, try ExpressionParser.parse($0)) }
        weightExpression = try params.weight.map { ($0, try ExpressionParser.parse($0)) }
        if labelExpression == nil, params.files.contains(where: { $0.label == nil }) {
            throw TrainingError.configuration(file: "params", reason: "give every file a label, or a 'label' branch/expression")
        }
        let excluded = Set((labelExpression?.1.names ?? []).union(weightExpression?.1.names ?? []))
        let known = specs.branches.keys
        let wanted = params.branches.isEmpty ? Array(known) : known.filter { k in params.branches.contains { Glob.matches($0, k) } }
        for p in params.branches where !Glob.hasWildcards(p) && !known.contains(p) {
            throw TrainingError.inconsistent("branch '\(p)' is not in the specs (made from other files or branches?)")
        }
        let features = wanted.filter { k in !params.exclude.contains { Glob.matches($0, k) } && !excluded.contains(k) }
        guard !features.isEmpty else { throw TrainingError.configuration(file: "params", reason: "no feature branches selected") }
        layout = try VectorLayout(specs: specs, branches: features, lengths: params.lengths, normalization: params.normalization,
                                  padValue: params.padValue)
        splitHash = SplitHash(seed: params.seed, fractions: params.split)
    }

    /// Counters of the last completed pass.
    public var summary: DatasetSummary { lastSummary.withLock { $0 } }

    /// Batches of `params.batchSize` rows (the last one shorter) of one split, or of all rows when nil.
    public func batches(split: DataSplit?) -> AsyncThrowingStream<TrainingBatch, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.produce(split: split) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    typealias Source = FileWindow.Source

    /// The pass's input files, at most `params.maxOpenFiles` of them open at a time.
    func openSources() async throws -> FileWindow {
        var needed = Set(layout.blocks.map(\.name)).union(transform.inputNames)
        needed.formUnion(labelExpression?.1.names ?? [])
        needed.formUnion(weightExpression?.1.names ?? [])
        needed.formUnion(params.image?.branches ?? [])
        needed.subtract(transform.defines.map(\.name))
        return try await FileWindow(params: params, branches: needed.sorted(), maxOpen: params.maxOpenFiles)
    }

    func produce(split wanted: DataSplit?, shard: DatasetShard? = nil, emit: (TrainingBatch) async throws -> Void) async throws {
        var files = try await openSources()
        if let shard {
            shard.restrict(&files.sources, seed: params.seed, defaultUnitSize: params.chunkSize)
            files.closeFinished()
        }
        var summary = DatasetSummary()
        var rng = SeededGenerator(seed: shard.map { params.seed ^ SplitHash.mix(UInt64($0.epoch)) } ?? params.seed)
        var pending = TrainingBatch(width: layout.width, imagePixels: params.image?.pixelsPerEvent, featureNames: layout.featureNames,
                                    capacity: params.batchSize)
        while files.hasRemaining {
            try Task.checkCancellation()
            var pool = TrainingBatch(width: layout.width, imagePixels: params.image?.pixelsPerEvent, featureNames: layout.featureNames,
                                     capacity: params.chunkSize)
            for (k, n) in files.plan(chunkSize: params.chunkSize) {
                let entry = files.sources[k].entry
                try await files.read(source: k, entries: n) { batch in
                    summary.eventsRead += batch.entryCount
                    let chunk = try transform.apply(batch)
                    summary.eventsPassingCuts += chunk.count
                    summary.perFile[entry.path, default: 0] += chunk.count
                    summary.truncatedEvents += try append(chunk, file: entry, to: &pool)
                }
            }
            var order = Array(0..<pool.count)
            if params.shuffle { order.shuffle(using: &rng) }
            for i in order {
                let s = DataSplit(rawValue: pool.splits[i])!
                summary.perSplit[s, default: 0] += 1
                guard wanted == nil || wanted == s else { continue }
                pending.append(row: i, of: pool)
                if pending.count == params.batchSize {
                    try await emit(pending)
                    pending = pending.rows(0..<0)
                }
            }
        }
        if pending.count > 0 { try await emit(pending) }
        summary.peakOpenFiles = files.peakOpen
        lastSummary.withLock { $0 = summary }
    }

    /// Lays out one chunk's events and appends them (with labels, weights and splits) to `pool`.
    func append(_ chunk: EventChunk, file: TrainingParams.FileEntry, to pool: inout TrainingBatch) throws -> Int {
        let n = chunk.count
        guard n > 0 else { return 0 }
        let w = layout.width
        let start = pool.count
        pool.features.append(contentsOf: repeatElement(0, count: n * w))
        pool.mask.append(contentsOf: repeatElement(0, count: n * w))
        var truncated = 0
        try pool.features.withUnsafeMutableBufferPointer { x in
            try pool.mask.withUnsafeMutableBufferPointer { m in
                truncated = try layout.fill(chunk, x: x, mask: m, row: start)
            }
        }
        if let image = params.image {
            pool.images!.append(contentsOf: repeatElement(0, count: n * image.pixelsPerEvent))
            try pool.images!.withUnsafeMutableBufferPointer { try image.fill(chunk, into: $0, row: start) }
        }
        let labels: [Double]
        if let (src, e) = labelExpression {
            let v = try ExpressionEvaluator.evaluate(e, source: src, columns: chunk.columns, count: n)
            guard let per = v.perEvent(count: n) else { throw TrainingError.evaluation(expression: src, reason: "a label must be one value per event") }
            labels = per
        } else {
            labels = [Double](repeating: file.label ?? 0, count: n)
        }
        var weights = [Double](repeating: file.weight, count: n)
        if let (src, e) = weightExpression {
            let v = try ExpressionEvaluator.evaluate(e, source: src, columns: chunk.columns, count: n)
            guard let per = v.perEvent(count: n) else { throw TrainingError.evaluation(expression: src, reason: "a weight must be one value per event") }
            for i in 0..<n { weights[i] *= per[i] }
        }
        pool.labels.append(contentsOf: labels.map { Float($0) })
        pool.weights.append(contentsOf: weights.map { Float($0) })
        let fileHash = SplitHash.fnv1a(file.path)
        pool.splits.append(contentsOf: chunk.entries.map { splitHash.split(fileHash: fileHash, entry: $0).rawValue })
        pool.count += n
        return truncated
    }
}
