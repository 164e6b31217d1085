/// 2-D convolution: im2col into workspace scratch, then one `sgemm` per image (and group); depthwise
/// convolution directly. Bias and activation are fused.
enum ConvolutionKernel {
    static func run(_ c: NativeConvolution, _ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> NativeTensor {
        let x = try ctx.input(ins, 0), w = try ctx.input(ins, 1)
        guard x.shape.count == 4, w.shape.count == 4 else { throw ctx.shapeError("Conv2D input \(x.shape), filter \(w.shape)") }
        let nhwc = c.layout == .nhwc
        let (n, h, wd, ch) = nhwc ? (x.shape[0], x.shape[1], x.shape[2], x.shape[3]) : (x.shape[0], x.shape[2], x.shape[3], x.shape[1])
        // Filter dims: kernel size, input channels per group, output channels.
        let (kh, kw, cinG, cout): (Int, Int, Int, Int)
        if c.depthwise {
            (kh, kw, cinG, cout) = (w.shape[0], w.shape[1], 1, w.shape[2] * w.shape[3])
            guard w.shape[2] == ch else { throw ctx.shapeError("depthwise filter \(w.shape) for \(ch) channels") }
        } else if nhwc {
            (kh, kw, cinG, cout) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        } else {
            (kh, kw, cinG, cout) = (w.shape[2], w.shape[3], w.shape[1], w.shape[0])
        }
        let groups = c.depthwise ? ch : c.groups
        guard groups > 0, cinG * groups == ch || c.depthwise, cout % max(groups, 1) == 0 else {
            throw ctx.shapeError("filter \(w.shape) for input \(x.shape) with \(groups) groups")
        }
        let (padT, oh) = c.padding.resolve(input: h, kernel: kh, stride: c.strides.0, dilation: c.dilations.0, axis: 0)
        let (padL, ow) = c.padding.resolve(input: wd, kernel: kw, stride: c.strides.1, dilation: c.dilations.1, axis: 1)
        guard oh > 0, ow > 0 else { throw ctx.shapeError("Conv2D output would be empty for input \(x.shape), filter \(w.shape)") }
        let (t, out) = ctx.float(0, nhwc ? [n, oh, ow, cout] : [n, cout, oh, ow])
        let px = try x.floatBuffer(ctx.name).pointer, pw = try w.floatBuffer(ctx.name).pointer
        let geo = Geometry(h: h, w: wd, c: ch, kh: kh, kw: kw, oh: oh, ow: ow, padT: padT, padL: padL,
                           sh: c.strides.0, sw: c.strides.1, dh: c.dilations.0, dw: c.dilations.1)
        if c.depthwise, nhwc {
            depthwiseNHWC(px, pw, out, n: n, multiplier: w.shape[3], geo)
        } else if nhwc {
            guard groups == 1 else { throw ctx.fail("grouped NHWC convolution is not supported") }
            let k = kh * kw * ch
            let pointwise = kh == 1 && kw == 1 && padT == 0 && padL == 0 && c.strides == (1, 1) && oh == h && ow == wd
            if pointwise {
                MatMulKernel.sgemm(px, pw, out, m: n * oh * ow, n: cout, k: k)
            } else {
                // Images in chunks (scratch ≤ 16 M floats): one im2col per image, one sgemm per chunk.
                let perImage = oh * ow * k
                let chunk = max(1, min(n, (1 << 24) / max(perImage, 1)))
                let col = ctx.scratch(chunk * perImage)
                var b = 0
                while b < n {
                    let m = min(chunk, n - b)
                    for i in 0..<m { im2colNHWC(px + (b + i) * h * wd * ch, col + i * perImage, geo) }
                    MatMulKernel.sgemm(col, pw, out + b * oh * ow * cout, m: m * oh * ow, n: cout, k: k)
                    b += m
                }
            }
        } else {
            let k = cinG * kh * kw, og = cout / groups
            let col = ctx.scratch(k * oh * ow)
            for b in 0..<n {
                for g in 0..<groups {
                    im2colNCHW(px + (b * ch + g * cinG) * h * wd, col, channels: cinG, geo)
                    MatMulKernel.sgemm(pw + g * og * k, col, out + (b * cout + g * og) * oh * ow, m: og, n: oh * ow, k: k)
                }
            }
        }
        if ins.count > 2 {
            let bias = ins[2]
            guard bias.elementCount == cout else { throw ctx.shapeError("bias of \(bias.elementCount) for \(cout) channels") }
            let pb = try bias.floatBuffer(ctx.name).pointer
            if nhwc {
                for r in 0..<(n * oh * ow) { for o in 0..<cout { out[r * cout + o] += pb[o] } }
            } else {
                for b in 0..<n { for o in 0..<cout {
                    let base = out + (b * cout + o) * oh * ow, v = pb[o]
                    for i in 0..<(oh * ow) { base[i] += v }
                } }
            }
        }
        ActivationKernel.apply(c.activation, out, n * oh * ow * cout)
        return t
    }

    struct Geometry {
        var h, w, c, kh, kw, oh, ow, padT, padL, sh, sw, dh, dw: Int
    }

    /// Rows (oy, ox), columns (ky, kx, c): matches HWIO filters flattened to [kh·kw·c, out].
    private static func im2colNHWC(_ src: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, _ g: Geometry) {
        var dst = col
        let run = g.kw * g.c
        for oy in 0..<g.oh {
            for ox in 0..<g.ow {
                let x0 = ox * g.sw - g.padL
                // The kernel row lies inside the image: kw·c contiguous input floats (dilation 1).
                let inside = g.dw == 1 && x0 >= 0 && x0 + g.kw <= g.w
                for ky in 0..<g.kh {
                    let iy = oy * g.sh - g.padT + ky * g.dh
                    if iy < 0 || iy >= g.h {
                        for k in 0..<run { dst[k] = 0 }
                        dst += run
                        continue
                    }
                    if inside {
                        let s = src + (iy * g.w + x0) * g.c
                        for k in 0..<run { dst[k] = s[k] }
                        dst += run
                        continue
                    }
                    for kx in 0..<g.kw {
                        let ix = x0 + kx * g.dw
                        if ix >= 0, ix < g.w {
                            let s = src + (iy * g.w + ix) * g.c
                            for k in 0..<g.c { dst[k] = s[k] }
                        } else {
                            for k in 0..<g.c { dst[k] = 0 }
                        }
                        dst += g.c
                    }
                }
            }
        }
    }

    /// Rows (c, ky, kx), columns (oy, ox): matches OIHW filters as [out, c·kh·kw].
    private static func im2colNCHW(_ src: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, channels: Int, _ g: Geometry) {
        var dst = col
        for ci in 0..<channels {
            let plane = src + ci * g.h * g.w
            for ky in 0..<g.kh {
                for kx in 0..<g.kw {
                    for oy in 0..<g.oh {
                        let iy = oy * g.sh - g.padT + ky * g.dh
                        if iy < 0 || iy >= g.h {
                            dst.update(repeating: 0, count: g.ow)
                            dst += g.ow
                            continue
                        }
                        for ox in 0..<g.ow {
                            let ix = ox * g.sw - g.padL + kx * g.dw
                            dst.pointee = ix >= 0 && ix < g.w ? plane[iy * g.w + ix] : 0
                            dst += 1
                        }
                    }
                }
            }
        }
    }

    /// TensorFlow depthwise: output channel c·m + j reads input channel c with filter [ky, kx, c, j].
    private static func depthwiseNHWC(_ src: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                      n: Int, multiplier m: Int, _ g: Geometry) {
        let cout = g.c * m
        for b in 0..<n {
            let img = src + b * g.h * g.w * g.c
            for oy in 0..<g.oh {
                for ox in 0..<g.ow {
                    let o = out + ((b * g.oh + oy) * g.ow + ox) * cout
                    o.update(repeating: 0, count: cout)
                    for ky in 0..<g.kh {
                        let iy = oy * g.sh - g.padT + ky * g.dh
                        guard iy >= 0, iy < g.h else { continue }
                        for kx in 0..<g.kw {
                            let ix = ox * g.sw - g.padL + kx * g.dw
                            guard ix >= 0, ix < g.w else { continue }
                            let pin = img + (iy * g.w + ix) * g.c, pf = w + (ky * g.kw + kx) * cout
                            for ci in 0..<g.c {
                                let v = pin[ci]
                                for j in 0..<m { o[ci * m + j] += v * pf[ci * m + j] }
                            }
                        }
                    }
                }
            }
        }
    }
}
