import Foundation
import HEPInference
import TestSupport

/// The TensorFlow models made by scripts/make_tf_models.py (Tests/Fixtures/native/tf) and TensorFlow's outputs.
struct TFFixtureReference {
    static let directory = ModelFixtures.packageRoot + "/Tests/Fixtures/native/tf"

    struct Case {
        var inputs: [String: Tensor]
        var outputs: [String: Tensor]
    }

    let signatureInputs: [String]
    let signatureOutputs: [String]
    let pbInputs: [String]
    let pbOutputs: [String]
    let cases: [Case]

    init(_ model: String) throws {
        let all = try ModelFixtures.json("\(Self.directory)/reference.json")
        guard let models = all["models"] as? [String: Any], let m = models[model] as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        signatureInputs = m["signature_inputs"] as? [String] ?? []
        signatureOutputs = m["signature_outputs"] as? [String] ?? []
        pbInputs = m["pb_inputs"] as? [String] ?? []
        pbOutputs = m["pb_outputs"] as? [String] ?? []
        func tensors(_ d: Any?) -> [String: Tensor] {
            var out = [String: Tensor]()
            for (name, v) in d as? [String: [String: Any]] ?? [:] {
                let shape = (v["shape"] as? [Int]) ?? []
                let data = (v["data"] as? [NSNumber] ?? []).map(\.doubleValue)
                out[name] = (v["dtype"] as? String) == "float64"
                    ? Tensor(name: name, shape: shape, values: data)
                    : Tensor(name: name, shape: shape, values: data.map { Float($0) })
            }
            return out
        }
        cases = (m["cases"] as? [[String: Any]] ?? []).map { Case(inputs: tensors($0["inputs"]), outputs: tensors($0["outputs"])) }
    }

    /// Largest |got − want| / max(|want|, 1e-3) over all elements (relative, with a floor for values near 0).
    static func relativeError(_ got: Tensor, _ want: Tensor) -> Double {
        guard got.shape == want.shape else { return .infinity }
        return zip(got.doubles(), want.doubles()).map { abs($0 - $1) / max(abs($1), 1e-3) }.max() ?? 0
    }
}
