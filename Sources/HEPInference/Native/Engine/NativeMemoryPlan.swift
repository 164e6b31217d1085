/// Which workspace buffer each float value lives in. Values whose lifetimes do not overlap share a slot,
/// so a call needs as many buffers as the widest point of the graph, not one per node. Values that view
/// another one (reshape, squeeze, ...) extend its lifetime instead of taking a slot.
struct NativeMemoryPlan: Sendable {
    /// Slot per value id (-1: not planned — constants, aliases, int/bool values).
    var slotOfValue: [Int]
    var slotCount: Int

    /// Plans `nodes` (in execution order). `isFloat` tells which values are float tensors.
    static func make(valueCount: Int, inputs: [Int], outputs: [Int], nodes: [NativeNode], constants: [NativeTensor?],
                     isFloat: (Int) -> Bool) -> NativeMemoryPlan {
        // Root of each value: aliases resolve to the value whose storage they share.
        var root = Array(0..<valueCount)
        for n in nodes where n.op.aliasesInput {
            if let i = n.inputs.first, let o = n.outputs.first { root[o] = root[i] }
        }
        var lastUse = [Int](repeating: -1, count: valueCount)
        for (k, n) in nodes.enumerated() {
            for v in n.inputs { lastUse[root[v]] = max(lastUse[root[v]], k) }
        }
        for v in outputs { lastUse[root[v]] = Int.max }
        var slot = [Int](repeating: -1, count: valueCount)
        var free = [Int]()
        var count = 0
        func take(_ v: Int) {
            guard constants[v] == nil, root[v] == v, isFloat(v) else { return }
            if let s = free.popLast() { slot[v] = s } else { slot[v] = count; count += 1 }
        }
        for v in inputs { take(v) }
        for (k, n) in nodes.enumerated() {
            for o in n.outputs { take(o) }
            for v in Set(n.inputs.map { root[$0] }) where lastUse[v] == k && slot[v] >= 0 { free.append(slot[v]) }
            // Outputs nobody reads are dead at once.
            for o in n.outputs where root[o] == o && lastUse[o] == -1 && slot[o] >= 0 { free.append(slot[o]) }
        }
        return NativeMemoryPlan(slotOfValue: slot, slotCount: count)
    }
}
