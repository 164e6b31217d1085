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

/// A batch written in place: its arrays get their full size when it is opened, and rows are written straight
/// into them (by several tasks at once, each to its own rows) until it is handed out.
final class OpenBatch: @unchecked Sendable {
    private var batch: TrainingBatch
    let capacity: Int
    let x: UnsafeMutablePointer<Float>
    let mask: UnsafeMutablePointer<Float>
    let labels: UnsafeMutablePointer<Float>
    let weights: UnsafeMutablePointer<Float>
    let splits: UnsafeMutablePointer<UInt8>
    let images: UnsafeMutablePointer<Float>?
    /// Rows given out so far.
    var rows = 0

    init(capacity n: Int, width w: Int, pixels: Int?, featureNames: [String]) {
        capacity = n
        var b = TrainingBatch(width: w, imagePixels: pixels, featureNames: featureNames, capacity: 0)
        // Every element of a row is written before the batch is handed out; rows never given out are removed.
        b.features = Array(unsafeUninitializedCapacity: n * w) { _, count in count = n * w }
        b.mask = Array(unsafeUninitializedCapacity: n * w) { _, count in count = n * w }
        b.labels = Array(unsafeUninitializedCapacity: n) { _, count in count = n }
        b.weights = Array(unsafeUninitializedCapacity: n) { _, count in count = n }
        b.splits = Array(unsafeUninitializedCapacity: n) { _, count in count = n }
        if let pixels { b.images = Array(unsafeUninitializedCapacity: n * pixels) { _, count in count = n * pixels } }
        x = b.features.storageAddress
        mask = b.mask.storageAddress
        labels = b.labels.storageAddress
        weights = b.weights.storageAddress
        splits = b.splits.storageAddress
        images = b.images?.storageAddress
        batch = b
    }

    /// The batch with the rows given out (the arrays are handed over, not copied).
    func take() -> TrainingBatch {
        var b = batch
        batch = TrainingBatch(width: b.width, imagePixels: nil, featureNames: [], capacity: 0)
        let unused = capacity - rows
        if unused > 0 {
            b.features.removeLast(unused * b.width)
            b.mask.removeLast(unused * b.width)
            b.labels.removeLast(unused)
            b.weights.removeLast(unused)
            b.splits.removeLast(unused)
            if let n = b.images?.count, capacity > 0 { b.images?.removeLast(unused * (n / capacity)) }
        }
        b.count = rows
        return b
    }
}

extension Array {
    /// The mutable storage address of a uniquely owned array that is not resized while the address is used.
    var storageAddress: UnsafeMutablePointer<Element> {
        mutating get {
            withUnsafeMutableBufferPointer { $0.baseAddress } ?? UnsafeMutablePointer(bitPattern: MemoryLayout<Element>.alignment).unsafelyUnwrapped
        }
    }
}

/// Where each row of a chunk goes: a row of an open batch, or nowhere (another split).
struct RowPlacement: Sendable {
    var batch: [OpenBatch?]
    var row: [Int32]

    init(count: Int) {
        batch = [OpenBatch?](repeating: nil, count: count)
        row = [Int32](repeating: 0, count: count)
    }

    /// Writes rows `range` of `chunk` into their batches (features, mask, label, weight, split, image).
    func write(_ range: Range<Int>, of chunk: ChunkRows, layout: VectorLayout) {
        let w = layout.width
        var first = range.lowerBound
        for (p, part) in chunk.parts.enumerated() {
            var rows: [Int32] = [], xs: [UnsafeMutablePointer<Float>] = [], ms: [UnsafeMutablePointer<Float>] = []
            var i = first
            while i < range.upperBound, chunk.part[i] == Int32(p) {
                if let b = batch[i] {
                    rows.append(chunk.local[i])
                    xs.append(b.x + Int(row[i]) * w)
                    ms.append(b.mask + Int(row[i]) * w)
                }
                i += 1
            }
            first = i
            rows.withUnsafeBufferPointer { r in
                xs.withUnsafeBufferPointer { x in ms.withUnsafeBufferPointer { m in layout.fill(part, rows: r, x: x, mask: m) } }
            }
        }
        for i in range {
            guard let b = batch[i] else { continue }
            let r = Int(row[i])
            b.labels[r] = chunk.labels[i]
            b.weights[r] = chunk.weights[i]
            b.splits[r] = chunk.splits[i]
            if let out = b.images, let img = chunk.images {
                let n = chunk.pixels
                img.withUnsafeBufferPointer { src in
                    if let s = src.baseAddress { (out + r * n).update(from: s + i * n, count: n) }
                }
            }
        }
    }
}
