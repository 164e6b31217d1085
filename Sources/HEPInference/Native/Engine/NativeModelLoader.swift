import Foundation

/// Loads a model file into the native engine, choosing the importer by content, and maps engine errors to
/// inference errors (a bad or unsupported model is "unavailable" with the reason; no internal paths).
public enum NativeModelLoader {
    public static func load(path: String) throws -> NativeGraphBackend {
        let file = (path as NSString).lastPathComponent
        do {
            if KerasImporter.isKerasFile(path: path) {
                let model = try KerasImporter.load(path: path)
                return NativeGraphBackend(graph: model.graph, format: "Keras \(path.hasSuffix(".keras") ? "3 (.keras)" : "HDF5 (.h5)")")
            }
            if let dir = TFSavedModelImporter.directory(of: path) {
                return NativeGraphBackend(graph: try TFSavedModelImporter.load(directory: dir), format: "TensorFlow SavedModel")
            }
            if ModelFileKind.detect(path: path) == .onnx {
                return NativeGraphBackend(graph: try ONNXGraphImporter.load(path: path), format: "ONNX (native engine)")
            }
            return NativeGraphBackend(graph: try TFGraphImporter.load(path: path), format: "TensorFlow GraphDef")
        } catch let e as NativeEngineError {
            throw InferenceError.unavailable("\(file): \(e)")
        }
    }
}
