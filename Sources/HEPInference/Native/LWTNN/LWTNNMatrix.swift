import COpenBLAS

/// A weight matrix as lwtnn stores it: `rows` outputs × `columns` inputs, row-major
/// (element (r, c) is `weights[c + r * columns]`).
struct LWTNNMatrix: Sendable {
    let rows: Int
    let columns: Int
    let values: [Double]

    /// Builds the matrix from a flat lwtnn weight list and the number of inputs; the count must divide evenly.
    init(weights: [Double], columns: Int, context: String, field: String = "weights") throws {
        guard columns > 0 else {
            throw LWTNNLoadError.invalid(context: context, reason: "'\(field)' applied to an input of size 0")
        }
        guard !weights.isEmpty, weights.count % columns == 0 else {
            throw LWTNNLoadError.invalid(context: context,
                                         reason: "'\(field)' has \(weights.count) values, not a non-zero multiple of the \(columns) inputs")
        }
        rows = weights.count / columns
        self.columns = columns
        values = weights
    }

    init(rows: Int, columns: Int, values: [Double]) {
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Stacks matrices with the same number of columns on top of each other.
    static func stacked(_ parts: [LWTNNMatrix]) -> LWTNNMatrix {
        LWTNNMatrix(rows: parts.reduce(0) { $0 + $1.rows }, columns: parts.first?.columns ?? 0, values: parts.flatMap(\.values))
    }

    /// `out[n, r] (+)= Σ_c x[n, c] · W[r, c]` for `count` input rows of `columns` values, with the input rows
    /// `inputStride` apart and the output rows `outputStride` apart. `accumulate` adds to what `out` holds.
    func multiply(_ x: UnsafePointer<Double>, count: Int, inputStride: Int? = nil,
                  into out: UnsafeMutablePointer<Double>, outputStride: Int? = nil, accumulate: Bool) {
        guard count > 0, rows > 0 else { return }
        values.withUnsafeBufferPointer { w in
            guard let wp = w.baseAddress else { return }
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), Int32(rows), Int32(columns),
                        1.0, x, Int32(inputStride ?? columns), wp, Int32(columns),
                        accumulate ? 1.0 : 0.0, out, Int32(outputStride ?? rows))
        }
    }

    /// `out (+)= x · Wᵀ` for `count` contiguous rows.
    func multiply(_ x: [Double], count: Int, into out: inout [Double], accumulate: Bool) {
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                guard let xb = xp.baseAddress, let ob = op.baseAddress else { return }
                multiply(xb, count: count, into: ob, accumulate: accumulate)
            }
        }
    }

    /// `x · Wᵀ + bias` for `count` rows.
    func affine(_ x: [Double], count: Int, bias: [Double]?) -> [Double] {
        var out = [Double](repeating: 0, count: count * rows)
        if let bias {
            out.withUnsafeMutableBufferPointer { o in
                for n in 0..<count { for r in 0..<rows { o[n * rows + r] = bias[r] } }
            }
        }
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { o in
                guard let xb = xp.baseAddress, let ob = o.baseAddress else { return }
                multiply(xb, count: count, into: ob, accumulate: bias != nil)
            }
        }
        return out
    }
}
