/// A loaded tree-ensemble model: the evaluable ensemble plus what the file says about its task and inputs.
public struct TreeModel: Sendable {
    /// What the model predicts, which decides the backend's outputs.
    public enum Task: Sendable, Equatable {
        /// One score per row; the probability of class 1 (classes 0 and 1).
        case binaryClassifier
        /// One probability per class (`outputCount` classes).
        case multiClassifier
        /// Raw values (regression, ranking), `outputCount` per row.
        case regressor
        /// TMVA's single classifier response per row (not a probability).
        case tmvaResponse
    }

    /// "xgboost", "lightgbm", "tmva" or "onnx".
    public let format: String
    /// The framework's objective or method description (e.g. "binary:logistic", "BDT::BDTG Grad").
    public let objective: String
    public let task: Task
    public var ensemble: TreeEnsemble
    /// Class labels for the `label` output (classifiers; default 0..<classes).
    public var classLabels: [Int64]
    /// Output names to use instead of the defaults (ONNX graphs name their outputs); empty: defaults.
    public var outputNames: [String]
    /// Input tensor name.
    public var inputName: String
    /// Per-feature affine map applied to inputs before the trees (TMVA's Normalize transformation), nil for none.
    public var inputScaling: InputScaling?

    /// x → scale·x + offset per feature.
    public struct InputScaling: Sendable, Equatable {
        public var scale: [Double]
        public var offset: [Double]
    }

    /// How ONNX-ML turns a binary classifier's single score into two probabilities (nil: not such a model).
    public var singleScoreRule: SingleScoreRule?

    /// ONNX Runtime's rules for binary classifiers with weights on one class.
    public enum SingleScoreRule: Sendable, Equatable {
        /// All leaf weights ≥ 0: probabilities (1-s, s), label s > 0.5.
        case positiveWeights
        /// Mixed signs: (σ(-s), σ(s)) under LOGISTIC or (-s, s), label s > 0.
        case mixedWeights
    }

    public init(format: String, objective: String, task: Task, ensemble: TreeEnsemble, classLabels: [Int64] = [],
                outputNames: [String] = [], inputName: String = "input") {
        self.format = format
        self.objective = objective
        self.task = task
        self.ensemble = ensemble
        self.classLabels = classLabels
        self.outputNames = outputNames
        self.inputName = inputName
    }

    /// Number of classes (classifiers), 0 for regressors.
    public var classCount: Int {
        switch task {
        case .binaryClassifier: return 2
        case .multiClassifier: return ensemble.outputCount
        case .regressor, .tmvaResponse: return 0
        }
    }
}
