import ArgumentParser
import Foundation
import HEPInference

/// `hepml model convert FILE --to onnx [-o OUT]`: writes a tree ensemble (XGBoost, LightGBM, TMVA, ONNX-ML) as an
/// ONNX-ML TreeEnsembleClassifier/Regressor, or a graph model (TensorFlow frozen graph or SavedModel, Keras) as an
/// ONNX graph, that ONNX Runtime and other ONNX servers run.
struct ModelConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert", abstract: "Convert a model file to ONNX (tree ensembles to ONNX-ML, TensorFlow/Keras graphs to ONNX).")

    @Argument(help: "Model file (XGBoost JSON/UBJSON, LightGBM text, TMVA BDT XML, ONNX-ML tree ensemble, TensorFlow .pb or SavedModel folder, Keras).")
    var file: String

    @Option(name: .long, help: "Target format: onnx.")
    var to: String

    @Option(name: .shortAndLong, help: "Output file (default: FILE with its extension replaced by .onnx).")
    var output: String?

    @Option(name: .long, help: "Platform to read the file as (default: recognised from its content and name).")
    var platform: String?

    func run() throws {
        guard to.lowercased() == "onnx" else { throw CLIError("conversion to '\(to)' is not supported (only onnx)") }
        guard FileManager.default.fileExists(atPath: file) else { throw CLIError("\(file): no such file") }
        let name = URL(fileURLWithPath: file).lastPathComponent
        var kind = platform ?? BackendFactory.platform(forPath: file)
        if kind.hasPrefix("onnxruntime") || kind == "hepml_native_onnx" { kind = "onnx" }
        let treePlatforms: Set<String> = ["xgboost", "lightgbm", "tmva", "fil", "onnx"]
        let graphPlatforms: Set<String> = ["tensorflow_graphdef", "tensorflow_savedmodel", "keras", "hepml_native"]
        if graphPlatforms.contains(kind) { return try convertGraph(name: name) }
        guard treePlatforms.contains(kind) else { throw CLIError("\(file): conversion of \(kind) models is not supported yet") }
        if kind == "onnx", !ONNXTreeEnsembleImporter.isTreeEnsembleOnly(Array(FileManager.default.contents(atPath: file) ?? Data())) {
            throw CLIError("\(file): conversion of onnx models other than ai.onnx.ml tree ensembles is not supported yet")
        }
        let bytes: [UInt8]
        do {
            let model = try TreeModelFile.load(path: file, platform: kind, name: name)
            bytes = try TreeEnsembleONNXWriter.onnx(model, producerVersion: HEPML.version)
        } catch let e as TreeModelError {
            throw CLIError("\(file): cannot convert to ONNX: \(e.message)")
        } catch {
            throw CLIError("\(file): cannot convert to ONNX: \(error)")
        }
        try write(bytes)
    }

    /// A graph model (TensorFlow frozen graph or SavedModel, Keras) loaded on the native engine and written as ONNX.
    func convertGraph(name: String) throws {
        let bytes: [UInt8]
        do {
            let backend = try NativeModelLoader.load(path: file)
            bytes = try NativeGraphONNXWriter.onnx(backend.graph, name: name, producerVersion: HEPML.version)
        } catch {
            throw CLIError("\(file): cannot convert to ONNX: \(error)")
        }
        try write(bytes)
    }

    func write(_ bytes: [UInt8]) throws {
        let out = output ?? URL(fileURLWithPath: file).deletingPathExtension().appendingPathExtension("onnx").path
        guard out != file else { throw CLIError("the output would overwrite \(file); name another with -o") }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: out))
        } catch {
            throw CLIError("\(out): cannot write (\(error.localizedDescription))")
        }
        print("wrote \(out) (\(bytes.count) bytes)")
    }
}
