/// A backend whose inputs are named variables (lwtnn, BDTs with feature names): a TFaaS `/json` request
/// with `keys` maps onto them by name, so swapped or missing inputs are errors, not silent mistakes.
public protocol NamedInputModel {
    /// All variable names the model takes, in tensor order.
    var variableNames: [String] { get }
    /// One sample given by variable name (several values for a sequence variable) as the model's input
    /// tensors (batch 1). Unknown names and missing names without a default throw `invalidInput` naming them.
    func tensors(named values: [String: [Double]]) throws -> [Tensor]
}

extension LoadedModel {
    /// The TFaaS `/json` `keys`/`values` pair as input tensors, when the model names its inputs (nil otherwise).
    /// `values[i]` belongs to `keys[i]`; a key given twice is an error.
    public func namedInputs(keys: [String], values: [[Double]]) throws -> [Tensor]? {
        guard let named = backend as? NamedInputModel else { return nil }
        guard keys.count == values.count else {
            throw InferenceError.invalidInput("/json: \(keys.count) keys but \(values.count) values")
        }
        var map: [String: [Double]] = [:]
        for (k, v) in zip(keys, values) {
            guard map.updateValue(v, forKey: k) == nil else { throw InferenceError.invalidInput("/json: key '\(k)' given twice") }
        }
        return try named.tensors(named: map)
    }
}
