/// Serves a `TreeModel`: one input [N, features] (FP32 or FP64), outputs like the framework's predict —
/// `label` (INT64) and `probabilities` for classifiers, `predictions` for regressors, `score` for TMVA, plus
/// `margin` (the summed raw scores) for XGBoost and LightGBM. ONNX-ML models keep their graph's output names.
public struct TreeEnsembleBackend: InferenceBackend, ModelDescribable, NamedInputModel {
    public let model: TreeModel
    public let signature: ModelSignature
    private let valueType: TensorDataType
    private let outputKinds: [OutputKind]

    private enum OutputKind { case label, probabilities, predictions, margin }

    public init(model: TreeModel) {
        self.model = model
        let e = model.ensemble
        // Frameworks' own prediction precision: LightGBM and TMVA compute in double, XGBoost and ONNX-ML in float.
        let valueType: TensorDataType = model.format == "lightgbm" || model.format == "tmva" ? .FP64 : .FP32
        self.valueType = valueType
        var kinds: [OutputKind]
        var names: [String]
        switch model.task {
        case .binaryClassifier, .multiClassifier:
            kinds = [.label, .probabilities]
            names = ["label", "probabilities"]
        case .regressor:
            kinds = [.predictions]
            names = [model.format == "onnx" ? "variable" : "predictions"]
        case .tmvaResponse:
            kinds = [.predictions]
            names = ["score"]
        }
        if model.format == "xgboost" || model.format == "lightgbm" {
            kinds.append(.margin)
            names.append("margin")
        }
        if model.outputNames.count == kinds.count { names = model.outputNames }
        outputKinds = kinds
        let classes = model.classCount
        let outputs = zip(kinds, names).map { kind, name -> TensorSpec in
            switch kind {
            case .label: return TensorSpec(name: name, datatype: .INT64, shape: [-1])
            case .probabilities: return TensorSpec(name: name, datatype: valueType, shape: [-1, classes])
            case .predictions:
                let shape = e.outputCount == 1 && model.format != "onnx" ? [-1] : [-1, e.outputCount]
                return TensorSpec(name: name, datatype: valueType, shape: shape)
            case .margin: return TensorSpec(name: name, datatype: valueType, shape: [-1, e.outputCount])
            }
        }
        signature = ModelSignature(inputs: [TensorSpec(name: model.inputName, datatype: .FP32, shape: [-1, e.featureCount])],
                                   outputs: outputs)
    }

    public var summary: ModelSummary {
        let e = model.ensemble
        var items = [ModelSummary.Item("objective", model.objective), .init("trees", "\(e.treeCount)"),
                     .init("nodes", "\(e.nodeCount)"), .init("max depth", "\(e.maxDepth)"),
                     .init("features", "\(e.featureCount)"), .init("outputs", "\(e.outputCount)")]
        if model.classCount > 0 { items.append(.init("classes", "\(model.classCount)")) }
        return ModelSummary(format: "\(model.format) tree ensemble",
                            inputVariables: e.featureNames.isEmpty ? [] : [(model.inputName, e.featureNames)],
                            items: items)
    }

    public var variableNames: [String] { model.ensemble.featureNames }

    public func tensors(named values: [String: [Double]]) throws -> [Tensor] {
        let names = model.ensemble.featureNames
        guard !names.isEmpty else { throw InferenceError.invalidInput("this model does not name its input features") }
        if let unknown = values.keys.sorted().first(where: { !names.contains($0) }) {
            throw InferenceError.invalidInput("unknown input variable '\(unknown)' (the model takes \(names.joined(separator: ", ")))")
        }
        var row = [Float]()
        for n in names {
            guard let v = values[n] else { throw InferenceError.invalidInput("missing input variable '\(n)'") }
            guard v.count == 1 else { throw InferenceError.invalidInput("input variable '\(n)' takes one value, got \(v.count)") }
            row.append(Float(v[0]))
        }
        return [Tensor(name: model.inputName, shape: [1, names.count], values: row)]
    }

