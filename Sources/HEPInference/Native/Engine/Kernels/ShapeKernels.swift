/// Ops that give input 0's elements a new shape without copying (the output shares the storage).
enum ShapeKernels {
    static func reshape(_ ins: [NativeTensor], shape: [Int]?, copyZeros: Bool, _ ctx: NativeKernelContext) throws -> NativeTensor {
        var x = try ctx.input(ins, 0)
        let target = try shape ?? ctx.input(ins, 1).ints()
        x.shape = try resolve(target, from: x.shape, copyZeros: copyZeros, ctx)
        return x
    }

    /// `target` with 0 (copied from the input, when `copyZeros`) and one -1 (inferred) resolved.
    static func resolve(_ target: [Int], from shape: [Int], copyZeros: Bool, _ ctx: NativeKernelContext) throws -> [Int] {
        var out = target
        var unknown: Int?
        for (i, d) in target.enumerated() {
            if d == 0, copyZeros {
                guard i < shape.count else { throw ctx.shapeError("reshape \(shape) to \(target): no dimension \(i) to copy") }
                out[i] = shape[i]
            } else if d == -1 {
                guard unknown == nil else { throw ctx.shapeError("reshape to \(target): more than one -1") }
                unknown = i
            } else if d < 0 {
                throw ctx.shapeError("reshape to \(target): negative dimension")
            }
        }
        let total = shape.elementCount
        if let u = unknown {
            out[u] = 1
            let known = out.elementCount
            guard known > 0, total % known == 0 else { throw ctx.shapeError("cannot reshape \(shape) to \(target)") }
            out[u] = total / known
        }
        guard out.elementCount == total else { throw ctx.shapeError("cannot reshape \(shape) (\(total) elements) to \(target)") }
        return out
    }

    static func flatten(_ ins: [NativeTensor], axis: Int, _ ctx: NativeKernelContext) throws -> NativeTensor {
        var x = try ctx.input(ins, 0)
        let a = axis < 0 ? axis + x.shape.count : axis
        guard a >= 0, a <= x.shape.count else { throw ctx.fail("flatten axis \(axis) for rank \(x.shape.count)") }
        x.shape = [x.shape[..<a].reduce(1, *), x.shape[a...].reduce(1, *)]
        return x
    }

    static func squeeze(_ ins: [NativeTensor], axes: [Int], _ ctx: NativeKernelContext) throws -> NativeTensor {
        var x = try ctx.input(ins, 0)
        let given = axes.isEmpty && ins.count > 1 ? ins[1].ints() : axes
        let rank = x.shape.count
        let drop = try Set(given.map { try ctx.axis($0, rank: rank) })
        for d in drop where x.shape[d] != 1 { throw ctx.shapeError("cannot squeeze axis \(d) of \(x.shape)") }
        x.shape = x.shape.enumerated().filter { given.isEmpty ? $0.element != 1 : !drop.contains($0.offset) }.map(\.element)
        return x
    }

    static func expandDims(_ ins: [NativeTensor], axes: [Int]?, _ ctx: NativeKernelContext) throws -> NativeTensor {
        var x = try ctx.input(ins, 0)
        let given = try axes ?? ctx.input(ins, 1).ints()
        let rank = x.shape.count + given.count
        let positions = try given.map { try ctx.axis($0, rank: rank) }.sorted()
        guard Set(positions).count == positions.count else { throw ctx.fail("repeated axes \(given)") }
        var shape = x.shape
        for p in positions { shape.insert(1, at: p) }
        x.shape = shape
        return x
    }
}
