/// Builds an output by copying elements picked from the inputs — the common core of transpose, concat,
/// gather, tile, pad and slicing. `source(i)` names (input, flat index) for output element i, nil for the
/// fill value. Keeps the element type of input 0.
enum TensorRemap {
    static func build(_ shape: [Int], _ ins: [NativeTensor], _ ctx: NativeKernelContext, fill: Float = 0, output: Int = 0,
                      _ source: (Int) -> (Int, Int)?) throws -> NativeTensor {
        let n = shape.elementCount
        switch ins.first?.storage {
        case .int?:
            let vals = ins.map { $0.ints() }
            var out = [Int](repeating: Int(fill), count: n)
            for i in 0..<n { if let (t, k) = source(i) { out[i] = vals[t][k] } }
            return NativeTensor(shape: shape, ints: out)
        case .bool?:
            let vals = ins.map { t -> [Bool] in if case let .bool(v) = t.storage { return v }; return t.floats().map { $0 != 0 } }
            var out = [Bool](repeating: fill != 0, count: n)
            for i in 0..<n { if let (t, k) = source(i) { out[i] = vals[t][k] } }
            return NativeTensor(shape: shape, storage: .bool(out))
        default:
            var owned = [FloatBuffer]()
            let pointers = ins.map { t -> UnsafeMutablePointer<Float> in
                if case let .float(b) = t.storage { return b.pointer }
                let b = FloatBuffer(t.floats())
                owned.append(b)
                return b.pointer
            }
            let (out, p) = ctx.float(output, shape)
            for i in 0..<n {
                if let (t, k) = source(i) { p[i] = pointers[t][k] } else { p[i] = fill }
            }
            withExtendedLifetime(owned) {}
            return out
        }
    }

    /// Row-major multi-index of flat index `i`.
    @inline(__always)
    static func unflatten(_ i: Int, _ strides: [Int], into index: inout [Int]) {
        var r = i
        for d in 0..<strides.count { index[d] = r / strides[d]; r %= strides[d] }
    }
}
