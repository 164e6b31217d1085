import Foundation
import HEPTraining

/// `hepml_dataset_stream`: a training dataset pass as Arrow record batches {X, mask, y, w[, images][, split]}
/// whose buffers are the batch's own arrays (`split`, uint8 0/1/2 for train/validation/test, only in a pass
/// over all splits).
enum DatasetStream {
    static func dataset(params: String, specs: String) throws -> TrainingDataset {
        let p = try TrainingParams.parse(text: params, file: "params")
        let s: Specs
        do {
            s = try JSONDecoder().decode(Specs.self, from: Data(specs.utf8))
        } catch {
            throw InvalidArgument("specs: not a hepml specs JSON (\(error))")
        }
        return try TrainingDataset(params: p, specs: s)
    }

    static func encode(_ specs: Specs) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(specs), as: UTF8.self)
    }

    static func info(_ ds: TrainingDataset) throws -> String {
        var d: [String: Any] = ["features": ds.layout.featureNames, "width": ds.layout.width]
        if let image = ds.params.image {
            d["image"] = [image.channels.count, image.height, image.width]
        } else {
            d["image"] = NSNull()
        }
        return try Metadata.json(d)
    }

    static func schema(_ ds: TrainingDataset, withSplit: Bool) -> ArrowField {
        var fields = [ArrowField.floatVector(name: "X", width: ds.layout.width), ArrowField.floatVector(name: "mask", width: ds.layout.width),
                      ArrowField(name: "y", format: "f"), ArrowField(name: "w", format: "f")]
        if let image = ds.params.image { fields.append(.floatVector(name: "images", width: image.pixelsPerEvent)) }
        if withSplit { fields.append(ArrowField(name: "split", format: "C")) }
        return .record(fields)
    }

    static func make(_ ds: TrainingDataset, split: DataSplit?, shard: DatasetShard?) -> ArrowStreamState {
        let state = ArrowStreamState(schema: schema(ds, withSplit: split == nil))
        let width = ds.layout.width
        let pixels = ds.params.image?.pixelsPerEvent
        state.start { send in
            try await ds.forEachBatch(split: split, shard: shard) { b in
                let n = b.count
                var children = [
                    vector(b.features, rows: n, width: width), vector(b.mask, rows: n, width: width),
                    ColumnArrays.primitive(b.labels), ColumnArrays.primitive(b.weights),
                ]
                if let pixels, let images = b.images { children.append(vector(images, rows: n, width: pixels)) }
                if split == nil { children.append(ColumnArrays.primitive(b.splits)) }
                try await send(.record(length: n, children: children))
            }
        }
        return state
    }

    /// `FixedSizeList<float32>[width]` over a row-major `[rows, width]` array.
    static func vector(_ values: [Float], rows: Int, width: Int) -> ArrowNode {
        ArrowNode(length: Int64(rows), buffers: [nil], children: [ColumnArrays.primitive(values)])
    }
}
