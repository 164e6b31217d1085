import FuzzSupport
import HEPInference
import SwiftProtobuf

/// Model importers. The first byte picks the format: 0 ONNX protobuf (model, graph, initializers),
/// 1 ONNX-ML tree ensemble, 2 XGBoost JSON or UBJSON, 3 LightGBM text, 4 lwtnn JSON.
/// Imported models are evaluated on a few rows of zeros and ones, so load-time checks that let an
/// inconsistent model through show up as crashes.
@main
enum ModelsFuzzer {
    static func main() { runFuzzer { data, size in data.map { fuzzModels($0, size) } ?? 0 } }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModels(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 5 {
    case 0:
        guard let model = try? Onnx_ModelProto(serializedBytes: body) else { break }
        _ = model.graph.node.count + model.graph.initializer.count + model.opsetImport.count
        _ = ONNXTreeEnsembleImporter.isTreeEnsembleOnly(body)
    case 1:
        if let model = try? ONNXTreeEnsembleImporter.load(body) { evaluate(model) }
    case 2:
        if let model = try? XGBoostModelImporter.load(body) { evaluate(model) }
    case 3:
        if let model = try? LightGBMModelImporter.load(body) { evaluate(model) }
    default:
        guard let network = try? LWTNNNetwork(json: body) else { break }
        let steps = network.inputs.map { $0.isSequence ? 2 : 1 }
        let blocks = network.inputs.enumerated().map { i, b in [Double](repeating: 0.5, count: 2 * steps[i] * b.variables.count) }
        _ = try? network.evaluate(blocks: blocks, count: 2, steps: steps)
    }
    return 0
}

private func evaluate(_ model: TreeModel) {
    let features = model.ensemble.featureCount
    guard features >= 0, features <= 1 << 16 else { return }
    let rows = 3
    let input = (0..<(rows * features)).map { Float($0 % 2) }
    input.withUnsafeBufferPointer { _ = model.ensemble.predict($0, rows: rows) }
}
