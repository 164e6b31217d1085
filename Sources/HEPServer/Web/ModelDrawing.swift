import Foundation
import HEPInference
import Synchronization

/// What the model page shows about a model's structure: the SVG drawing of its graph and, for ONNX files,
/// the header facts. Made from the model file on disk (ONNX) or from the backend's summary (trees, lwtnn).
struct ModelDrawing: Sendable {
    var svg: String
    var caption: String
    var note: String?
    var onnx: ONNXModelFacts?

    /// ONNX files larger than this are not parsed for drawing (the summary graph is shown instead).
    static let maxONNXBytes = 256 << 20
    static let maxOperators = 3000

    init(model m: LoadedModel, repositoryRoot: String) {
        let summary = (m.backend as? ModelDescribable)?.summary
        var graph: ModelGraph?
        var note: String?
        if let path = ModelFileLocator.path(repositoryRoot: repositoryRoot, model: m), Self.looksLikeONNX(path: path, platform: m.platform) {
            switch Self.readONNX(path) {
            case let .success(proto):
                onnx = ONNXModelFacts(proto)
                let g = ModelGraph(onnx: proto, maxOperators: Self.maxOperators)
                if g.note == nil { graph = g } else { note = g.note }
            case let .failure(reason):
                note = reason
            }
        }
        let drawn = graph ?? ModelGraph(signature: m.signature, platform: m.platform, summary: summary, note: note)
        self.note = drawn.note
        svg = GraphSVG.render(drawn, title: "Graph of model \(m.name) version \(m.version)")
        let ops = drawn.nodes.filter { $0.kind != .input && $0.kind != .output }.count
        caption = graph != nil ? "\(ops) operators, top-down from the inputs to the outputs (hover a box for its name and tensors)."
            : "The model as one block between its inputs and outputs (\(summary?.format ?? m.platform))."
    }

    static func looksLikeONNX(path: String, platform: String) -> Bool {
        path.hasSuffix(".onnx") || platform.contains("onnx")
    }

    enum ReadResult {
        case success(Onnx_ModelProto)
        case failure(String)
    }

    static func readONNX(_ path: String) -> ReadResult {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= maxONNXBytes else { return .failure("the ONNX file is \(size >> 20) MiB; graphs are drawn for files up to \(maxONNXBytes >> 20) MiB") }
        guard let data = FileManager.default.contents(atPath: path) else { return .failure("the model file could not be read") }
        do {
            return .success(try Onnx_ModelProto(serializedBytes: data))
        } catch {
            return .failure("the model file is not a readable ONNX model")
        }
    }
}

/// Drawings per loaded model version, kept while that `LoadedModel` is the one served (a reload or upload
/// makes a new object, so a stale drawing is never shown). At most `capacity` entries.
final class ModelDrawingCache: Sendable {
    struct Entry: Sendable {
        weak var model: LoadedModel?
        let drawing: ModelDrawing
    }

    private let entries = Mutex<[String: Entry]>([:])
    let capacity: Int

    init(capacity: Int = 64) { self.capacity = capacity }

    func drawing(for m: LoadedModel, make: () -> ModelDrawing) -> ModelDrawing {
        let key = m.name + "\u{0}" + String(m.version)
        if let hit = entries.withLock({ $0[key] }), hit.model === m { return hit.drawing }
        let d = make()
        entries.withLock { e in
            e = e.filter { $0.value.model != nil }
            if e.count >= capacity { e.removeAll() }
            e[key] = Entry(model: m, drawing: d)
        }
        return d
    }
}
