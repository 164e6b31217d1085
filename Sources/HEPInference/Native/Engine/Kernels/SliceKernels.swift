/// Slicing: TensorFlow StridedSlice (with begin/end/ellipsis/new-axis/shrink masks) and Slice, ONNX Slice.
enum SliceKernels {
    /// Per input dimension: first index, step, count.
    struct Window {
        var start: Int
        var step: Int
        var count: Int
    }

    /// Copies the elements a window selects; `shape` is the output shape (same element count).
    static func copy(_ x: NativeTensor, _ windows: [Window], shape: [Int], _ ctx: NativeKernelContext) throws -> NativeTensor {
        let counts = windows.map(\.count)
        let xs = BroadcastShape.contiguous(x.shape)
        let cs = BroadcastShape.contiguous(counts)
        var index = [Int](repeating: 0, count: counts.count)
        return try TensorRemap.build(shape, [x], ctx) { i in
            TensorRemap.unflatten(i, cs, into: &index)
            var k = 0
            for d in 0..<index.count { k += (windows[d].start + index[d] * windows[d].step) * xs[d] }
            return (0, k)
        }
    }

    /// Clamped start and count for [begin, end) by `step` over a dimension of `size` (negative: from the end).
    static func window(begin: Int?, end: Int?, step: Int, size: Int) -> Window {
        var b: Int, e: Int
        if step > 0 {
            b = begin.map { $0 < 0 ? $0 + size : $0 } ?? 0
            e = end.map { $0 < 0 ? $0 + size : $0 } ?? size
            b = min(max(b, 0), size)
            e = min(max(e, 0), size)
            return Window(start: b, step: step, count: e > b ? (e - b + step - 1) / step : 0)
        }
        b = begin.map { $0 < 0 ? $0 + size : $0 } ?? size - 1
        e = end.map { $0 < 0 ? $0 + size : $0 } ?? -1
        b = min(max(b, -1), size - 1)
        e = min(max(e, -1), size - 1)
        return Window(start: b, step: step, count: b > e ? (b - e - step - 1) / -step : 0)
    }

    static func stridedSlice(_ ins: [NativeTensor], _ s: NativeStridedSlice, _ ctx: NativeKernelContext) throws -> NativeTensor {
        guard ins.count == 4 else { throw ctx.fail("StridedSlice needs input, begin, end, strides") }
        let x = ins[0], begin = ins[1].ints(), end = ins[2].ints(), strides = ins[3].ints()
        let m = begin.count
        guard end.count == m, strides.count == m, !strides.contains(0) else { throw ctx.fail("StridedSlice begin/end/strides lengths or zero stride") }
        let rank = x.shape.count
        func bit(_ mask: Int, _ i: Int) -> Bool { mask & (1 << i) != 0 }
        var windows = [Window]()
        var outShape = [Int]()
        var d = 0
        var sawEllipsis = false
        for i in 0..<m {
            if bit(s.ellipsisMask, i), !sawEllipsis {
                sawEllipsis = true
                let rest = ((i + 1)..<m).filter { !bit(s.newAxisMask, $0) }.count
                let cover = rank - d - rest
                guard cover >= 0 else { throw ctx.shapeError("StridedSlice spec longer than rank \(rank)") }
                for _ in 0..<cover {
                    windows.append(Window(start: 0, step: 1, count: x.shape[d]))
                    outShape.append(x.shape[d])
                    d += 1
                }
                continue
            }
            if bit(s.newAxisMask, i) { outShape.append(1); continue }
            guard d < rank else { throw ctx.shapeError("StridedSlice spec longer than rank \(rank)") }
            let size = x.shape[d]
            if bit(s.shrinkAxisMask, i) {
                let j = begin[i] < 0 ? begin[i] + size : begin[i]
                guard j >= 0, j < size else { throw ctx.fail("StridedSlice index \(begin[i]) out of range for size \(size)") }
                windows.append(Window(start: j, step: 1, count: 1))
            } else {
                let w = window(begin: bit(s.beginMask, i) ? nil : begin[i], end: bit(s.endMask, i) ? nil : end[i],
                               step: strides[i], size: size)
                windows.append(w)
                outShape.append(w.count)
            }
            d += 1
        }
        while d < rank {
            windows.append(Window(start: 0, step: 1, count: x.shape[d]))
            outShape.append(x.shape[d])
            d += 1
        }
        return try copy(x, windows, shape: outShape, ctx)
    }

    /// TensorFlow Slice: begin and size per dimension (size -1: to the end).
    static func slice(_ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> NativeTensor {
        guard ins.count == 3 else { throw ctx.fail("Slice needs input, begin, size") }
        let x = ins[0], begin = ins[1].ints(), size = ins[2].ints()
        guard begin.count == x.shape.count, size.count == begin.count else { throw ctx.shapeError("Slice begin/size for \(x.shape)") }
        var windows = [Window]()
        for d in 0..<begin.count {
            let n = size[d] == -1 ? x.shape[d] - begin[d] : size[d]
            guard begin[d] >= 0, n >= 0, begin[d] + n <= x.shape[d] else { throw ctx.shapeError("Slice [\(begin[d]), +\(size[d])) of \(x.shape[d])") }
            windows.append(Window(start: begin[d], step: 1, count: n))
        }
        return try copy(x, windows, shape: windows.map(\.count), ctx)
    }

    /// ONNX Slice: starts, ends, optional axes and steps.
    static func sliceAxes(_ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> NativeTensor {
        guard ins.count >= 3 else { throw ctx.fail("Slice needs data, starts, ends") }
        let x = ins[0], starts = ins[1].ints(), ends = ins[2].ints()
        let rank = x.shape.count
        let axes = try (ins.count > 3 ? ins[3].ints() : Array(0..<starts.count)).map { try ctx.axis($0, rank: rank) }
        let steps = ins.count > 4 ? ins[4].ints() : [Int](repeating: 1, count: starts.count)
        guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count, !steps.contains(0) else {
            throw ctx.fail("Slice starts/ends/axes/steps lengths")
        }
        var windows = x.shape.map { Window(start: 0, step: 1, count: $0) }
        for (k, a) in axes.enumerated() {
            let size = x.shape[a]
            // ONNX clamps huge ends (INT64_MAX) to the dimension.
            windows[a] = window(begin: max(min(starts[k], size), -size - 1), end: max(min(ends[k], size), -size - 1),
                                step: steps[k], size: size)
        }
        return try copy(x, windows, shape: windows.map(\.count), ctx)
    }
}
