import HEPInference

/// The TFaaS `/json` `keys` field, for models whose inputs are named variables (lwtnn, ...).
enum TFaaSNamedInputs {
    /// Runs one sample given by `keys`/`values` through a named-input model: the first output's row, or nil
    /// when the model does not name its inputs (then `values` are positional).
    static func predict(_ m: LoadedModel, keys: [String], values: [Float]) throws -> [Float]? {
        guard let inputs = try m.namedInputs(keys: keys, values: values.map { [Double($0)] }) else { return nil }
        guard let out = try m.infer(inputs).first else { throw APIError(.internalServerError, "model returned no output") }
        let row = out.shape.count > 1 ? out.shape.dropFirst().reduce(1, *) : out.elementCount
        return out.doubles().prefix(row).map { Float($0) }
    }
}
