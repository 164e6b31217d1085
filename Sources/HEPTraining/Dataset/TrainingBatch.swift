/// Which part of the data an event belongs to (decided by a seeded hash of file and entry).
public enum DataSplit: UInt8, Sendable, CaseIterable {
    case train = 0, validation = 1, test = 2
}

/// A batch of training rows: features and mask `[count, width]` row-major, labels, weights, optional
/// eta-phi images `[count, C, H, W]`, and the split of each row.
public struct TrainingBatch: Sendable {
    public var count: Int
    public var width: Int
    public var features: [Float]
    /// 1 = real value, 0 = padding.
    public var mask: [Float]
    public var labels: [Float]
    public var weights: [Float]
    public var images: [Float]?
    public var splits: [UInt8]
    public var featureNames: [String]

    /// An empty batch with room for `capacity` rows.
    init(width: Int, imagePixels: Int?, featureNames: [String], capacity: Int) {
        count = 0
        self.width = width
        features = []
        features.reserveCapacity(capacity * width)
        mask = []
        mask.reserveCapacity(capacity * width)
        labels = []
        weights = []
        splits = []
        images = imagePixels.map { _ in [] }
        self.featureNames = featureNames
    }

    var imagePixels: Int { count == 0 ? 0 : (images?.count ?? 0) / count }

    /// Appends row `i` of `other`.
    mutating func append(row i: Int, of other: TrainingBatch) {
        let w = width
        other.features.withUnsafeBufferPointer { src in
            features.append(contentsOf: UnsafeBufferPointer(rebasing: src[(i * w)..<((i + 1) * w)]))
        }
        other.mask.withUnsafeBufferPointer { src in
            mask.append(contentsOf: UnsafeBufferPointer(rebasing: src[(i * w)..<((i + 1) * w)]))
        }
        labels.append(other.labels[i])
        weights.append(other.weights[i])
        splits.append(other.splits[i])
        if let img = other.images {
            let p = other.imagePixels
            images?.append(contentsOf: img[(i * p)..<((i + 1) * p)])
        }
        count += 1
    }

    /// Rows `range` as a new batch.
    func rows(_ range: Range<Int>) -> TrainingBatch {
        var b = TrainingBatch(width: width, imagePixels: images == nil ? nil : imagePixels, featureNames: featureNames, capacity: range.count)
        for i in range { b.append(row: i, of: self) }
        return b
    }
}

/// Counters of a dataset pass, for the run summary.
public struct DatasetSummary: Sendable {
    public var eventsRead = 0
    public var eventsPassingCuts = 0
    /// Events with a jagged branch longer than its layout length (truncated, never an error).
    public var truncatedEvents = 0
    public var perSplit: [DataSplit: Int] = [:]
    public var perFile: [String: Int] = [:]
    /// The most input files open at once (never above the params' `maxOpenFiles`).
    public var peakOpenFiles = 0
}
