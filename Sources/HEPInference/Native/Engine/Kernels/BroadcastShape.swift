/// NumPy broadcasting of shapes and the element strides that read an input at an output index.
enum BroadcastShape {
    static func of(_ a: [Int], _ b: [Int], _ ctx: NativeKernelContext) throws -> [Int] {
        let r = max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            guard da == db || da == 1 || db == 1 else { throw ctx.shapeError("cannot broadcast \(a) with \(b)") }
            out[i] = da == 1 ? db : da
        }
        return out
    }

    /// Strides (in elements) of `shape` read at indices of `target`: 0 along broadcast axes.
    static func strides(_ shape: [Int], to target: [Int]) -> [Int] {
        var s = [Int](repeating: 0, count: target.count)
        var step = 1
        let offset = target.count - shape.count
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i + offset] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return s
    }

    static func stridesChecked(_ shape: [Int], to target: [Int], _ ctx: NativeKernelContext) throws -> [Int] {
        guard try of(shape, target, ctx) == target else { throw ctx.shapeError("\(shape) does not broadcast to \(target)") }
        return strides(shape, to: target)
    }

    /// Advances a row-major multi-index over `shape`.
    @inline(__always)
    static func increment(_ index: inout [Int], _ shape: [Int]) {
        var d = shape.count - 1
        while d >= 0 {
            index[d] += 1
            if index[d] < shape[d] { return }
            index[d] = 0
            d -= 1
        }
    }

    /// Row-major strides of a contiguous tensor.
    static func contiguous(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { s[i] = step; step *= shape[i] }
        return s
    }
}
