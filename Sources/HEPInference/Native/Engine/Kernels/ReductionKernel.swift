/// Mean/Sum/Max/Min/Prod over a set of axes (TensorFlow Mean, Sum, Max; ONNX Reduce*, GlobalAveragePool).
enum ReductionKernel {
    static func run(_ kind: NativeReduction, axes: [Int]?, keepDims: Bool, _ ins: [NativeTensor],
                    _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0)
        let rank = x.shape.count
        let raw = try axes ?? ctx.input(ins, 1).ints()
        var reduced = Set<Int>()
        for a in raw { reduced.insert(try ctx.axis(a, rank: rank)) }
        if raw.isEmpty { reduced = Set(0..<rank) }
        var outShape = [Int]()
        for d in 0..<rank {
            if reduced.contains(d) { if keepDims { outShape.append(1) } } else { outShape.append(x.shape[d]) }
        }
        // Contiguous reduced axes over a float tensor: [outer, reduced, inner] loops without index arithmetic.
        if case let .float(buffer) = x.storage, let lo = reduced.min(), let hi = reduced.max(), hi - lo + 1 == reduced.count {
            let outer = x.shape[..<lo].reduce(1, *), red = x.shape[lo...hi].reduce(1, *), inner = x.shape[(hi + 1)...].reduce(1, *)
            let src = buffer.pointer
            let (t, p) = ctx.float(0, outShape)
            let initialValue: Float = kind == .max ? -.infinity : kind == .min ? .infinity : kind == .prod ? 1 : 0
            for o in 0..<outer {
                let dst = p + o * inner
                dst.update(repeating: initialValue, count: inner)
                for r in 0..<red {
                    let row = src + (o * red + r) * inner
                    switch kind {
                    case .sum, .mean: for i in 0..<inner { dst[i] += row[i] }
                    case .prod: for i in 0..<inner { dst[i] *= row[i] }
                    case .max: for i in 0..<inner { dst[i] = max(dst[i], row[i]) }
                    case .min: for i in 0..<inner { dst[i] = min(dst[i], row[i]) }
                    }
                }
                if kind == .mean, red > 0 {
                    let scale = 1 / Float(red)
                    for i in 0..<inner { dst[i] *= scale }
                }
            }
            return t
        }
        // Walk the input once; the output index ignores reduced axes.
        let outStrides = BroadcastShape.contiguous((0..<rank).map { reduced.contains($0) ? 1 : x.shape[$0] })
        let strides = (0..<rank).map { reduced.contains($0) ? 0 : outStrides[$0] }
        let count = x.elementCount, outCount = outShape.elementCount
        let groupSize = outCount == 0 ? 0 : count / max(outCount, 1)
        let initial: Float = kind == .max ? -.infinity : kind == .min ? .infinity : kind == .prod ? 1 : 0
        let values = x.floats()
        if case .int = x.storage {
            var acc = [Int](repeating: kind == .prod ? 1 : (kind == .max ? .min : kind == .min ? .max : 0), count: outCount)
            let iv = x.ints()
            var index = [Int](repeating: 0, count: rank)
            for i in 0..<count {
                var o = 0
                for d in 0..<rank { o += index[d] * strides[d] }
                switch kind {
                case .sum, .mean: acc[o] &+= iv[i]
                case .prod: acc[o] &*= iv[i]
                case .max: acc[o] = max(acc[o], iv[i])
                case .min: acc[o] = min(acc[o], iv[i])
                }
                BroadcastShape.increment(&index, x.shape)
            }
            if kind == .mean, groupSize > 0 { acc = acc.map { $0 / groupSize } }
            return NativeTensor(shape: outShape, ints: acc)
        }
        let (t, p) = ctx.float(0, outShape)
        p.update(repeating: initial, count: outCount)
        var index = [Int](repeating: 0, count: rank)
        values.withUnsafeBufferPointer { v in
            for i in 0..<count {
                var o = 0
                for d in 0..<rank { o += index[d] * strides[d] }
                switch kind {
                case .sum, .mean: p[o] += v[i]
                case .prod: p[o] *= v[i]
                case .max: p[o] = max(p[o], v[i])
                case .min: p[o] = min(p[o], v[i])
                }
                BroadcastShape.increment(&index, x.shape)
            }
        }
        if kind == .mean, groupSize > 0 {
            let r = 1 / Float(groupSize)
            for i in 0..<outCount { p[i] *= r }
        }
        return t
    }

    /// First index of the extreme value along `axis`.
    static func argMax(_ ins: [NativeTensor], axis: Int, keepDims: Bool, largest: Bool, _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0)
        let ax = try ctx.axis(axis, rank: x.shape.count)
        let v = x.floats()
        let c = x.shape[ax], inner = x.shape[(ax + 1)...].reduce(1, *), outer = x.shape[..<ax].reduce(1, *)
        guard c > 0 else { throw ctx.shapeError("ArgMax over an empty axis of \(x.shape)") }
        var out = [Int](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                var best = 0, bestValue = v[o * c * inner + i]
                for k in 1..<max(c, 1) {
                    let e = v[(o * c + k) * inner + i]
                    if largest ? e > bestValue : e < bestValue { best = k; bestValue = e }
                }
                out[o * inner + i] = best
            }
        }
        var shape = x.shape
        if keepDims { shape[ax] = 1 } else { shape.remove(at: ax) }
        return NativeTensor(shape: shape, ints: out)
    }
}
