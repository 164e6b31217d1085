import Foundation

/// The state of one model version in the repository.
public struct ModelVersionState: Sendable, Equatable {
    public var version: Int
    /// `READY`, `UNAVAILABLE` or `UNLOADED` (Triton's names).
    public var state: String
    public var reason: String
}

/// Everything loaded from one model folder.
struct ModelFolder: Sendable {
    var versions: [Int: LoadedModel] = [:]
    var states: [ModelVersionState] = []
    var tags: [String: Int] = [:]
    var layout: String = ""
}

/// Reads a model folder in any of the three layouts: Triton (`config.pbtxt` + numeric versions), bare
/// numeric versions with `model.onnx`, or TFaaS (`params.json` + model file + labels).
enum ModelLoader {
    static func read(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    static func isDirectory(_ path: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
    }

    /// Non-empty lines of a labels file.
    static func labels(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map { String($0) }.filter { !$0.isEmpty }
    }

    /// Loads the folder `dir` as model `name`. Per-version failures become UNAVAILABLE states with the reason;
    /// a folder that is not a model at all throws. Every file is reached through `ModelFolderPath`.
    static func load(dir: String, name: String, factory: BackendFactory) throws -> ModelFolder {
        let files = try ModelFolderPath(folder: dir, model: name)
        var folder = ModelFolder()
        folder.tags = try readTags(files)
        let paramsBytes = try files.resolveIfPresent("params.json", what: "params.json").flatMap(read)
        let configPath = try files.resolveIfPresent("config.pbtxt", what: "config.pbtxt")
        if let paramsBytes, configPath == nil {
            folder.layout = "tfaas"
            let params = try TFaaSParams.parse(paramsBytes, file: "\(name)/params.json")
            let labels = try params.labels.map { try labelsFile(files, $0, what: "params.json 'labels'") } ?? nil
            do {
                let path = try files.resolve(params.model, what: "params.json 'model'")
                let platform = BackendFactory.platform(forPath: path)
                let backend = try factory.backend(platform: platform, path: path)
                var config = ModelConfigFile.derived(name: name, platform: platform, signature: backend.signature)
                if let labelsName = params.labels, !config.output.isEmpty { config.output[0].labelFilename = labelsName }
                folder.versions[1] = LoadedModel(name: name, version: 1, config: config, signature: backend.signature, backend: backend,
                                                 labels: labels ?? (backend as? ModelDescribable)?.summary.outputLabels.first?.labels,
                                                 tfaasParams: params, paramsJSON: paramsBytes)
                folder.states = [ModelVersionState(version: 1, state: "READY", reason: "")]
            } catch {
                folder.states = [ModelVersionState(version: 1, state: "UNAVAILABLE", reason: "\(error)")]
            }
            return folder
        }
        let configText = configPath.flatMap(read).map { String(decoding: $0, as: UTF8.self) }
        var config = try configText.map { try ModelConfigFile.parse($0, file: "\(name)/config.pbtxt") }
        if config != nil, config!.name.isEmpty { config!.name = name }
        if let c = config, c.name != name {
            throw InferenceError.invalidInput("\(name)/config.pbtxt names the model '\(c.name)', but its folder is '\(name)'")
        }
        folder.layout = config == nil ? "versions" : "triton"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: files.realFolder)) ?? []
        let available = entries.compactMap { Int($0) }.filter { $0 >= 0 && isDirectory(files.realFolder + "/\($0)") }.sorted()
        guard !available.isEmpty else {
            throw InferenceError.invalidInput("\(name): no params.json and no numeric version folders (e.g. \(name)/1/model.onnx)")
        }
        let selected = select(available, policy: config?.versionPolicy)
        for v in available where !selected.contains(v) {
            folder.states.append(ModelVersionState(version: v, state: "UNLOADED", reason: "excluded by version_policy"))
        }
        for v in selected {
            let file = config.map {
                $0.defaultModelFilename.isEmpty ? BackendFactory.defaultModelFilename(platform: BackendFactory.platform(config: $0)) : $0.defaultModelFilename
            } ?? defaultFile(files, version: v)
            do {
                guard (try? ModelName.safeRelativePath(file)) != nil else {
                    throw InferenceError.invalidInput(
                        "model '\(name)': default_model_filename must be a relative path inside the version folder (no '..', not absolute)")
                }
                let path = try files.resolve("\(v)/\(file)", what: "default_model_filename")
                let platform = config.map { BackendFactory.platform(config: $0) } ?? BackendFactory.platform(forPath: path)
                let backend = try factory.backend(platform: platform, path: path)
                let effective = config.map { ModelConfigFile.completing($0, from: backend.signature) }
                    ?? ModelConfigFile.derived(name: name, platform: platform, signature: backend.signature)
                let signature = config == nil ? backend.signature : try ModelConfigFile.signature(of: effective)
                try checkCompatible(declared: signature, backend: backend.signature, model: name)
                let labelFile = effective.output.first { !$0.labelFilename.isEmpty }?.labelFilename
                let labels = try labelFile.map { try labelsFile(files, $0, what: "label_filename") } ?? nil
                let extra = paramsBytes.flatMap { try? TFaaSParams.parse($0, file: name) }
                folder.versions[v] = LoadedModel(name: name, version: v, config: effective, signature: signature, backend: backend,
                                                 labels: labels, tfaasParams: extra, paramsJSON: extra == nil ? nil : paramsBytes)
                folder.states.append(ModelVersionState(version: v, state: "READY", reason: ""))
            } catch {
                folder.states.append(ModelVersionState(version: v, state: "UNAVAILABLE", reason: "\(error)"))
            }
        }
        folder.states.sort { $0.version < $1.version }
        for (tag, v) in folder.tags where !available.contains(v) {
            throw InferenceError.invalidInput("\(name)/tags.json: tag '\(tag)' points at version \(v), which does not exist")
        }
        return folder
    }

    /// A version folder without config.pbtxt: `model.onnx`, else the first of a `model.savedmodel` folder, a
    /// `model.keras` or a `model.h5` that is there.
    static func defaultFile(_ files: ModelFolderPath, version v: Int) -> String {
        func exists(_ file: String) -> Bool { ((try? files.resolveIfPresent("\(v)/\(file)", what: file)) ?? nil) != nil }
        if exists("model.onnx") { return "model.onnx" }
        return ["model.savedmodel", "model.keras", "model.h5"].first(where: exists) ?? "model.onnx"
    }

    /// The labels a configuration names; nil when the file is missing (labels are optional).
    static func labelsFile(_ files: ModelFolderPath, _ file: String, what: String) throws -> [String]? {
        try files.resolveIfPresent(file, what: what).flatMap(read).map(labels)
    }

    /// Versions selected by a Triton version policy (default: the latest one).
    static func select(_ available: [Int], policy: Inference_ModelVersionPolicy?) -> [Int] {
        switch policy?.policyChoice {
        case .all?: return available
        case let .specific(s)?: return available.filter { s.versions.contains(Int64($0)) }
        case let .latest(l)?: return Array(available.suffix(Int(max(1, l.numVersions))))
        case nil: return Array(available.suffix(1))
        }
    }

    /// The declared signature must name the model's real inputs and outputs with the same types.
    static func checkCompatible(declared: ModelSignature, backend: ModelSignature, model: String) throws {
        for d in declared.inputs {
            guard let b = backend.inputs.first(where: { $0.name == d.name }) else {
                throw InferenceError.invalidInput("\(model): config input '\(d.name)' is not an input of the model (\(backend.inputs.map(\.name)))")
            }
            guard b.datatype == d.datatype else {
                throw InferenceError.invalidInput("\(model): config input '\(d.name)' is \(d.datatype.rawValue), the model says \(b.datatype.rawValue)")
            }
        }
        for d in declared.outputs where !backend.outputs.contains(where: { $0.name == d.name }) {
            throw InferenceError.invalidInput("\(model): config output '\(d.name)' is not an output of the model")
        }
    }

    /// `tags.json`: `{"production": 2, "staging": "3"}`.
    static func readTags(_ files: ModelFolderPath) throws -> [String: Int] {
        guard let b = try files.resolveIfPresent("tags.json", what: "tags.json").flatMap(read) else { return [:] }
        guard let obj = try? JSONSerialization.jsonObject(with: Data(b)) as? [String: Any] else {
            throw InferenceError.invalidInput("\(files.model)/tags.json is not a JSON object of tag → version")
        }
        var tags: [String: Int] = [:]
        for (k, v) in obj {
            if let n = v as? Int { tags[k] = n } else if let s = v as? String, let n = Int(s) { tags[k] = n } else {
                throw InferenceError.invalidInput("\(files.model)/tags.json: tag '\(k)' must map to a version number")
            }
        }
        return tags
    }
}
