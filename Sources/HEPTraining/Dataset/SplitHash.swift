/// Seeded, stable assignment of events to train/validation/test from (file, entry): independent of chunk
/// sizes, shuffling and run.
public struct SplitHash: Sendable {
    public let seed: UInt64
    public let fractions: (train: Double, validation: Double, test: Double)

    public init(seed: UInt64, fractions: (train: Double, validation: Double, test: Double)) {
        self.seed = seed
        self.fractions = fractions
    }

    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public func split(file: String, entry: Int64) -> DataSplit {
        split(fileHash: Self.fnv1a(file), entry: entry)
    }

    /// The same with the file name's hash computed once (`SplitHash.fnv1a(file)`).
    public func split(fileHash: UInt64, entry: Int64) -> DataSplit {
        let u = Double(Self.mix(seed ^ Self.mix(fileHash ^ UInt64(bitPattern: entry))) >> 11) / Double(1 << 53)
        if u < fractions.train { return .train }
        if u < fractions.train + fractions.validation { return .validation }
        return .test
    }
}

/// A small seeded generator (SplitMix64) for shuffling.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitHash.mix(state &- 0x9E37_79B9_7F4A_7C15)
    }
}
