/// One tree as an importer reads it: nodes addressed by the file's own node ids, not yet checked.
/// `TreeEnsembleBuilder` validates it and lays it out in the compact evaluation form.
struct RawTree {
    /// How a split node sends a row to its `trueChild`.
    enum Test: Equatable {
        /// x < threshold.
        case less
        /// x ≤ threshold.
        case lessOrEqual
        /// x == threshold.
        case equal
        /// x != threshold.
        case notEqual
        /// LightGBM missing type "Zero": |x| ≤ 1e-35 follows the missing direction, otherwise x ≤ threshold.
        case lessOrEqualZeroIsMissing
        /// The category x is in the node's bitset; x < 0 is never in it (XGBoost).
        case categoryIn
        /// The category trunc(x) is in the node's bitset; trunc(x) < 0 is never in it (LightGBM's integer cast).
        case truncatedCategoryIn
    }

    struct Node {
        /// nil: a leaf.
        var test: Test?
        var feature = 0
        var threshold = 0.0
        var trueChild = -1
        var falseChild = -1
        /// Where NaN goes.
        var missingGoesTrue = false
        /// Bitset of categories for `.categoryIn` (bit c of word c/32).
        var categories: [UInt32] = []
        /// Scalar leaf value (trees with a single output group).
        var leafValue = 0.0
        /// Leaf contributions to several outputs (ONNX-ML), used when the tree's group is nil.
        var leafTargets: [(output: Int, weight: Double)] = []

        static func leaf(_ value: Double) -> Node {
            var n = Node()
            n.leafValue = value
            return n
        }
    }

    var nodes: [Node] = []
    var root = 0
    /// The output this tree's scalar leaves add to; nil: leaves carry `leafTargets`.
    var group: Int? = 0
}
