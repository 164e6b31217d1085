/// Ops that move elements: transpose, concat/pack/unpack/split, gather, tile, fill, pad, range.
enum LayoutKernels {
    static func transpose(_ ins: [NativeTensor], perm: [Int]?, _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0)
        let rank = x.shape.count
        var p = try perm ?? ctx.input(ins, 1).ints()
        if p.isEmpty { p = Array((0..<rank).reversed()) }
        guard p.count == rank, Set(p) == Set(0..<rank) else { throw ctx.fail("permutation \(p) for rank \(rank)") }
        let outShape = p.map { x.shape[$0] }
        let inStrides = BroadcastShape.contiguous(x.shape)
        let src = p.map { inStrides[$0] }
        var index = [Int](repeating: 0, count: rank)
        var offset = 0
        // Walks the output in order, keeping the source offset up to date incrementally.
        return try TensorRemap.build(outShape, [x], ctx) { i in
            if i > 0 {
                var d = rank - 1
                while d >= 0 {
                    index[d] += 1
                    offset += src[d]
                    if index[d] < outShape[d] { break }
                    offset -= src[d] * outShape[d]
                    index[d] = 0
                    d -= 1
                }
            }
            return (0, offset)
        }
    }

    static func concat(_ ins: [NativeTensor], axis: Int?, _ ctx: NativeKernelContext) throws -> NativeTensor {
        var parts = ins
        let rawAxis: Int
        if let axis { rawAxis = axis } else {
            guard let last = parts.popLast(), let a = last.ints().first else { throw ctx.fail("ConcatV2 needs an axis input") }
            rawAxis = a
        }
        guard let first = parts.first else { throw ctx.fail("concat of nothing") }
        let rank = first.shape.count
        let ax = try ctx.axis(rawAxis, rank: rank)
        var outShape = first.shape
        outShape[ax] = 0
        for t in parts {
            guard t.shape.count == rank, (0..<rank).allSatisfy({ $0 == ax || t.shape[$0] == first.shape[$0] }) else {
                throw ctx.shapeError("concat of \(parts.map(\.shape)) along \(ax)")
            }
            outShape[ax] += t.shape[ax]
        }
        let inner = outShape[(ax + 1)...].reduce(1, *)
        let widths = parts.map { $0.shape[ax] * inner }
        let row = widths.reduce(0, +)
        // Output element i: row r = i / row, column c within the row picks the part.
        var starts = [Int]()
        var acc = 0
        for w in widths { starts.append(acc); acc += w }
        let sameType = parts.allSatisfy { $0.dataType == first.dataType }
        let inputs = sameType ? parts : parts.map { NativeTensor(shape: $0.shape, floats: $0.floats()) }
        return try TensorRemap.build(outShape, inputs, ctx) { i in
            let r = i / row, c = i % row
            var k = widths.count - 1
            while k > 0, starts[k] > c { k -= 1 }
            return (k, r * widths[k] + c - starts[k])
        }
    }

    static func pack(_ ins: [NativeTensor], axis: Int, _ ctx: NativeKernelContext) throws -> NativeTensor {
        guard let first = ins.first else { throw ctx.fail("Pack of nothing") }
        let ax = try ctx.axis(axis, rank: first.shape.count + 1)
        let expanded = ins.map { t -> NativeTensor in
            var e = t
            e.shape.insert(1, at: ax)
            return e
        }
        return try concat(expanded, axis: ax, ctx)
    }

    static func unpack(_ ins: [NativeTensor], axis: Int, count: Int, _ ctx: NativeKernelContext) throws -> [NativeTensor] {
        let x = try ctx.input(ins, 0)
        let ax = try ctx.axis(axis, rank: x.shape.count)
        guard x.shape[ax] == count else { throw ctx.shapeError("Unpack \(count) from \(x.shape) along \(ax)") }
        var parts = try split(x, axis: ax, sizes: [Int](repeating: 1, count: count), ctx)
        for k in parts.indices { parts[k].shape.remove(at: ax) }
        return parts
    }

    static func split(_ ins: [NativeTensor], axis: Int?, count: Int, _ ctx: NativeKernelContext) throws -> [NativeTensor] {
        let x: NativeTensor, rawAxis: Int
        if let axis { x = try ctx.input(ins, 0); rawAxis = axis } else {
            x = try ctx.input(ins, 1)
            guard let a = ins[0].ints().first else { throw ctx.fail("Split needs an axis") }
            rawAxis = a
        }
        let ax = try ctx.axis(rawAxis, rank: x.shape.count)
        var sizes: [Int]
        if axis != nil, ins.count > 1 { sizes = ins[1].ints() } else {
            guard count > 0, x.shape[ax] % count == 0 else { throw ctx.shapeError("cannot split \(x.shape) into \(count) along \(ax)") }
            sizes = [Int](repeating: x.shape[ax] / count, count: count)
        }
        return try split(x, axis: ax, sizes: sizes, ctx)
    }

    static func split(_ x: NativeTensor, axis ax: Int, sizes: [Int], _ ctx: NativeKernelContext) throws -> [NativeTensor] {
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == x.shape[ax] else {
            throw ctx.shapeError("split sizes \(sizes) for \(x.shape) along \(ax)")
        }
        let inner = x.shape[(ax + 1)...].reduce(1, *), row = x.shape[ax] * inner
        var start = 0
        var out = [NativeTensor]()
        for (k, s) in sizes.enumerated() {
            var shape = x.shape
            shape[ax] = s
            let w = s * inner, offset = start * inner
            out.append(try TensorRemap.build(shape, [x], ctx, output: k) { i in (0, (i / max(w, 1)) * row + offset + i % max(w, 1)) })
            start += s
        }
        return out
    }

    /// Gathers along `axis`; negative indices count from the end.
    static func gather(_ ins: [NativeTensor], axis: Int?, _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0), idx = try ctx.input(ins, 1)
        let ax = try ctx.axis(try axis ?? ctx.input(ins, 2).ints().first ?? 0, rank: x.shape.count)
        let dim = x.shape[ax]
        let indices = try idx.ints().map { i -> Int in
            let j = i < 0 ? i + dim : i
            guard j >= 0, j < dim else { throw ctx.fail("gather index \(i) out of range [0, \(dim))") }
            return j
        }
        let inner = x.shape[(ax + 1)...].reduce(1, *)
        let outShape = Array(x.shape[..<ax]) + idx.shape + Array(x.shape[(ax + 1)...])
        let block = indices.count * inner
        return try TensorRemap.build(outShape, [x], ctx) { i in
            let o = i / max(block, 1), r = i % max(block, 1)
            return (0, (o * dim + indices[r / max(inner, 1)]) * inner + r % max(inner, 1))
        }
    }

    static func tile(_ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0)
        let m = try ctx.input(ins, 1).ints()
        guard m.count == x.shape.count, m.allSatisfy({ $0 >= 0 }) else { throw ctx.fail("multiples \(m) for \(x.shape)") }
        let outShape = zip(x.shape, m).map { $0 * $1 }
        try NativeLimits.check(outShape, ctx)
        let os = BroadcastShape.contiguous(outShape), xs = BroadcastShape.contiguous(x.shape)
        var index = [Int](repeating: 0, count: outShape.count)
        return try TensorRemap.build(outShape, [x], ctx) { i in
            TensorRemap.unflatten(i, os, into: &index)
            var k = 0
            for d in 0..<index.count { k += (index[d] % x.shape[d]) * xs[d] }
            return (0, k)
        }
    }

    static func fill(_ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> NativeTensor {
        let shape = try ctx.input(ins, 0).ints()
        let v = try ctx.input(ins, 1)
        guard shape.allSatisfy({ $0 >= 0 }) else { throw ctx.fail("Fill with shape \(shape)") }
        try NativeLimits.check(shape, ctx)
        return try TensorRemap.build(shape, [v], ctx) { _ in (0, 0) }
    }

    static func pad(_ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0)
        let p = try ctx.input(ins, 1).ints()
        let rank = x.shape.count
        guard p.count == 2 * rank, p.allSatisfy({ $0 >= 0 }) else { throw ctx.fail("paddings \(p) for \(x.shape)") }
        let value: Float = ins.count > 2 ? (ins[2].floats().first ?? 0) : 0
        var outShape = x.shape
        for d in 0..<rank { outShape[d] += p[2 * d] + p[2 * d + 1] }
        try NativeLimits.check(outShape, ctx)
        let os = BroadcastShape.contiguous(outShape), xs = BroadcastShape.contiguous(x.shape)
        var index = [Int](repeating: 0, count: rank)
        return try TensorRemap.build(outShape, [x], ctx, fill: value) { i in
            TensorRemap.unflatten(i, os, into: &index)
            var k = 0
            for d in 0..<rank {
                let j = index[d] - p[2 * d]
                if j < 0 || j >= x.shape[d] { return nil }
                k += j * xs[d]
            }
            return (0, k)
        }
    }

    static func range(_ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> NativeTensor {
        guard ins.count == 3 else { throw ctx.fail("Range needs start, limit, delta") }
        let v = ins.map { $0.floats().first ?? 0 }
        guard v[2] != 0 else { throw ctx.fail("Range with delta 0") }
        let span: Float = (v[1] - v[0]) / v[2]
        guard span.isFinite, span < Float(NativeLimits.maxElements) else { throw ctx.fail("Range of \(v) is too long") }
        let count = max(0, Int(span.rounded(.up)))
        try NativeLimits.check([count], ctx)
        if ins.allSatisfy({ $0.dataType == .int }) {
            let s = ins[0].ints()[0], d = ins[2].ints()[0]
            return NativeTensor(shape: [count], ints: (0..<count).map { s + $0 * d })
        }
        let (t, p) = ctx.float(0, [count])
        for i in 0..<count { p[i] = v[0] + Float(i) * v[2] }
        return t
    }
}

/// Guards against shapes that would allocate absurd amounts of memory (a bad file claiming 2 GB dims).
enum NativeLimits {
    static let maxElements = 1 << 28

    static func check(_ shape: [Int], _ ctx: NativeKernelContext) throws {
        var n = 1
        for d in shape {
            let (m, overflow) = n.multipliedReportingOverflow(by: max(d, 0))
            guard !overflow, m <= maxElements else { throw ctx.shapeError("tensor of shape \(shape) is too large") }
            n = m
        }
    }
}
