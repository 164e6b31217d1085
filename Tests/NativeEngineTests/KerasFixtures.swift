import Foundation
import HEPInference
import TestSupport

/// The Keras models of `scripts/make_keras_models.py` (Tests/Fixtures/native/keras) with Keras's and ONNX
/// Runtime's outputs.
enum KerasFixtures {
    static let directory = ModelFixtures.packageRoot + "/Tests/Fixtures/native/keras"
    static let models = ["dense", "cnn", "conv1d", "lstm", "gru", "functional", "masked"]
    static let onnxModels = models.filter { $0 != "masked" }

    static func path(_ file: String) -> String { "\(directory)/\(file)" }

    struct Case {
        var inputs: [Tensor]
        var kerasOutputs: [Tensor]
        var onnxOutputs: [Tensor]
    }

    static func reference(_ model: String) throws -> Case {
        let all = try ModelFixtures.json(path("reference.json"))
        guard let entry = all[model] as? [String: Any] else { throw CocoaError(.fileReadCorruptFile) }
        func tensors(_ key: String) throws -> [Tensor] {
            try (entry[key] as? [[String: Any]] ?? []).map { t in
                let shape = (t["shape"] as? [NSNumber] ?? []).map(\.intValue)
                let values = (t["data"] as? [NSNumber] ?? []).map(\.doubleValue)
                return try Tensor.from(doubles: values, name: t["name"] as? String ?? "", datatype: .FP32, shape: shape)
            }
        }
        return Case(inputs: try tensors("inputs"), kerasOutputs: try tensors("outputs"), onnxOutputs: try tensors("onnx_outputs"))
    }

    /// Largest |a − b| / max(1, |b|) over all outputs (infinity when names or shapes differ).
    static func relativeDifference(_ got: [Tensor], _ want: [Tensor]) -> Double {
        guard got.count == want.count else { return .infinity }
        var worst = 0.0
        for (x, y) in zip(got, want) {
            guard x.shape == y.shape, x.name == y.name else { return .infinity }
            for (p, q) in zip(x.doubles(), y.doubles()) { worst = max(worst, abs(p - q) / max(1, abs(q))) }
        }
        return worst
    }
}
