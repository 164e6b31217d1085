import Foundation

/// Writes a dataset as NumPy arrays: `X.npy` `[N, F]` float32, `mask.npy` `[N, F]` float32 (1 = real value),
/// `y.npy` `[N]`, `w.npy` `[N]`, `split.npy` `[N]` uint8 (0 train, 1 validation, 2 test), `images.npy`
/// `[N, C, H, W]` with an image layout, plus `features.json` naming the columns.
public enum DatasetExporter {
    public struct Result: Sendable {
        public var rows: Int
        public var files: [String]
        public var summary: DatasetSummary
    }

    public static func export(_ dataset: TrainingDataset, to dir: String, npz: Bool) async throws -> Result {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let w = dataset.layout.width
        let x = try NPYWriter(path: dir + "/X.npy", descr: "<f4", rowShape: [w])
        let mask = try NPYWriter(path: dir + "/mask.npy", descr: "<f4", rowShape: [w])
        let y = try NPYWriter(path: dir + "/y.npy", descr: "<f4", rowShape: [])
        let weights = try NPYWriter(path: dir + "/w.npy", descr: "<f4", rowShape: [])
        let split = try NPYWriter(path: dir + "/split.npy", descr: "|u1", rowShape: [])
        let image = dataset.params.image
        let images = try image.map { try NPYWriter(path: dir + "/images.npy", descr: "<f4", rowShape: [$0.channels.count, $0.height, $0.width]) }
        for try await b in dataset.batches(split: nil) {
            try x.append(b.features, rows: b.count)
            try mask.append(b.mask, rows: b.count)
            try y.append(b.labels, rows: b.count)
            try weights.append(b.weights, rows: b.count)
            try split.append(b.splits, rows: b.count)
            if let img = b.images { try images?.append(img, rows: b.count) }
        }
        var writers = [x, mask, y, weights, split]
        if let images { writers.append(images) }
        for wr in writers { try wr.finish() }
        var sidecar: [String: Any] = [
            "features": dataset.layout.featureNames, "rows": x.rows, "mask": "1 = real value, 0 = padding",
            "split": ["0": "train", "1": "validation", "2": "test"], "tree": dataset.params.tree,
            "files": dataset.params.files.map { ["path": $0.path, "label": $0.label as Any, "weight": $0.weight] },
            "truncated_events": dataset.summary.truncatedEvents,
        ]
        if let image {
            sidecar["image"] = ["shape": [image.channels.count, image.height, image.width],
                                "channels": image.channels.map { "\($0.value)(\($0.x),\($0.y))" }]
        }
        let json = try JSONSerialization.data(withJSONObject: sidecar, options: [.prettyPrinted, .sortedKeys])
        try json.write(to: URL(fileURLWithPath: dir + "/features.json"))
        var files = writers.map(\.path) + [dir + "/features.json"]
        if npz {
            try NPZArchive.write(writers.map { (($0.path as NSString).lastPathComponent, $0.path) }, to: dir + "/data.npz")
            files.append(dir + "/data.npz")
        }
        return Result(rows: x.rows, files: files, summary: dataset.summary)
    }
}
