import HEPInference

/// The model file a loaded version was read from, found the way the repository loader finds it: the
/// TFaaS layout's `params.json` `model`, else `<version>/<default_model_filename or model.onnx>`; resolved
/// inside the model folder (no escaping through links).
enum ModelFileLocator {
    static func path(repositoryRoot: String, model m: LoadedModel) -> String? {
        guard let files = try? ModelFolderPath(folder: repositoryRoot + "/" + m.name, model: m.name) else { return nil }
        let hasConfig = (try? files.resolveIfPresent("config.pbtxt", what: "config.pbtxt")) != nil
        if !hasConfig, let params = m.tfaasParams, (try? files.resolveIfPresent("params.json", what: "params.json")) != nil {
            return try? files.resolveIfPresent(params.model, what: "params.json 'model'")
        }
        let file = m.config.defaultModelFilename.isEmpty ? "model.onnx" : m.config.defaultModelFilename
        return try? files.resolveIfPresent("\(m.version)/\(file)", what: "default_model_filename")
    }
}
