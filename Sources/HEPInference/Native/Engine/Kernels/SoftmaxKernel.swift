import Foundation

/// Softmax and log-softmax along one axis, max-subtracted for stability.
enum SoftmaxKernel {
    static func run(_ ins: [NativeTensor], axis: Int, log: Bool, _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0)
        let ax = try ctx.axis(axis, rank: x.shape.count)
        let px = try x.floatBuffer(ctx.name).pointer
        let (t, p) = ctx.float(0, x.shape)
        guard !x.shape.isEmpty else { p[0] = log ? 0 : 1; return t }
        let c = x.shape[ax], inner = x.shape[(ax + 1)...].reduce(1, *), outer = x.shape[..<ax].reduce(1, *)
        guard c > 0 else { return t }
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * c * inner + i
                var m = -Float.infinity
                for k in 0..<c { m = max(m, px[base + k * inner]) }
                var sum: Float = 0
                for k in 0..<c {
                    let e = Foundation.exp(px[base + k * inner] - m)
                    p[base + k * inner] = e
                    sum += e
                }
                if log {
                    let ls = Foundation.log(sum)
                    for k in 0..<c { p[base + k * inner] = px[base + k * inner] - m - ls }
                } else {
                    let r = 1 / sum
                    for k in 0..<c { p[base + k * inner] *= r }
                }
            }
        }
        return t
    }
}
