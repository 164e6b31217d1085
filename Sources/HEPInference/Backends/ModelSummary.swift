/// What `hepml model inspect` and the metadata endpoints show about a model beyond its tensors: the format,
/// named input variables, output labels and format-specific facts (layers; trees, depth, features for
/// ensembles).
public struct ModelSummary: Sendable, Equatable {
    /// One fact, e.g. ("layers", "6") or ("trees", "500").
    public struct Item: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Format name, e.g. "lwtnn sequential".
    public var format: String
    /// Variable names per input tensor, in order (empty when the format does not name them).
    public var inputVariables: [(tensor: String, names: [String])]
    /// Labels per output tensor.
    public var outputLabels: [(tensor: String, labels: [String])]
    public var items: [Item]

    public init(format: String, inputVariables: [(tensor: String, names: [String])] = [],
                outputLabels: [(tensor: String, labels: [String])] = [], items: [Item] = []) {
        self.format = format
        self.inputVariables = inputVariables
        self.outputLabels = outputLabels
        self.items = items
    }

    public static func == (a: ModelSummary, b: ModelSummary) -> Bool {
        a.format == b.format && a.items == b.items
            && a.inputVariables.elementsEqual(b.inputVariables) { $0.tensor == $1.tensor && $0.names == $1.names }
            && a.outputLabels.elementsEqual(b.outputLabels) { $0.tensor == $1.tensor && $0.labels == $1.labels }
    }
}

/// A backend that can describe its model (`hepml model inspect`, metadata). Tree ensembles, lwtnn, ...
public protocol ModelDescribable {
    var summary: ModelSummary { get }
}
