/// One dataset chunk ready for batches: the parts read from each file (columns resolved for the layout),
/// and per row (rows of all parts, in read order) its labels, weight, split and image.
final class ChunkRows: Sendable {
    let parts: [LayoutChunk]
    /// Part of each row, and the row's index within that part.
    let part: [Int32]
    let local: [Int32]
    let labels: [Float]
    let weights: [Float]
    let splits: [UInt8]
    /// `[count, pixels]`, with an image layout.
    let images: [Float]?
    let pixels: Int
    var count: Int { part.count }

    init(parts: [LayoutChunk], labels: [Float], weights: [Float], splits: [UInt8], images: [Float]?, pixels: Int) {
        self.parts = parts
        var part: [Int32] = [], local: [Int32] = []
        part.reserveCapacity(labels.count)
        local.reserveCapacity(labels.count)
        for (p, c) in parts.enumerated() {
            part.append(contentsOf: repeatElement(Int32(p), count: c.chunk.count))
            local.append(contentsOf: 0..<Int32(c.chunk.count))
        }
        self.part = part
        self.local = local
        self.labels = labels
        self.weights = weights
        self.splits = splits
        self.images = images
        self.pixels = pixels
    }
}

/// The rows of one batch still to be built: runs of rows of chunks, in batch order.
struct PendingBatch: Sendable {
    var segments: [(chunk: ChunkRows, rows: [Int32])] = []
    var count = 0

    mutating func append(_ row: Int, of chunk: ChunkRows) {
        if segments.last?.chunk !== chunk { segments.append((chunk, [])) }
        segments[segments.count - 1].rows.append(Int32(row))
        count += 1
    }

    /// Builds the batch: each value is copied once, from the typed columns into the final `X` and `mask`.
    func build(layout: VectorLayout, featureNames: [String], imagePixels: Int?) -> TrainingBatch {
        let w = layout.width, n = count
        var batch = TrainingBatch(width: w, imagePixels: imagePixels, featureNames: featureNames, capacity: 0)
        var mask: [Float] = []
        batch.features = [Float](unsafeUninitializedCapacity: n * w) { xb, xn in
            mask = [Float](unsafeUninitializedCapacity: n * w) { mb, mn in
                if let x = xb.baseAddress, let m = mb.baseAddress { fill(layout: layout, x: x, mask: m) }
                mn = n * w
            }
            xn = n * w
        }
        batch.mask = mask
        batch.labels.reserveCapacity(n)
        batch.weights.reserveCapacity(n)
        batch.splits.reserveCapacity(n)
        for (c, rows) in segments {
            for r in rows {
                let i = Int(r)
                batch.labels.append(c.labels[i])
                batch.weights.append(c.weights[i])
                batch.splits.append(c.splits[i])
                if let img = c.images { batch.images?.append(contentsOf: img[(i * c.pixels)..<((i + 1) * c.pixels)]) }
            }
        }
        batch.count = n
        return batch
    }

    private func fill(layout: VectorLayout, x: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>) {
        var first = 0
        for (c, rows) in segments {
            for (p, part) in c.parts.enumerated() {
                var local: [Int32] = [], out: [Int32] = []
                local.reserveCapacity(rows.count)
                out.reserveCapacity(rows.count)
                for (k, r) in rows.enumerated() where c.part[Int(r)] == Int32(p) {
                    local.append(c.local[Int(r)])
                    out.append(Int32(first + k))
                }
                local.withUnsafeBufferPointer { l in out.withUnsafeBufferPointer { o in layout.fill(part, rows: l, out: o, x: x, mask: mask) } }
            }
            first += rows.count
        }
    }
}
