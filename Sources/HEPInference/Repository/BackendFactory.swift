import Foundation

/// Creates backends for model files by platform.
public struct BackendFactory: Sendable {
    private let ort: ORTLoader
    public let intraOpThreads: Int

    /// ONNX Runtime, when its library could be loaded (nil: ONNX models are unavailable with the reason). With
    /// `standard`, the library is loaded on first use: a server with only native models never maps it.
    public var onnxEnvironment: ORTEnvironment? { ort.environment.0 }
    public var onnxUnavailableReason: String? { ort.environment.1 }

    public init(onnxEnvironment: ORTEnvironment?, onnxUnavailableReason: String? = nil, intraOpThreads: Int = 1) {
        ort = ORTLoader(loaded: (onnxEnvironment, onnxUnavailableReason))
        self.intraOpThreads = intraOpThreads
    }

    /// ONNX Runtime from an explicit path, `HEPML_ORT_LIBRARY`, or `.deps/onnxruntime`, loaded when the first
    /// ONNX model needs it.
    public static func standard(ortLibrary: String? = nil, intraOpThreads: Int = 1) -> BackendFactory {
        BackendFactory(ort: ORTLoader { try ORTEnvironment(library: try ORTLibrary(path: ortLibrary)) }, intraOpThreads: intraOpThreads)
    }

    private init(ort: ORTLoader, intraOpThreads: Int) {
        self.ort = ort
        self.intraOpThreads = intraOpThreads
    }

    /// The platform name a model file implies from its extension.
    public static func platform(forFile file: String) -> String {
        if file.hasSuffix(".onnx") { return "onnxruntime_onnx" }
        if file.hasSuffix(".pb") { return "tensorflow_graphdef" }
        if file.hasSuffix(".json") { return "lwtnn" }
        if file.hasSuffix(".keras") || file.hasSuffix(".h5") || file.hasSuffix(".hdf5") { return "keras" }
        return "unknown"
    }

    /// The platform of the model file at `path`, by content (lwtnn vs XGBoost JSON, ...), else by extension.
    public static func platform(forPath path: String) -> String {
        if TFSavedModelImporter.directory(of: path) != nil { return "tensorflow_savedmodel" }
        return TreeModelFile.platform(of: TreeModelFile.head(path), fileName: path)
            ?? ModelFileKind.detect(path: path).platform ?? platform(forFile: path)
    }

    /// The platform a Triton configuration selects: `platform`, else `backend` (Triton's `fil` included); an ONNX
    /// model with `parameters { key: "backend" value: { string_value: "hepml_native" } }` (or "native") runs on
    /// hepml's native tree-ensemble evaluator or graph engine.
    public static func platform(config c: Inference_ModelConfig) -> String {
        let p = c.platform.isEmpty ? (c.backend == "onnxruntime" ? "onnxruntime_onnx" : c.backend) : c.platform
        if p.hasPrefix("onnxruntime"), ["hepml_native", "native"].contains(c.parameters["backend"]?.stringValue) { return "hepml_native_onnx" }
        return p
    }

    /// Triton's default model file name in a version folder for `platform`.
    public static func defaultModelFilename(platform: String) -> String {
        switch platform {
        case "tensorflow_savedmodel": return "model.savedmodel"
        case "tensorflow_graphdef": return "model.graphdef"
        case "keras": return "model.keras"
        default: return "model.onnx"
        }
    }

    /// Loads `path` for `platform`.
    public func backend(platform: String, path: String) throws -> any InferenceBackend {
        switch platform {
        case "onnxruntime_onnx", "onnxruntime":
            guard let env = onnxEnvironment else {
                throw InferenceError.unavailable(onnxUnavailableReason ?? "ONNX Runtime is not available")
            }
            return try ORTSession(environment: env, path: path, intraOpThreads: intraOpThreads)
        case "lwtnn":
            // `.json` files default to lwtnn; an XGBoost JSON model goes to its own backend.
            if ModelFileKind.detect(path: path) == .xgboostJSON { return try backend(platform: "xgboost", path: path) }
            return try LWTNNBackend(path: path)
        case "xgboost", "lightgbm", "fil", "tmva":
            let name = path.split(separator: "/").suffix(2).joined(separator: "/")
            return TreeEnsembleBackend(model: try TreeModelFile.load(path: path, platform: platform, name: name))
        case "hepml_native_onnx":
            // An ONNX model pinned to hepml's own backends (config.pbtxt backend "hepml_native" or "native"): one
            // ai.onnx.ml tree ensemble on the tree evaluator, any other graph on the native graph engine.
            let name = path.split(separator: "/").suffix(2).joined(separator: "/")
            if let trees = try? TreeModelFile.load(path: path, platform: "onnx", name: name) { return TreeEnsembleBackend(model: trees) }
            return try NativeModelLoader.load(path: path)
        case "keras":
            // Keras .keras archives and legacy .h5 files run on hepml's own engine.
            return try NativeModelLoader.load(path: path)
        case "tensorflow_graphdef", "tensorflow_savedmodel", "hepml_native":
            // TensorFlow frozen graphs and SavedModels run on hepml's own engine.
            return try NativeModelLoader.load(path: path)
        default:
            throw InferenceError.unsupported("platform '\(platform)' is not supported (\(path))")
        }
    }
}

/// Loads ONNX Runtime once, on first use, and remembers the environment or why it failed.
final class ORTLoader: @unchecked Sendable {
    private let lock = NSLock()
    private var loaded: (ORTEnvironment?, String?)?
    private let load: (@Sendable () throws -> ORTEnvironment)?

    init(loaded: (ORTEnvironment?, String?)) {
        self.loaded = loaded
        load = nil
    }

    init(_ load: @escaping @Sendable () throws -> ORTEnvironment) {
        self.load = load
    }

    var environment: (ORTEnvironment?, String?) {
        lock.lock()
        defer { lock.unlock() }
        if let loaded { return loaded }
        let result: (ORTEnvironment?, String?)
        do {
            result = (try load?(), nil)
        } catch {
            result = (nil, "\(error)")
        }
        loaded = result
        return result
    }
}
