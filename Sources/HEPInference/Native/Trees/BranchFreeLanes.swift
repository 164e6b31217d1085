/// The branch-free descent of `BranchFreeForest`: eight independent descents advanced together, one step each per
/// round, so the CPU overlaps their loads instead of waiting on (and mispredicting) one path at a time. Past the
/// tree's shallowest leaf, a descent stops early once every lane rests on its leaf (a leaf is its own child).
struct BranchFreeLanes {
    private var n0 = 0, n1 = 0, n2 = 0, n3 = 0, n4 = 0, n5 = 0, n6 = 0, n7 = 0

    /// Leaf node index of lane `i` after the last descent.
    @inline(__always)
    subscript(i: Int) -> Int {
        switch i {
        case 0: return n0
        case 1: return n1
        case 2: return n2
        case 3: return n3
        case 4: return n4
        case 5: return n5
        case 6: return n6
        default: return n7
        }
    }

    /// The node reached from `n` for the row block values at `values`: its first child, or the second when the value
    /// in the node's column is above its threshold (the comparison is turned into 0/1 without a branch).
    @inline(__always)
    private static func next(_ nodes: UnsafePointer<BranchFreeForest.Node>, _ n: Int, _ values: UnsafePointer<Double>) -> Int {
        let node = nodes[n]
        let above = unsafeBitCast(values[Int(node.offset)] > node.threshold, to: UInt8.self)
        return Int(node.child) &+ Int(above)
    }

    /// One round: every lane one step; lane i reads the row block at `values + i·laneStride`.
    @inline(__always)
    private mutating func round(_ nodes: UnsafePointer<BranchFreeForest.Node>, _ values: UnsafePointer<Double>,
                                _ laneStride: Int) {
        n0 = Self.next(nodes, n0, values)
        n1 = Self.next(nodes, n1, values + laneStride)
        n2 = Self.next(nodes, n2, values + 2 * laneStride)
        n3 = Self.next(nodes, n3, values + 3 * laneStride)
        n4 = Self.next(nodes, n4, values + 4 * laneStride)
        n5 = Self.next(nodes, n5, values + 5 * laneStride)
        n6 = Self.next(nodes, n6, values + 6 * laneStride)
        n7 = Self.next(nodes, n7, values + 7 * laneStride)
    }

    /// Rounds: `settled` unconditionally, then until every lane rests on a leaf or `steps` rounds are done.
    @inline(__always)
    private mutating func run(_ nodes: UnsafePointer<BranchFreeForest.Node>, steps: Int, settled: Int,
                              _ values: UnsafePointer<Double>, _ laneStride: Int) {
        for _ in 0..<settled { round(nodes, values, laneStride) }
        var s = settled
        while s < steps {
            let before = self
            round(nodes, values, laneStride)
            let moved = (n0 ^ before.n0) | (n1 ^ before.n1) | (n2 ^ before.n2) | (n3 ^ before.n3)
                | (n4 ^ before.n4) | (n5 ^ before.n5) | (n6 ^ before.n6) | (n7 ^ before.n7)
            if moved == 0 { break }
            s += 1
        }
    }

    /// Descends one tree (root `root`, at most `steps` levels, no leaf before `settled`) for the eight consecutive rows
    /// of the column-major row block starting at `rows`.
    @inline(__always)
    mutating func descend(_ nodes: UnsafePointer<BranchFreeForest.Node>, steps: Int, settled: Int, sameRoot root: Int,
                          rows: UnsafePointer<Double>) -> BranchFreeLanes {
        n0 = root; n1 = root; n2 = root; n3 = root; n4 = root; n5 = root; n6 = root; n7 = root
        run(nodes, steps: steps, settled: settled, rows, 1)
        return self
    }

    /// Descends `count` (1...8) trees with roots `roots` for the one row of the column-major row block at `row`,
    /// at most `steps` levels (the deepest tree's depth), no leaf before `settled` steps.
    @inline(__always)
    mutating func descend(_ nodes: UnsafePointer<BranchFreeForest.Node>, steps: Int, settled: Int,
                          roots: UnsafePointer<Int32>, count: Int, row: UnsafePointer<Double>) -> BranchFreeLanes {
        let last = count - 1
        n0 = Int(roots[0]); n1 = Int(roots[Swift.min(1, last)]); n2 = Int(roots[Swift.min(2, last)])
        n3 = Int(roots[Swift.min(3, last)]); n4 = Int(roots[Swift.min(4, last)]); n5 = Int(roots[Swift.min(5, last)])
        n6 = Int(roots[Swift.min(6, last)]); n7 = Int(roots[Swift.min(7, last)])
        run(nodes, steps: steps, settled: settled, row, 0)
        return self
    }
}
