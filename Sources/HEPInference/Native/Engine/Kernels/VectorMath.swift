/// Vectorized exp, tanh and sigmoid over eight floats at a time (libm's scalar tanhf dominated dense layers).
/// exp: range reduction x = n·ln2 + r, |r| ≤ ln2/2, a degree-6 polynomial for e^r (Cephes expf coefficients),
/// scaled by 2^n through the exponent bits; relative error a few ulp. tanh uses 1 − 2/(e^{2x} + 1), with the odd
/// series near 0 so small arguments keep their relative precision.
enum VectorMath {
    typealias V = SIMD8<Float>

    @inline(__always)
    static func exp(_ x: V) -> V {
        let lo = V(repeating: -87.3), hi = V(repeating: 88.3)
        let x = x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)
        // Adding 1.5·2^23 rounds to an integer held in the low mantissa bits (no float→int conversion).
        let magic = V(repeating: 12582912)
        let t = x * 1.44269504088896341 + magic
        let n = t - magic
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p = V(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r * r + r + 1
        let bits = (unsafeBitCast(t, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: V.self)
    }

    @inline(__always)
    static func tanh(_ x: V) -> V {
        let e = exp(x + x)
        let big = 1 - 2 / (e + 1)
        let x2 = x * x
        let small = x * (1 - x2 * (0.333333333 - x2 * 0.133333333))
        return big.replacing(with: small, where: abs(x) .< 0.02)
    }

    @inline(__always)
    static func sigmoid(_ x: V) -> V { 1 / (1 + exp(-x)) }

    @inline(__always)
    static func abs(_ x: V) -> V { x.replacing(with: -x, where: x .< 0) }

    /// Applies `f` in place over n floats (a scalar tail through SIMD lanes).
    @inline(__always)
    static func map(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ f: (V) -> V) {
        let raw = UnsafeMutableRawPointer(p)
        var i = 0
        while i + 8 <= n {
            raw.storeBytes(of: f(raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)), toByteOffset: i * 4, as: V.self)
            i += 8
        }
        if i < n {
            var v = V(repeating: 0)
            for k in 0..<(n - i) { v[k] = p[i + k] }
            let r = f(v)
            for k in 0..<(n - i) { p[i + k] = r[k] }
        }
    }
}
