import Foundation
import HEPInference

/// Shared test models and their reference inputs/outputs (`../shared/testdata/models`), for the test targets.
public enum ModelFixtures {
    public static let packageRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/TestSupport/ModelFixtures.swift
        return parts.joined(separator: "/")
    }()

    public static let modelsDirectory = packageRoot + "/../shared/testdata/models"
    public static let tritonRepository = packageRoot + "/../shared/testdata/triton-repository"

    public static let onnxModels = ["deepdoublex-bvl", "deepjet-run3", "particlenet-ak4-hlt", "particlenet-ak4-sonic",
                             "sklearn-gbdt", "sklearn-mlp", "xgboost-bdt", "tfaas-dense42"]

    /// One ONNX Runtime environment for the whole test process.
    public static let environment: ORTEnvironment = {
        do { return try ORTEnvironment(library: try ORTLibrary(path: packageRoot + "/" + ORTLibrary.defaultRelativePath)) }
        catch { fatalError("ONNX Runtime is required for these tests (run scripts/setup): \(error)") }
    }()

    public struct Reference: Sendable {
        public var inputs: [Tensor]
        public var outputs: [Tensor]
        public var absTolerance: Double
        public var relTolerance: Double
    }

    public static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    public static func tensors(_ list: Any?) throws -> [Tensor] {
        try (list as? [[String: Any]] ?? []).map { t in
            let dt = TensorDataType(name: t["datatype"] as! String)!
            let shape = (t["shape"] as! [Any]).map { ($0 as! NSNumber).intValue }
            let values = (t["data"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
            return try Tensor.from(doubles: values, name: t["name"] as! String, datatype: dt, shape: shape)
        }
    }

    /// The KServe-shaped reference of an ONNX model (dense42's is converted from its TFaaS form).
    public static func reference(_ model: String) throws -> Reference {
        let d = try json("\(modelsDirectory)/\(model)/reference.json")
        let tol = d["tolerance"] as? [String: Any]
        let abs = (tol?["abs"] as? NSNumber)?.doubleValue ?? 1e-5
        let rel = (tol?["rel"] as? NSNumber)?.doubleValue ?? 1e-4
        if model == "tfaas-dense42" {
            let rows = (d["inputs"] as! [[NSNumber]]).map { $0.map(\.doubleValue) }
            let outs = (d["outputs"] as! [[NSNumber]]).map { $0.map(\.doubleValue) }
            return Reference(
                inputs: [try Tensor.from(doubles: rows.flatMap { $0 }, name: "x", datatype: .FP32, shape: [rows.count, rows[0].count])],
                outputs: [try Tensor.from(doubles: outs.flatMap { $0 }, name: "", datatype: .FP32, shape: [outs.count, outs[0].count])],
                absTolerance: abs, relTolerance: rel)
        }
        return Reference(inputs: try tensors(d["inputs"]), outputs: try tensors(d["outputs"]), absTolerance: abs, relTolerance: rel)
    }

    /// Whether `got` matches `expected` within the tolerances (|a-b| <= abs + rel*|b|).
    public static func close(_ got: Tensor, _ expected: Tensor, abs: Double, rel: Double) -> Bool {
        guard got.shape == expected.shape else { return false }
        let a = got.doubles(), b = expected.doubles()
        return a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= abs + rel * Swift.abs($1) }
    }
}
