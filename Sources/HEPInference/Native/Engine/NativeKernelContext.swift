/// What a kernel gets besides its inputs: the node (for error messages) and where to write its outputs —
/// the planned workspace buffer, or a fresh one while folding constants and probing shapes. The executor points
/// the context at each node of the graph's node array in turn (no per-node copies of the node).
final class NativeKernelContext {
    private let plan: NativeMemoryPlan?
    private let workspace: NativeWorkspace?
    private let ownScratch = FloatBuffer(capacity: 1)
    private var single: NativeNode?
    private var nodes: UnsafeBufferPointer<NativeNode>?
    private var index = 0

    /// A context for one node (constant folding).
    init(plan: NativeMemoryPlan?, workspace: NativeWorkspace?, node: NativeNode) {
        self.plan = plan
        self.workspace = workspace
        single = node
    }

    /// A context the executor moves along `at(_:_:)`.
    init(plan: NativeMemoryPlan?, workspace: NativeWorkspace?) {
        self.plan = plan
        self.workspace = workspace
    }

    /// Points at node `i` of `nodes` (which must outlive the kernel calls made with this context).
    func at(_ nodes: UnsafeBufferPointer<NativeNode>, _ i: Int) {
        self.nodes = nodes
        index = i
        single = nil
    }

    var name: String { nodes.map { $0[index].name } ?? single?.name ?? "" }

    private func output(_ k: Int) -> Int? {
        if let nodes { return k < nodes[index].outputs.count ? nodes[index].outputs[k] : nil }
        guard let single, k < single.outputs.count else { return nil }
        return single.outputs[k]
    }

    /// A float output `k` of `shape` and the pointer to fill.
    func float(_ k: Int, _ shape: [Int]) -> (NativeTensor, UnsafeMutablePointer<Float>) {
        let n = shape.elementCount
        let buffer: FloatBuffer
        if let plan, let workspace, let v = output(k), case let s = plan.slotOfValue[v], s >= 0 {
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

    func fail(_ reason: String) -> NativeEngineError { .invalidNode(node: name, reason: reason) }
    func shapeError(_ reason: String) -> NativeEngineError { .shapeMismatch(node: name, reason: reason) }

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
