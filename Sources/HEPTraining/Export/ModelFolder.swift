import Foundation
import HEPInference

/// Writes a model-repository folder ready for `hepml serve` (and Triton): `config.pbtxt`, `1/model.onnx`,
/// `labels.txt`, a TFaaS `params.json` and the `specs.json` used.
public enum ModelFolder {
    public static func write(to dir: String, name: String, onnx: [UInt8], spec: NetworkSpec, specs: Specs, labels: [String],
                             description: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/1", withIntermediateDirectories: true)
        try Data(onnx).write(to: URL(fileURLWithPath: dir + "/1/model.onnx"))
        let width = specs.features?.count ?? 0
        let out = ONNXExporter.outputName(spec), outWidth = ONNXExporter.outputWidth(spec)
        var config = """
            name: "\(name)"
            platform: "onnxruntime_onnx"
            max_batch_size: 0
            input [{
              name: "\(ONNXExporter.inputName)"
              data_type: TYPE_FP32
              dims: [-1, \(width)]
            }]
            output [{
              name: "\(out)"
              data_type: TYPE_FP32
              dims: [-1, \(outWidth)]

            """
        if !labels.isEmpty { config += "  label_filename: \"labels.txt\"\n" }
        config += "}]\n"
        try config.write(toFile: dir + "/config.pbtxt", atomically: true, encoding: .utf8)
        if !labels.isEmpty { try (labels.joined(separator: "\n") + "\n").write(toFile: dir + "/labels.txt", atomically: true, encoding: .utf8) }
        var params = TFaaSParams(name: name, model: "1/model.onnx", labels: labels.isEmpty ? nil : "labels.txt", description: description)
        params.inputNode = ONNXExporter.inputName
        params.outputNode = out
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try e.encode(params).write(to: URL(fileURLWithPath: dir + "/params.json"))
        try specs.write(to: dir + "/specs.json")
    }
}
