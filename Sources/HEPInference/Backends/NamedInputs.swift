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
    /// `values[i]` belongs to `keys[i]`; a key given twice or unknown is an error, a null value counts as absent.
    public func namedInputs(keys: [String], values: [[Double]]) throws -> [Tensor]? {
        guard let named = backend as? NamedInputModel else { return nil }
        guard keys.count == values.count else {
            throw InferenceError.invalidInput("/json: \(keys.count) keys but \(values.count) values")
        }
        let known = Set(named.variableNames)
        var map: [String: [Double]] = [:]
        var seen = Set<String>()
        for (k, v) in zip(keys, values) {
            guard known.contains(k) else { throw InferenceError.invalidInput("unknown input variable '\(k)'") }
            guard seen.insert(k).inserted else { throw InferenceError.invalidInput("/json: key '\(k)' given twice") }
            // null (NaN) counts as absent: the variable's default, if it has one, is used.
            if !v.allSatisfy(\.isNaN) { map[k] = v }
        }
        return try named.tensors(named: map)
    }
}