    public func infer(_ inputs: [Tensor], outputs requested: [String]?) throws -> [Tensor] {
        let e = model.ensemble
        guard inputs.count == 1, let x = inputs.first, x.name == model.inputName else {
            throw InferenceError.invalidInput("expected one input '\(model.inputName)' [N, \(e.featureCount)]")
        }
        guard x.datatype == .FP32 || x.datatype == .FP64 else {
            throw InferenceError.invalidInput("input '\(x.name)': datatype \(x.datatype.rawValue), expected FP32 or FP64")
        }
        let rows: Int
        if x.shape.count == 2, x.shape[1] == e.featureCount, x.shape[0] >= 0 {
            rows = x.shape[0]
        } else if x.shape.count == 1, x.shape[0] == e.featureCount {
            rows = 1
        } else {
            throw InferenceError.invalidInput("input '\(x.name)': shape \(x.shape), expected [N, \(e.featureCount)]")
        }
        guard x.data.count == rows * e.featureCount * x.datatype.byteSize else {
            throw InferenceError.invalidInput("input '\(x.name)': \(x.data.count) bytes for shape \(x.shape)")
        }
        let selected: [Int]
        if let requested {
            selected = try requested.map { name in
                guard let i = signature.outputs.firstIndex(where: { $0.name == name }) else {
                    throw InferenceError.invalidInput("unknown output '\(name)'")
                }
                return i
            }
        } else {
            selected = Array(signature.outputs.indices)
        }
        let wantsMargin = selected.contains { outputKinds[$0] == .margin }
        let wantsLinked = selected.contains { outputKinds[$0] != .margin }
        let raw = wantsMargin || model.singleScoreRule != nil ? scores(x, rows: rows, raw: true) : []
        let linked = wantsLinked ? (model.singleScoreRule != nil ? raw : scores(x, rows: rows, raw: false)) : []
        return selected.map { i in
            let spec = signature.outputs[i]
            var shape = spec.shape
            shape[0] = rows
            switch outputKinds[i] {
            case .label: return Tensor(name: spec.name, shape: shape, values: labels(linked, rows: rows))
            case .probabilities: return make(spec.name, shape, probabilities(linked, rows: rows))
            case .predictions: return make(spec.name, shape, linked)
            case .margin: return make(spec.name, shape, raw)
            }
        }
    }

    private func scores(_ x: Tensor, rows: Int, raw: Bool) -> [Double] {
        let e = model.ensemble
        if let s = model.inputScaling {
            let f = e.featureCount
            var values = x.doubles()
            for i in values.indices {
                let j = i % f
                values[i] = Double(Float(s.scale[j] * Double(Float(values[i])) + s.offset[j]))
            }
            return values.withUnsafeBufferPointer { e.predict($0, rows: rows, raw: raw) }
        }
        return x.data.withUnsafeBytes { bytes -> [Double] in
            if x.datatype == .FP64 {
                let p = bytes.bindMemory(to: Double.self)
                return e.predict(p, rows: rows, raw: raw)
            }
            let p = bytes.bindMemory(to: Float.self)
            return e.predict(p, rows: rows, raw: raw)
        }
    }

    private func make(_ name: String, _ shape: [Int], _ v: [Double]) -> Tensor {
        valueType == .FP64 ? Tensor(name: name, shape: shape, values: v) : Tensor(name: name, shape: shape, values: v.map { Float($0) })
    }

    /// Class probabilities from linked scores (or, for ONNX single-score classifiers, raw scores).
    private func probabilities(_ s: [Double], rows: Int) -> [Double] {
        let k = model.ensemble.outputCount
        if k > 1 { return s }
        var out = [Double](repeating: 0, count: rows * 2)
        for r in 0..<rows {
            var p = s[r]
            switch model.singleScoreRule {
            case nil:
                break
            case .positiveWeights?:
                var v = p
                model.ensemble.link.apply(&v, count: 1)
                p = v
            case .mixedWeights?:
                if model.ensemble.link == .identity {
                    out[2 * r] = -p
                    out[2 * r + 1] = p
                    continue
                }
                var v = p
                model.ensemble.link.apply(&v, count: 1)
                p = v
            }
            out[2 * r] = 1 - p
            out[2 * r + 1] = p
        }
        return out
    }

    private func labels(_ s: [Double], rows: Int) -> [Int64] {
        let k = model.ensemble.outputCount
        let labels = model.classLabels
        func label(_ c: Int) -> Int64 { c < labels.count ? labels[c] : Int64(c) }
        return (0..<rows).map { r in
            if k == 1 {
                let v = s[r]
                switch model.singleScoreRule {
                case nil: return label(v > 0.5 ? 1 : 0)
                case .positiveWeights?: return label(v > 0.5 ? 1 : 0)
                case .mixedWeights?: return label(v > 0 ? 1 : 0)
                }
            }
            var best = 0
            for c in 1..<k where s[r * k + c] > s[r * k + best] { best = c }
            return label(best)
        }
    }
}
