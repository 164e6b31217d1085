import ArgumentParser
import Foundation
import HEPInference

/// `hepml model`: work with model files outside a server.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Work with model files (inspect, convert).",
        subcommands: [ModelInspectCommand.self, ModelConvertCommand.self])
}

/// `hepml model inspect FILE`: platform, input and output tensors, labels and what the format tells about the
/// model (lwtnn variable names, layers; for other backends whatever their `ModelSummary` holds).
struct ModelInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Show a model file's platform, inputs, outputs, labels and variables.")

    @Argument(help: "Model file (.onnx, lwtnn .json, ...).")
    var file: String

    @Option(name: .long, help: "Platform to load the file with (default: recognised from its content and name).")
    var platform: String?

    @Option(name: .long, help: "Path of libonnxruntime.so (ONNX models).")
    var ortLibrary: String?

    func run() async throws {
        guard FileManager.default.fileExists(atPath: file) else { throw CLIError("\(file): no such file") }
        let platform = platform ?? BackendFactory.platform(forPath: file)
        let backend: any InferenceBackend
        do {
            backend = try BackendFactory.standard(ortLibrary: ortLibrary).backend(platform: platform, path: file)
        } catch {
            throw CLIError("\(file): cannot load as '\(platform)': \(error)")
        }
        let summary = (backend as? ModelDescribable)?.summary
        for line in Self.describe(file: file, platform: platform, signature: backend.signature, summary: summary) {
            print(line)
        }
    }

    /// The report lines (kept apart from loading so the layout is one place).
    static func describe(file: String, platform: String, signature: ModelSignature, summary: ModelSummary?) -> [String] {
        var lines = ["file      \(file)", "platform  \(platform)"]
        if let summary {
            lines.append("format    \(summary.format)")
            for item in summary.items { lines.append("\(item.name): \(item.value)") }
        }
        func tensor(_ s: TensorSpec) -> String { "  \(s.name)  \(s.datatype.rawValue) \(s.shape)" }
        lines.append("inputs (\(signature.inputs.count)):")
        for s in signature.inputs {
            lines.append(tensor(s))
            if let names = summary?.inputVariables.first(where: { $0.tensor == s.name })?.names, !names.isEmpty {
                lines.append("    variables (\(names.count)):")
                for (i, n) in names.enumerated() { lines.append("      \(i)  \(n)") }
            }
        }
        lines.append("outputs (\(signature.outputs.count)):")
        for s in signature.outputs {
            var line = tensor(s)
            if let labels = summary?.outputLabels.first(where: { $0.tensor == s.name })?.labels, !labels.isEmpty {
                line += "  labels: " + labels.joined(separator: ", ")
            }
            lines.append(line)
        }
        return lines
    }
}
