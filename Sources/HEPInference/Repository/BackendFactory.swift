/// Creates backends for model files by platform.
public struct BackendFactory: Sendable {
    /// ONNX Runtime, when its library could be loaded (nil: ONNX models are unavailable with the reason).
    public let onnxEnvironment: ORTEnvironment?
    public let onnxUnavailableReason: String?
    public let intraOpThreads: Int

    public init(onnxEnvironment: ORTEnvironment?, onnxUnavailableReason: String? = nil, intraOpThreads: Int = 1) {
        self.onnxEnvironment = onnxEnvironment
        self.onnxUnavailableReason = onnxUnavailableReason
        self.intraOpThreads = intraOpThreads
    }

    /// Tries to load ONNX Runtime (explicit path, `HEPML_ORT_LIBRARY`, or `.deps/onnxruntime`).
    public static func standard(ortLibrary: String? = nil, intraOpThreads: Int = 1) -> BackendFactory {
        do {
            let env = try ORTEnvironment(library: try ORTLibrary(path: ortLibrary))
            return BackendFactory(onnxEnvironment: env, intraOpThreads: intraOpThreads)
        } catch {
            return BackendFactory(onnxEnvironment: nil, onnxUnavailableReason: "\(error)", intraOpThreads: intraOpThreads)
        }
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
        TreeModelFile.platform(of: TreeModelFile.head(path), fileName: path)
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
        case "tensorflow_graphdef", "hepml_native":
            // TensorFlow frozen graphs run on hepml's own engine.
            return try NativeModelLoader.load(path: path)
        default:
            throw InferenceError.unsupported("platform '\(platform)' is not supported (\(path))")
        }
    }
}
