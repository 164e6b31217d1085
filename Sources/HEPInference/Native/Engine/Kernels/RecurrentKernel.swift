/// LSTM and GRU layers (`NativeRecurrent`): the input projection of every step at once as one sgemm
/// (X·Wᵀ + biases), then a loop over time with one small sgemm for the recurrent product (h·Rᵀ) and the gate
/// arithmetic over unsafe buffers. State and gate buffers live in the call's scratch space.
enum RecurrentKernel {
    static func run(_ r: NativeRecurrent, _ ins: [NativeTensor], _ ctx: NativeKernelContext) throws -> [NativeTensor] {
        let x = try ctx.input(ins, 0), w = try ctx.input(ins, 1), rw = try ctx.input(ins, 2)
        guard x.shape.count == 3 else { throw ctx.shapeError("recurrent input \(x.shape) is not [steps, batch, features]") }
        let (steps, batch, inputSize) = r.batchMajor ? (x.shape[1], x.shape[0], x.shape[2]) : (x.shape[0], x.shape[1], x.shape[2])
        let h = r.hiddenSize, gh = r.cell.gates * r.hiddenSize, dirs = r.directions
        guard w.shape == [dirs, gh, inputSize] else { throw ctx.shapeError("W \(w.shape) for input size \(inputSize), expected \([dirs, gh, inputSize])") }
        guard rw.shape == [dirs, gh, h] else { throw ctx.shapeError("R \(rw.shape), expected \([dirs, gh, h])") }
        let bias = try optional(ins, 3, count: dirs * 2 * gh, "B", ctx)
        let active = try activity(ins, steps: steps, batch: batch, ctx)
        let h0 = try optional(ins, 5, count: dirs * batch * h, "initial_h", ctx)
        let c0 = r.cell == .lstm ? try optional(ins, 6, count: dirs * batch * h, "initial_c", ctx) : nil

        let stateShape = r.batchMajor ? [batch, dirs, h] : [dirs, batch, h]
        let (yT, y) = ctx.float(0, r.batchMajor ? [batch, steps, dirs, h] : [steps, dirs, batch, h])
        let (yhT, yh) = ctx.float(1, stateShape)
        let cellOut = r.cell == .lstm ? ctx.float(2, stateShape) : nil
        let rows = steps * batch
        // Scratch: projections [rows, gh], h, c, new h [batch, h] each, recurrent product [batch, gh], GRU r⊙h [batch, h].
        let scratch = ctx.scratch(rows * gh + batch * (4 * h + gh))
        let xw = scratch, hs = xw + rows * gh, cs = hs + batch * h, tmp = cs + batch * h, rec = tmp + batch * h, rh = rec + batch * gh
        let px = try x.floatBuffer(ctx.name).pointer, pw = try w.floatBuffer(ctx.name).pointer, pr = try rw.floatBuffer(ctx.name).pointer
        func stateIndex(_ d: Int, _ b: Int) -> Int { r.batchMajor ? (b * dirs + d) * h : (d * batch + b) * h }
        func outputIndex(_ t: Int, _ d: Int, _ b: Int) -> Int { r.batchMajor ? ((b * steps + t) * dirs + d) * h : ((t * dirs + d) * batch + b) * h }
        func row(_ t: Int, _ b: Int) -> Int { r.batchMajor ? b * steps + t : t * batch + b }

        for d in 0..<dirs {
            let wd = pw + d * gh * inputSize, rd = pr + d * gh * h
            // Input projection of all steps, with the biases that add linearly.
            MatMulKernel.sgemm(px, wd, xw, m: rows, n: gh, k: inputSize, transposeB: true)
            var recurrentHBias: UnsafePointer<Float>?
            if let bias {
                let wb = bias + d * 2 * gh, rb = wb + gh
                var folded = [Float](repeating: 0, count: gh)
                for j in 0..<gh { folded[j] = wb[j] + rb[j] }
                if case .gru(true) = r.cell {
                    // The candidate's recurrent bias sits inside the reset gate's product.
                    for j in 2 * h..<gh { folded[j] = wb[j] }
                    recurrentHBias = UnsafePointer(rb + 2 * h)
                }
                folded.withUnsafeBufferPointer { fb in
                    guard let base = fb.baseAddress else { return }
                    for i in 0..<rows { add(xw + i * gh, base, gh) }
                }
            }
            for b in 0..<batch {
                if let h0 { (hs + b * h).update(from: h0 + stateIndex(d, b), count: h) } else { (hs + b * h).update(repeating: 0, count: h) }
                if let c0 { (cs + b * h).update(from: c0 + stateIndex(d, b), count: h) } else { (cs + b * h).update(repeating: 0, count: h) }
            }
            let reverse = r.direction == .reverse || d == 1
            for s in 0..<steps {
                let t = reverse ? steps - 1 - s : s
                MatMulKernel.sgemm(hs, rd, rec, m: batch, n: gh, k: h, transposeB: true)
                switch r.cell {
                case .lstm:
                    lstmStep(r, t: t, batch: batch, h: h, xw: xw, rec: rec, hs: hs, cs: cs, row: row, active: active)
                case let .gru(linearBeforeReset):
                    gruStep(r, t: t, batch: batch, h: h, linearBeforeReset: linearBeforeReset, recurrentHBias: recurrentHBias,
                            rd: rd, xw: xw, rec: rec, hs: hs, tmp: tmp, rh: rh, row: row, active: active)
                }
                for b in 0..<batch {
                    let out = y + outputIndex(t, d, b)
                    if active?(b, t) == false, r.zeroSkippedOutputs {
                        out.update(repeating: 0, count: h)
                    } else {
                        out.update(from: hs + b * h, count: h)
                    }
                }
            }
            for b in 0..<batch {
                (yh + stateIndex(d, b)).update(from: hs + b * h, count: h)
                if let yc = cellOut?.1 { (yc + stateIndex(d, b)).update(from: cs + b * h, count: h) }
            }
        }
        return [yT, yhT] + (cellOut.map { [$0.0] } ?? [])
    }

