import ArgumentParser
import Dispatch
import Foundation
import HEPInference

/// `hepml bench-trees`: time the native tree-ensemble backend on one model (benchmark helper for bench/tree_bench.py).
struct BenchTreesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-trees", abstract: "Time the native tree-ensemble backend (microseconds per call).", shouldDisplay: false)

    @Argument(help: "A model file (XGBoost JSON/UBJSON, LightGBM text, TMVA XML, ONNX-ML tree ensemble).") var model: String
    @Option(name: .long, help: "xgboost, lightgbm, tmva or onnx (default: by content).") var platform: String?
    @Option(name: .long, help: "Rows per call.") var batch: Int = 1
    @Option(name: .long, help: "Timed calls.") var iterations: Int = 10_000
    @Option(name: .long, help: "Raw little-endian float32 rows (features wide) to take the batch from.") var input: String?
    @Flag(name: .long, help: "Each call takes the next rows of the input (up to 1,000 different batches), not the same rows.")
    var successiveRows = false

    func run() throws {
        let detected = TreeModelFile.platform(of: TreeModelFile.head(model), fileName: model) ?? "onnx"
        let backend = TreeEnsembleBackend(model: try TreeModelFile.load(path: model, platform: platform ?? detected, name: model))
        let features = backend.model.ensemble.featureCount
        var pool: [Float]
        if let input, let data = FileManager.default.contents(atPath: input) {
            pool = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        } else {
            var state: UInt64 = 12345
            pool = (0..<(features * 1024)).map { _ in
                state = state &* 6364136223846793005 &+ 1
                return Float(state >> 40) / Float(1 << 24) * 4 - 2
            }
        }
        guard pool.count >= features else { throw ValidationError("input holds fewer than \(features) values") }
        let poolValues = pool.count - pool.count % features
        let distinct = successiveRows ? max(1, min(1000, poolValues / features / max(1, batch))) : 1
        let inputs = (0..<distinct).map { k in
            let values = (0..<(batch * features)).map { pool[(k * batch * features + $0) % poolValues] }
            return Tensor(name: backend.signature.inputs[0].name, shape: [batch, features], values: values)
        }
        let outputs = [backend.signature.outputs.first { $0.name != "label" }?.name ?? backend.signature.outputs[0].name]
        for i in 0..<min(100, iterations) { _ = try backend.infer([inputs[i % distinct]], outputs: outputs) }
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<iterations { _ = try backend.infer([inputs[i % distinct]], outputs: outputs) }
        let us = Double(DispatchTime.now().uptimeNanoseconds - start) / 1000 / Double(iterations)
        print("{\"tool\":\"hepml-trees\",\"batch\":\(batch),\"us_per_call\":\(us),\"rows_per_s\":\(Double(batch) / us * 1e6)}")
    }
}
