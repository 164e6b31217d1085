import Foundation

/// Imports a Keras model — a Keras 3 `.keras` archive or a legacy `.h5` file — into the native engine.
/// Inputs are named after the input layers, outputs after the layers that produce them.
public enum KerasImporter {
    /// The model and its config JSON (for inspection).
    public struct Model {
        public var graph: NativeGraph
        public var configJSON: String
        public var kerasClass: String
    }

    /// Whether the bytes look like a Keras file: a zip archive or an HDF5 file.
    public static func looksLikeKeras(_ head: [UInt8]) -> Bool {
        head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x89, 0x48, 0x44, 0x46])
    }

    /// Whether the file at `path` is a Keras model: `.keras`/`.h5`/`.hdf5`, or zip/HDF5 content.
    public static func isKerasFile(path: String) -> Bool {
        if path.hasSuffix(".keras") || path.hasSuffix(".h5") || path.hasSuffix(".hdf5") { return true }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return looksLikeKeras([UInt8]((try? handle.read(upToCount: 8)) ?? Data()))
    }

    /// Loads the file at `path` (in a child process first when `HDF5Isolation.probeExecutable` is set).
    public static func load(path: String) throws -> Model {
        let name = (path as NSString).lastPathComponent
        try HDF5Isolation.check(path: path, name: name)
        guard let data = FileManager.default.contents(atPath: path) else { throw NativeEngineError.malformedModel("cannot read \(name)") }
        let bytes = [UInt8](data)
        return try load(bytes: bytes, name: name, archive: isZip(bytes) ? { try KerasArchive(url: URL(fileURLWithPath: path), name: name) } : nil)
    }

    public static func load(bytes: [UInt8], name: String) throws -> Model {
        try load(bytes: bytes, name: name, archive: nil)
    }

    private static func isZip(_ b: [UInt8]) -> Bool { b.starts(with: [0x50, 0x4B, 0x03, 0x04]) || b.starts(with: [0x50, 0x4B, 0x05, 0x06]) }

    /// `archive` opens a zip from its file (else from `bytes`).
    private static func load(bytes: [UInt8], name: String, archive open: (() throws -> KerasArchive)?) throws -> Model {
        let configBytes: [UInt8]
        let file: HDF5File
        let legacy: Bool
        if isZip(bytes) {
            let archive = try open?() ?? KerasArchive(bytes: bytes, name: name)
            configBytes = archive.config
            file = try HDF5File(bytes: archive.weights, name: "\(name)/model.weights.h5")
            legacy = false
        } else {
            file = try HDF5File(bytes: bytes, name: name)
            guard let config = try file.strings("", attribute: "model_config")?.first else {
                throw NativeEngineError.malformedModel("\(name): no model_config attribute (a weights-only file cannot be served)")
            }
            configBytes = Array(config.utf8)
            legacy = true
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(configBytes))
        } catch {
            throw NativeEngineError.malformedModel("\(name): the model config is not JSON")
        }
        let config = try KerasModelConfig(json: json, file: name)
        let weights = try KerasWeights(file: file, legacy: legacy, layerOrder: config.layers.map { ($0.name, $0.className) })
        var graph = try build(config, weights: weights)
        for l in config.layers { graph.sourceOpHistogram[l.className, default: 0] += 1 }
        graph.metadata = [("keras class", config.className), ("keras name", config.name),
                          ("keras layers", config.layers.map(describe).joined(separator: ", "))]
        if let version = legacy ? try file.strings("", attribute: "keras_version")?.first : nil { graph.metadata.append(("keras version", version)) }
        return Model(graph: graph, configJSON: String(decoding: configBytes, as: UTF8.self), kerasClass: config.className)
    }

    /// "lstm LSTM(8, sequences)", "hidden1 Dense(16, relu)": a layer as its config describes it.
    static func describe(_ l: KerasModelConfig.Layer) -> String {
        var facts = [String]()
        for key in ["units", "filters", "kernel_size", "pool_size", "rate", "target_shape"] {
            if let v = l.config[key] { facts.append("\(v)".replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: " ", with: "")) }
        }
        if let a = l.config["activation"] as? String, a != "linear" { facts.append(a) }
        if (l.config["return_sequences"] as? NSNumber)?.boolValue == true { facts.append("sequences") }
        if let inner = (l.config["layer"] as? [String: Any])?["class_name"] as? String { facts.append(inner) }
        return "\(l.name) \(l.className)" + (facts.isEmpty ? "" : "(\(facts.joined(separator: ", ")))")
    }

    static func build(_ config: KerasModelConfig, weights: KerasWeights) throws -> NativeGraph {
        let b = NativeGraphBuilder()
        func value(_ r: KerasModelConfig.TensorRef) -> String {
            r.node == 0 && r.tensor == 0 ? r.layer : "\(r.layer):\(r.node):\(r.tensor)"
        }
        var known = Set<String>()
        var masks = [String: String]()
        for i in config.inputs {
            b.addInput(name: i.name, value: i.name, shape: i.shape)
            known.insert(i.name)
        }
        // Layers in dependency order (a config lists them topologically, but do not rely on it).
        var pending = config.layers.flatMap { l in l.calls.enumerated().map { (layer: l, call: $0.offset, inputs: $0.element) } }
        while !pending.isEmpty {
            let before = pending.count
            var rest = [(layer: KerasModelConfig.Layer, call: Int, inputs: [KerasModelConfig.TensorRef])]()
            for p in pending {
                let ins = p.inputs.map(value)
                guard ins.allSatisfy(known.contains) else { rest.append(p); continue }
                let out = value(.init(layer: p.layer.name, node: p.call, tensor: 0))
                let translator = KerasLayerTranslator(b: b, layer: p.layer, weights: try weights.weights(of: p.layer.name), out: out)
                if let mask = try translator.translate(ins, masks: ins.map { masks[$0] }) { masks[out] = mask }
                known.insert(out)
            }
            guard rest.count < before else {
                throw NativeEngineError.malformedModel("Keras layer '\(rest[0].layer.name)' reads a tensor no layer produces")
            }
            pending = rest
        }
        for o in config.outputs {
            guard known.contains(value(o)) else { throw NativeEngineError.malformedModel("Keras output '\(o.layer)' is not produced") }
            b.addOutput(name: o.layer, value: value(o))
        }
        return try b.build()
    }
}
