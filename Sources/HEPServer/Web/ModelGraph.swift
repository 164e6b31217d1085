/// A model's structure as a directed graph for drawing: graph inputs, operators (or one node for a whole
/// model when its format has no graph) and graph outputs, with an edge per tensor from producer to consumer.
struct ModelGraph: Sendable, Equatable {
    /// What a node stands for; decides its colour.
    enum Kind: String, Sendable {
        case input, output, model
        /// Operator families, coloured like a graph viewer does: layers with weights, activations,
        /// normalization, shape/data movement, everything else.
        case layer, activation, normalization, shape, op
    }

    struct Node: Sendable, Equatable {
        /// First line (operator type, tensor name).
        var title: String
        /// Second line (tensor shape, node name); may be empty.
        var subtitle: String
        var kind: Kind
        /// Tooltip text (full names, inputs and outputs).
        var detail: String
    }

    struct Edge: Sendable, Equatable {
        var from: Int
        var to: Int
        /// The tensor it carries.
        var label: String
    }

    var nodes: [Node] = []
    var edges: [Edge] = []
    /// Why a simpler graph is shown (too large, unreadable file), or nil.
    var note: String?

    /// The operator family of an ONNX operator type.
    static func kind(ofOperator op: String) -> Kind {
        switch op {
        case "Conv", "ConvTranspose", "Gemm", "MatMul", "LSTM", "GRU", "RNN", "Einsum", "QLinearConv", "QLinearMatMul",
             "MatMulInteger", "ConvInteger", "TreeEnsembleClassifier", "TreeEnsembleRegressor", "TreeEnsemble",
             "LinearClassifier", "LinearRegressor", "SVMClassifier", "SVMRegressor":
            return .layer
        case "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Gelu", "Sigmoid", "HardSigmoid", "Tanh", "Softmax",
             "LogSoftmax", "Softplus", "Softsign", "HardSwish", "Mish", "ThresholdedRelu", "Clip":
            return .activation
        case "BatchNormalization", "LayerNormalization", "InstanceNormalization", "GroupNormalization", "LRN",
             "Dropout", "Normalizer", "Scaler":
            return .normalization
        case "Reshape", "Transpose", "Concat", "Split", "Gather", "GatherElements", "GatherND", "Flatten", "Squeeze",
             "Unsqueeze", "Slice", "Expand", "Tile", "Pad", "Shape", "Identity", "Cast", "ScatterND", "ScatterElements",
             "DepthToSpace", "SpaceToDepth", "ZipMap":
            return .shape
        default:
            return .op
        }
    }
}
