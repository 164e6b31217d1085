/// What a kernel gets besides its inputs: the node (for error messages) and where to write its outputs —
/// the planned workspace buffer, or a fresh one while folding constants and probing shapes.
final class NativeKernelContext {
    private let plan: NativeMemoryPlan?
    private let workspace: NativeWorkspace?
    private let ownScratch = FloatBuffer(capacity: 1)
    var node: NativeNode

    init(plan: NativeMemoryPlan?, workspace: NativeWorkspace?, node: NativeNode) {
        self.plan = plan
        self.workspace = workspace
        self.node = node
    }

    var name: String { node.name }

    /// A float output `k` of `shape` and the pointer to fill.
    func float(_ k: Int, _ shape: [Int]) -> (NativeTensor, UnsafeMutablePointer<Float>) {
        let n = shape.elementCount
        let buffer: FloatBuffer
        if let plan, let workspace, k < node.outputs.count, case let s = plan.slotOfValue[node.outputs[k]], s >= 0 {
            buffer = workspace.slots[s]
            buffer.reserve(n)
        } else {
            buffer = FloatBuffer(capacity: n)
        }
        return (NativeTensor(shape: shape, storage: .float(buffer)), buffer.pointer)
    }

    /// Temporary space for `count` floats (valid until the next call).
    func scratch(_ count: Int) -> UnsafeMutablePointer<Float> {
        let b = workspace?.scratch ?? ownScratch
        b.reserve(count)
        return b.pointer
    }

    func fail(_ reason: String) -> NativeEngineError { .invalidNode(node: node.name, reason: reason) }
    func shapeError(_ reason: String) -> NativeEngineError { .shapeMismatch(node: node.name, reason: reason) }

    /// `axis` in [-rank, rank) made non-negative.
    func axis(_ axis: Int, rank: Int) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < max(rank, 1) else { throw fail("axis \(axis) out of range for rank \(rank)") }
        return a
    }

    /// Input `i` or an error when the node has fewer inputs.
    func input(_ ins: [NativeTensor], _ i: Int) throws -> NativeTensor {
        guard i < ins.count else { throw fail("expects at least \(i + 1) inputs, has \(ins.count)") }
        return ins[i]
    }
}
