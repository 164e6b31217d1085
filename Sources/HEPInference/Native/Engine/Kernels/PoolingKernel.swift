/// Max and average pooling over 2-D windows (NHWC or NCHW); average pooling counts padded cells only
/// when asked (ONNX count_include_pad), as TensorFlow never does.
enum PoolingKernel {
    static func run(_ p: NativePooling, _ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0)
        guard x.shape.count == 4 else { throw ctx.shapeError("pooling needs a 4-D input, got \(x.shape)") }
        let nhwc = p.layout == .nhwc
        let (n, h, w, c) = nhwc ? (x.shape[0], x.shape[1], x.shape[2], x.shape[3]) : (x.shape[0], x.shape[2], x.shape[3], x.shape[1])
        let (kh, kw) = p.global ? (h, w) : p.window
        let (sh, sw) = p.global ? (1, 1) : p.strides
        guard kh > 0, kw > 0, sh > 0, sw > 0 else { throw ctx.fail("pooling window \(kh)×\(kw), strides \(sh)×\(sw)") }
        let padding = p.global ? .valid : p.padding
        let (padT, oh) = padding.resolve(input: h, kernel: kh, stride: sh, dilation: 1, axis: 0)
        let (padL, ow) = padding.resolve(input: w, kernel: kw, stride: sw, dilation: 1, axis: 1)
        guard oh > 0, ow > 0 else { throw ctx.shapeError("pooling output would be empty for \(x.shape)") }
        let px = try x.floatBuffer(ctx.name).pointer
        let (t, out) = ctx.float(0, nhwc ? [n, oh, ow, c] : [n, c, oh, ow])
        // Element strides of (batch, y, x, channel) in input and output.
        let si = nhwc ? (h * w * c, w * c, c, 1) : (c * h * w, w, 1, h * w)
        let so = nhwc ? (oh * ow * c, ow * c, c, 1) : (c * oh * ow, ow, 1, oh * ow)
        let padB = p.padding == .valid ? 0 : max(0, (oh - 1) * sh + kh - h - padT)
        let padR = p.padding == .valid ? 0 : max(0, (ow - 1) * sw + kw - w - padL)
        if nhwc {
            poolNHWC(p, px, out, n: n, h: h, w: w, c: c, oh: oh, ow: ow, kh: kh, kw: kw, sh: sh, sw: sw,
                     padT: padT, padL: padL, padB: padB, padR: padR)
            return t
        }
        for b in 0..<n {
            for oy in 0..<oh {
                let y0 = oy * sh - padT, y1 = min(y0 + kh, h), ys = max(y0, 0)
                for ox in 0..<ow {
                    let x0 = ox * sw - padL, x1 = min(x0 + kw, w), xs = max(x0, 0)
                    let count: Float
                    if p.countPadding {
                        count = Float((min(y0 + kh, h + padB) - y0) * (min(x0 + kw, w + padR) - x0))
                    } else {
                        count = Float(max(y1 - ys, 0) * max(x1 - xs, 0))
                    }
                    for ch in 0..<c {
                        var acc: Float = p.max ? -.infinity : 0
                        for iy in ys..<max(y1, ys) {
                            for ix in xs..<max(x1, xs) {
                                let v = px[b * si.0 + iy * si.1 + ix * si.2 + ch * si.3]
                                if p.max { acc = Swift.max(acc, v) } else { acc += v }
                            }
                        }
                        out[b * so.0 + oy * so.1 + ox * so.2 + ch * so.3] = p.max ? acc : (count > 0 ? acc / count : 0)
                    }
                }
            }
        }
        return t
    }

    /// NHWC: channels are contiguous, so each window position updates a whole channel row (vectorized).
    private static func poolNHWC(_ p: NativePooling, _ px: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                 n: Int, h: Int, w: Int, c: Int, oh: Int, ow: Int, kh: Int, kw: Int, sh: Int, sw: Int,
                                 padT: Int, padL: Int, padB: Int, padR: Int) {
        for b in 0..<n {
            for oy in 0..<oh {
                let y0 = oy * sh - padT, ys = max(y0, 0), y1 = min(y0 + kh, h)
                for ox in 0..<ow {
                    let x0 = ox * sw - padL, xs = max(x0, 0), x1 = min(x0 + kw, w)
                    let dst = out + ((b * oh + oy) * ow + ox) * c
                    for ch in 0..<c { dst[ch] = p.max ? -.infinity : 0 }
                    for iy in ys..<max(y1, ys) {
                        for ix in xs..<max(x1, xs) {
                            let row = px + ((b * h + iy) * w + ix) * c
                            if p.max {
                                for ch in 0..<c { dst[ch] = dst[ch] > row[ch] ? dst[ch] : row[ch] }
                            } else {
                                for ch in 0..<c { dst[ch] += row[ch] }
                            }
                        }
                    }
                    if !p.max {
                        let count = p.countPadding ? (min(y0 + kh, h + padB) - y0) * (min(x0 + kw, w + padR) - x0)
                                                   : max(y1 - ys, 0) * max(x1 - xs, 0)
                        let r: Float = count > 0 ? 1 / Float(count) : 0
                        for ch in 0..<c { dst[ch] *= r }
                    }
                }
            }
        }
    }
}
