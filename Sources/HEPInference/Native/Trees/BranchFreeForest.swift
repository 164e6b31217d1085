/// The trees of a `TreeEnsemble` whose splits are all numeric thresholds, laid out for branch-free descent.
///
/// Every such split is rewritten as "step to the second child when `x' > t'`": `x < t` becomes `x ≤ nextDown(t)`,
/// and the missing direction is folded into which column of the row block is read, not into the comparison. Each
/// feature `j` is offered in two columns: `2j` holds the value as is (NaN compares false, so it takes the first
/// child) and `2j + 1` the value with NaN as +∞ and +∞ as the largest finite value (NaN takes the second child, and
/// a split `x ≤ +∞` becomes `x' ≤ greatestFinite`). Column `2·features` is −∞ in every row. The block is
/// column-major with `TreeEnsemble.blockRows` rows, and a node stores its column premultiplied by that.
///
/// Siblings are adjacent (first child at `child`, second at `child + 1`); a leaf reads the −∞ column, keeps its
/// value as threshold and is its own child, so a descent that reached its leaf stays there. That lets several
/// descents (rows of one tree, or trees of one row) run interleaved without branches.
///
/// Trees with categorical, equality or LightGBM "zero is missing" splits, multi-output leaves, the two thresholds
/// the columns cannot express (`x < −∞`, and `x ≤ greatestFinite` with NaN to the second child) or more than
/// `maxDepth` levels keep the general evaluator (root -1 here).
struct BranchFreeForest: Sendable {
    struct Node: Sendable {
        /// Split value t' (second child when x' > t'), or the leaf value.
        var threshold: Double
        /// Column of the row block × block rows.
        var offset: Int32
        /// Index of the first child (the second is next to it); a leaf's own index.
        var child: Int32
    }

    /// Deeper trees use the general evaluator: fixed-length descents would waste too many steps.
    static let maxDepth = 24

    let nodes: [Node]
    /// Per tree of the ensemble: index of its root in `nodes`, or -1 when it takes the general path.
    let roots: [Int32]
    /// Per tree: its depth (no descent takes more steps).
    let depths: [Int32]
    /// Per tree: depth of its shallowest leaf (no descent rests on a leaf before that many steps).
    let shallowest: [Int32]
    /// Columns of a row block: two per feature plus the −∞ column.
    let columns: Int
    /// Whether every tree is in the branch-free layout.
    let coversAllTrees: Bool

    /// The layout of `e`'s qualifying trees, or nil when none qualifies or the row block would be too wide.
    static func make(_ e: TreeEnsemble) -> BranchFreeForest? {
        guard (2 * e.featureCount + 1) * TreeEnsemble.blockRows < Int(Int32.max) else { return nil }
        let forest = BranchFreeForest(e)
        return forest.roots.contains { $0 >= 0 } ? forest : nil
    }

    private init(_ e: TreeEnsemble) {
        columns = 2 * e.featureCount + 1
        let rowsPerColumn = Int32(TreeEnsemble.blockRows)
        let leafOffset = Int32(columns - 1) * rowsPerColumn
        var nodes: [Node] = []
        var roots: [Int32] = []
        var depths: [Int32] = []
        var shallowest: [Int32] = []
        roots.reserveCapacity(e.treeCount)
        var queue: [(node: Int, slot: Int, depth: Int)] = []
        for t in 0..<e.treeCount {
            let root = Int(e.treeRoots[t])
            guard e.treeGroups[t] >= 0, Self.supports(e, root: root) else {
                roots.append(-1)
                depths.append(0)
                shallowest.append(0)
                continue
            }
            // Breadth-first: each split's two children get adjacent slots.
            let start = nodes.count
            nodes.append(Node(threshold: 0, offset: leafOffset, child: Int32(start)))
            queue.removeAll(keepingCapacity: true)
            queue.append((root, start, 0))
            var head = 0, depth = 0, minLeaf = Int.max
            while head < queue.count {
                let (i, slot, d) = queue[head]
                head += 1
                depth = Swift.max(depth, d)
                guard let (t, missingFirst) = Self.split(e, i) else {
                    nodes[slot] = Node(threshold: e.threshold[i], offset: leafOffset, child: Int32(slot))
                    minLeaf = Swift.min(minLeaf, d)
                    continue
                }
                let first = nodes.count
                nodes.append(Node(threshold: 0, offset: leafOffset, child: Int32(first)))
                nodes.append(Node(threshold: 0, offset: leafOffset, child: Int32(first + 1)))
                let column = 2 * e.feature[i] + (missingFirst ? 0 : 1)
                nodes[slot] = Node(threshold: t, offset: column * rowsPerColumn, child: Int32(first))
                queue.append((i + 1, first, d + 1))
                queue.append((Int(e.falseChild[i]), first + 1, d + 1))
            }
            roots.append(Int32(start))
            depths.append(Int32(depth))
            shallowest.append(Int32(minLeaf))
        }
        self.nodes = nodes
        self.roots = roots
        self.depths = depths
        self.shallowest = shallowest
        coversAllTrees = !roots.contains(-1)
    }

    /// Node `i`'s split as (t', NaN takes the first child), nil for a leaf. Only for `<`/`≤` splits.
    private static func split(_ e: TreeEnsemble, _ i: Int) -> (Double, Bool)? {
        let code = e.kind[i]
        guard code != TreeEnsemble.leafKind else { return nil }
        let missingFirst = code & TreeEnsemble.missingTrueBit != 0
        var t = code & 7 == 1 ? e.threshold[i].nextDown : e.threshold[i]
        if !missingFirst, t == .infinity { t = .greatestFiniteMagnitude }
        return (t, missingFirst)
    }

    /// Whether the tree at `root` has only `<`/`≤` splits the columns express and at most `maxDepth` levels.
    private static func supports(_ e: TreeEnsemble, root: Int) -> Bool {
        var stack: [(node: Int, depth: Int)] = [(root, 0)]
        while let (i, d) = stack.popLast() {
            let code = e.kind[i]
            if code == TreeEnsemble.leafKind { continue }
            guard d < maxDepth, code & 7 == 1 || code & 7 == 2 else { return false }
            let t = code & 7 == 1 ? e.threshold[i].nextDown : e.threshold[i]
            if t == -.infinity, code & 7 == 1 { return false }
            if t == .greatestFiniteMagnitude, code & TreeEnsemble.missingTrueBit == 0 { return false }
            stack.append((i + 1, d + 1))
            stack.append((Int(e.falseChild[i]), d + 1))
        }
        return true
    }
}
