import Testing
@testable import ROOTIO

@Suite struct CodecTests {
    /// A buffer with structure (compressible) and noise, larger than one ROOT block when `size` is large.
    static func sample(_ size: Int, seed: UInt64 = 42) -> [UInt8] {
        var x = seed
        return (0..<size).map { i in
            x = x &* 6364136223846793005 &+ 1442695040888963407
            return i % 7 == 0 ? UInt8(truncatingIfNeeded: x >> 33) : UInt8(truncatingIfNeeded: i / 13)
        }
    }

    @Test(arguments: Codec.allCases)
    func rootBlockRoundTrip(codec: Codec) throws {
        for size in [1, 1000, 300_000] {
            let data = Self.sample(size)
            let framed = try #require(ROOTDecompressor.compress(data, codec: codec))
            #expect(framed.count >= 9)
            let back = try framed.withUnsafeBytes {
                try ROOTDecompressor.decompress($0, uncompressedSize: data.count, file: "mem", object: "test", fileOffset: 0)
            }
            #expect(back == data)
        }
    }

    @Test func objectSplitIntoSeveralBlocks() throws {
        let data = Self.sample(0xFF_FFFF + 12345)
        let framed = try #require(ROOTDecompressor.compress(data, codec: .zstd))
        let back = try framed.withUnsafeBytes {
            try ROOTDecompressor.decompress($0, uncompressedSize: data.count, file: "mem", object: "test", fileOffset: 0)
        }
        #expect(back == data)
    }

    @Test func lz4ChecksumIsVerified() throws {
        let data = Self.sample(5000)
        var framed = try #require(ROOTDecompressor.compress(data, codec: .lz4))
        framed[9 + 8 + 20] ^= 0x01
        #expect(throws: ROOTIOError.self) {
            try framed.withUnsafeBytes {
                try ROOTDecompressor.decompress($0, uncompressedSize: data.count, file: "mem", object: "t", fileOffset: 0)
            }
        }
    }

    @Test func unknownMagicAndShortInputAreErrors() {
        let bad: [UInt8] = [0x51, 0x51, 1, 4, 0, 0, 4, 0, 0, 1, 2, 3, 4]
        #expect(throws: ROOTIOError.self) {
            try bad.withUnsafeBytes { try ROOTDecompressor.decompress($0, uncompressedSize: 4, file: "m", object: "t", fileOffset: 0) }
        }
        let short: [UInt8] = [0x5A, 0x4C, 8]
        #expect(throws: ROOTIOError.self) {
            try short.withUnsafeBytes { try ROOTDecompressor.decompress($0, uncompressedSize: 4, file: "m", object: "t", fileOffset: 0) }
        }
    }

    /// Reference values computed with Python's `xxhash` 3.x package (an independent implementation):
    /// `xxhash.xxh64(bytes(range(256)) * 4)`, the same with `seed=7`, and `xxhash.xxh3_64(...)`.
    @Test func xxhashMatchesPythonXXHash() {
        let buffer = (0..<1024).map { UInt8($0 % 256) }
        #expect(XXHash.xxh64(buffer) == 8_014_460_039_616_323_415)
        #expect(XXHash.xxh64(buffer, seed: 7) == 12_771_370_652_779_013_098)
        #expect(XXHash.xxh3(buffer) == 12_137_474_952_470_826_274)
        #expect(XXHash.xxh64([]) == 0xEF46_DB37_51D8_E999)
    }
}
