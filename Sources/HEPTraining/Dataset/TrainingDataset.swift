import HEPData
import ROOTIO
import Synchronization

/// Training batches from several labelled files: each chunk takes events from the files in proportion to
/// what they have left (or to given fractions), so it keeps the class balance; defines, cuts, the vector
/// (and image) layout and labels are applied column-wise; each chunk's rows are shuffled (as indices) with a
/// seeded generator and assigned to train/validation/test by a seeded hash of (file, entry).
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

    /// Reader columns the labels, weights and images need as Double values (the layout reads typed columns).
    var doubleColumns: Set<String> {
        var names = Set(labelExpression?.1.names ?? [])
        names.formUnion(weightExpression?.1.names ?? [])
        names.formUnion(params.image?.branches ?? [])
        return names
    }

    /// Reads the next chunk's parts (nil when every file is done) from a copy of `files`, returned with it.
    static func readChunk(_ files: FileWindow, chunkSize: Int) async throws
        -> (files: FileWindow, parts: [(entry: TrainingParams.FileEntry, batch: ColumnBatch)]?)
    {
        var files = files
        guard files.hasRemaining else { return (files, nil) }
        try Task.checkCancellation()
        var parts: [(entry: TrainingParams.FileEntry, batch: ColumnBatch)] = []
        for (k, n) in files.plan(chunkSize: chunkSize) {
            let entry = files.sources[k].entry
            try await files.read(source: k, entries: n) { parts.append((entry, $0)) }
        }
        return (files, parts)
    }

    /// One pass: the next chunk is read while the current one is turned into batches. Rows are shuffled as
    /// indices and each row is written once, from the typed columns straight into its batch's final arrays
    /// (the chunk's rows in ranges over the cores).
    func produce(split wanted: DataSplit?, shard: DatasetShard? = nil, emit: (TrainingBatch) async throws -> Void) async throws {
        var files = try await openSources()
        if let shard {
            shard.restrict(&files.sources, seed: params.seed, defaultUnitSize: params.chunkSize)
            files.closeFinished()
        }
        var summary = DatasetSummary()
        var rng = SeededGenerator(seed: shard.map { params.seed ^ SplitHash.mix(UInt64($0.epoch)) } ?? params.seed)
        var open: OpenBatch?
        let chunkSize = params.chunkSize, batchSize = params.batchSize, width = layout.width, names = layout.featureNames
        let pixels = params.image?.pixelsPerEvent
        var current = try await Self.readChunk(files, chunkSize: chunkSize)
        while let parts = current.parts {
            let window = current.files
            async let next = Self.readChunk(window, chunkSize: chunkSize)
            let rows = try prepare(parts, summary: &summary)
            var order = Array(0..<rows.count)
            if params.shuffle { order.shuffle(using: &rng) }
            var placement = RowPlacement(count: rows.count)
            var ready: [OpenBatch] = []
            for i in order {
                let s = DataSplit(rawValue: rows.splits[i]) ?? .train
                summary.perSplit[s, default: 0] += 1
                guard wanted == nil || wanted == s else { continue }
                let b = open ?? OpenBatch(capacity: batchSize, width: width, pixels: pixels, featureNames: names)
                placement.batch[i] = b
                placement.row[i] = Int32(b.rows)
                b.rows += 1
                if b.rows == batchSize {
                    ready.append(b)
                    open = nil
                } else {
                    open = b
                }
            }
            await write(rows, placement)
            for b in ready { try await emit(b.take()) }
            current = try await next
        }
        if let open, open.rows > 0 { try await emit(open.take()) }
        summary.peakOpenFiles = current.files.peakOpen
        lastSummary.withLock { $0 = summary }
    }

    /// Writes a chunk's placed rows into their batches, the rows split in ranges over the cores.
    func write(_ rows: ChunkRows, _ placement: RowPlacement) async {
        let layout = layout
        let groups = Swift.min(defaultThreadCount, Swift.max(1, rows.count / 256))
        guard groups > 1 else {
            placement.write(0..<rows.count, of: rows, layout: layout)
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for g in 0..<groups {
                let range = (g * rows.count / groups)..<((g + 1) * rows.count / groups)
                group.addTask { placement.write(range, of: rows, layout: layout) }
            }
        }
    }

    /// Applies defines and cuts to a chunk's parts and computes each row's label, weight, split (and image).
    func prepare(_ parts: [(entry: TrainingParams.FileEntry, batch: ColumnBatch)], summary: inout DatasetSummary) throws -> ChunkRows {
        var chunks: [LayoutChunk] = []
        var labels: [Float] = [], weights: [Float] = [], splits: [UInt8] = []
        var images: [Float]? = params.image.map { _ in [] }
        let doubles = doubleColumns
        for (file, batch) in parts {
            summary.eventsRead += batch.entryCount
            let chunk = try transform.apply(batch, doubles: doubles)
            summary.eventsPassingCuts += chunk.count
            summary.perFile[file.path, default: 0] += chunk.count
            let n = chunk.count
            guard n > 0 else { continue }
            let c = try LayoutChunk(layout: layout, chunk: chunk)
            summary.truncatedEvents += c.truncatedEvents
            chunks.append(c)
            if let image = params.image {
                let start = images?.count ?? 0
                images?.append(contentsOf: repeatElement(0, count: n * image.pixelsPerEvent))
                try images?.withUnsafeMutableBufferPointer { out in
                    try image.fill(chunk, into: UnsafeMutableBufferPointer(rebasing: out[start...]), row: 0)
                }
            }
            if let (src, e) = labelExpression {
                let v = try ExpressionEvaluator.evaluate(e, source: src, columns: chunk.columns, count: n)
                guard let per = v.perEvent(count: n) else { throw TrainingError.evaluation(expression: src, reason: "a label must be one value per event") }
                labels.append(contentsOf: per.lazy.map { Float($0) })
            } else {
                labels.append(contentsOf: repeatElement(Float(file.label ?? 0), count: n))
            }
            var w = [Double](repeating: file.weight, count: n)
            if let (src, e) = weightExpression {
                let v = try ExpressionEvaluator.evaluate(e, source: src, columns: chunk.columns, count: n)
                guard let per = v.perEvent(count: n) else { throw TrainingError.evaluation(expression: src, reason: "a weight must be one value per event") }
                for i in 0..<n { w[i] *= per[i] }
            }
            weights.append(contentsOf: w.lazy.map { Float($0) })
            let fileHash = SplitHash.fnv1a(file.path)
            splits.append(contentsOf: chunk.entries.lazy.map { self.splitHash.split(fileHash: fileHash, entry: $0).rawValue })
        }
        return ChunkRows(parts: chunks, labels: labels, weights: weights, splits: splits, images: images,
                         pixels: params.image?.pixelsPerEvent ?? 0)
    }
}