    /// One LSTM step for every sequence: gates i, o, f (activation f) and c (g); c = f·c + i·g(c̃), h = o·h(c).
    private static func lstmStep(_ r: NativeRecurrent, t: Int, batch: Int, h: Int, xw: UnsafeMutablePointer<Float>,
                                 rec: UnsafeMutablePointer<Float>, hs: UnsafeMutablePointer<Float>, cs: UnsafeMutablePointer<Float>,
                                 row: (Int, Int) -> Int, active: ((Int, Int) -> Bool)?) {
        let gh = 4 * h
        for b in 0..<batch where active?(b, t) ?? true {
            let g = rec + b * gh
            add(g, xw + row(t, b) * gh, gh)
            ActivationKernel.apply(r.gateActivation, g, 3 * h)
            ActivationKernel.apply(r.candidateActivation, g + 3 * h, h)
            let i = g, o = g + h, f = g + 2 * h, c = g + 3 * h, cb = cs + b * h, hb = hs + b * h
            for j in 0..<h {
                let cell = f[j] * cb[j] + i[j] * c[j]
                cb[j] = cell
                c[j] = cell
            }
            ActivationKernel.apply(r.outputActivation, c, h)
            for j in 0..<h { hb[j] = o[j] * c[j] }
        }
    }

    /// One GRU step: z, r = f(·), candidate g(x·Wₕ + r⊙(h·Rₕ + bᵣₕ)) or g(x·Wₕ + (r⊙h)·Rₕ), h = (1−z)·h̃ + z·h.
    private static func gruStep(_ r: NativeRecurrent, t: Int, batch: Int, h: Int, linearBeforeReset: Bool,
                                recurrentHBias: UnsafePointer<Float>?, rd: UnsafePointer<Float>,
                                xw: UnsafeMutablePointer<Float>, rec: UnsafeMutablePointer<Float>, hs: UnsafeMutablePointer<Float>,
                                tmp: UnsafeMutablePointer<Float>, rh: UnsafeMutablePointer<Float>,
                                row: (Int, Int) -> Int, active: ((Int, Int) -> Bool)?) {
        let gh = 3 * h
        for b in 0..<batch {
            let g = rec + b * gh
            add(g, xw + row(t, b) * gh, 2 * h)
            ActivationKernel.apply(r.gateActivation, g, 2 * h)
        }
        if !linearBeforeReset {
            // (r ⊙ h)·Rₕᵀ for all sequences at once.
            for b in 0..<batch {
                let reset = rec + b * gh + h, hb = hs + b * h, out = tmp + b * h
                for j in 0..<h { out[j] = reset[j] * hb[j] }
            }
            MatMulKernel.sgemm(tmp, rd + 2 * h * h, rh, m: batch, n: h, k: h, transposeB: true)
        }
        for b in 0..<batch where active?(b, t) ?? true {
            let g = rec + b * gh, z = g, reset = g + h, cand = g + 2 * h, x = xw + row(t, b) * gh + 2 * h, hb = hs + b * h
            if linearBeforeReset {
                for j in 0..<h { cand[j] = x[j] + reset[j] * (cand[j] + (recurrentHBias?[j] ?? 0)) }
            } else {
                let p = rh + b * h
                for j in 0..<h { cand[j] = x[j] + p[j] }
            }
            ActivationKernel.apply(r.candidateActivation, cand, h)
            for j in 0..<h { hb[j] = (1 - z[j]) * cand[j] + z[j] * hb[j] }
        }
    }

    @inline(__always)
    private static func add(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { a[i] += b[i] }
    }

    /// Input `i` when it is given (has elements), checked to hold `count` floats.
    private static func optional(_ ins: [NativeTensor], _ i: Int, count: Int, _ what: String, _ ctx: NativeKernelContext) throws -> UnsafePointer<Float>? {
        guard i < ins.count, ins[i].elementCount > 0 else { return nil }
        guard ins[i].elementCount == count else { throw ctx.shapeError("\(what) \(ins[i].shape) has \(ins[i].elementCount) values, expected \(count)") }
        return UnsafePointer(try ins[i].floatBuffer(ctx.name).pointer)
    }

    /// Which (sequence, step) pairs update the state: nil when all do; else from lengths [batch] (int) or a
    /// mask [batch, steps] (float or bool).
    private static func activity(_ ins: [NativeTensor], steps: Int, batch: Int, _ ctx: NativeKernelContext) throws -> ((Int, Int) -> Bool)? {
        guard ins.count > 4, ins[4].elementCount > 0 else { return nil }
        let s = ins[4]
        switch s.storage {
        case let .int(lengths):
            guard lengths.count == batch else { throw ctx.shapeError("sequence lengths \(s.shape) for batch \(batch)") }
            return { b, t in t < lengths[b] }
        case .float, .bool:
            guard s.shape == [batch, steps] else { throw ctx.shapeError("mask \(s.shape) for [batch, steps] = \([batch, steps])") }
            let mask = s.floats()
            return { b, t in mask[b * steps + t] != 0 }
        }
    }
}
