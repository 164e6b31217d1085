import Testing
@testable import ROOTIO

/// Truncated and corrupted files give typed errors; none crashes or hangs.
@Suite struct CorruptionTests {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    }

    static func inspect(_ bytes: [UInt8], name: String) async throws -> JSONValue {
        let f = try await ROOTFile.open(source: MemorySource(name: name, bytes: bytes))
        return try await FileInspection.inspect(f, threads: 2, chunkSize: 500)
    }

    static let files = ["uproot-HZZ-zlib.root", "leaftypes-a-lz4.root", "uproot-sample-6.20.04-lzma.root",
                        "nanoAOD_2015_CMS_Open_Data_ttbar.root", "uproot-small-dy-nooffsets.root",
                        "uproot-nesteddirs.root", "nanoaod-like-a-zstd.root"]

    @Test(arguments: files)
    func truncatedFilesThrowTypedErrors(file: String) async throws {
        let bytes = try TestData.readFile(TestData.path(file))
        var rng = SplitMix(state: 1234)
        let cuts = [0, 3, 10, 63, 100, 200, bytes.count - 1] + (0..<25).map { _ in rng.below(bytes.count) }
        for cut in cuts {
            await #expect(throws: ROOTIOError.self, "\(file) truncated at \(cut)") {
                _ = try await Self.inspect(Array(bytes[0..<cut]), name: "\(file)[:\(cut)]")
            }
        }
    }

    /// Flipped bytes inside compressed baskets of checksummed codecs (zlib adler32, xz crc, lz4 xxh64) are errors.
    /// The last 5 bytes of a payload are left alone: the final deflate byte may hold unused padding bits.
    /// ROOT writes zstd frames without a content checksum, so damage there can go unnoticed by any reader.
    @Test(arguments: ["uproot-HZZ-zlib.root", "leaftypes-a-lz4.root", "nanoaod-like-a-lzma.root",
                      "nanoaod-like-a-lz4.root"])
    func flippedCompressedBytesThrow(file: String) async throws {
        let original = try TestData.readFile(TestData.path(file))
        let f = try await ROOTFile.open(path: TestData.path(file))
        var payloads: [Range<Int>] = []
        for (path, key) in try await f.allKeys() where key.className == "TTree" {
            for b in try await f.tree(path).allBranches {
                for i in 0..<b.writeBasket where b.basketSeek[i] > 0 {
                    let seek = Int(b.basketSeek[i])
                    var c = ByteCursor(bytes: Array(original[seek..<(seek + Int(b.basketBytes[i]))]), file: file, object: "key")
                    let k = try Key(from: &c)
                    if k.isCompressed { payloads.append((seek + Int(k.keylen) + 9)..<(seek + Int(k.nbytes) - 5)) }
                }
            }
        }
        try #require(payloads.count > 3)
        let clean = try await Self.inspect(original, name: file)
        var rng = SplitMix(state: 99)
        var errors = 0
        for _ in 0..<20 {
            let r = payloads[rng.below(payloads.count)]
            var bytes = original
            let at = r.lowerBound + rng.below(r.count)
            bytes[at] ^= UInt8(1 << rng.below(8))
            do {
                let damaged = try await Self.inspect(bytes, name: file)
                // A flip in an unused part of a deflate Huffman table decodes to the same bytes: harmless.
                #expect(damaged == clean, "\(file): byte \(at) flipped gave different data without an error")
            } catch is ROOTIOError {
                errors += 1
            }
        }
        #expect(errors >= 15, "\(file): only \(errors) of 20 flips were detected")
    }

    /// Random damage anywhere (headers, keys, streamers, data): a typed error or a result, never a crash.
    @Test(arguments: files)
    func randomDamageNeverCrashes(file: String) async throws {
        let original = try TestData.readFile(TestData.path(file))
        var rng = SplitMix(state: 7)
        for _ in 0..<30 {
            var bytes = original
            for _ in 0..<(1 + rng.below(4)) {
                let at = rng.below(bytes.count)
                bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            }
            do {
                _ = try await Self.inspect(bytes, name: file)
            } catch is ROOTIOError {
            } catch {
                Issue.record("\(file): untyped error \(error)")
            }
        }
    }

    /// Sets fObjlen (bytes 6..<10 of a key header) to `objlen` in every copy of the header that starts at
    /// `seek` (the record itself and its entry in the directory's keys list).
    static func settingObjlen(_ bytes: [UInt8], keyAt seek: Int, keylen: Int, to objlen: Int32) -> [UInt8] {
        let header = Array(bytes[seek..<(seek + keylen)])
        var out = bytes
        var i = 0
        while i + keylen <= out.count {
            if out[i] == header[0], Array(out[i..<(i + keylen)]) == header {
                withUnsafeBytes(of: objlen.bigEndian) { for k in 0..<4 { out[i + 6 + k] = $0[k] } }
                i += keylen
            } else {
                i += 1
            }
        }
        return out
    }

    /// Issue 10 item 7: a key or basket whose fObjlen says 2 GB is refused from its block headers before any
    /// buffer of that size exists (the CLI's peak memory is checked in Tests/Integration/test_reader_memory.py).
    @Test(arguments: ["uproot-small-dy-withoffsets.root", "uproot-HZZ-lzma.root", "nanoaod-like-a-zstd.root",
                      "leaftypes-a-lz4.root"])
    func hugeObjlenIsRefusedBeforeAllocating(file: String) async throws {
        let original = try TestData.readFile(TestData.path(file))
        let f = try await ROOTFile.open(path: TestData.path(file))
        let treeKey = try #require(f.root.keys.first { $0.className == "TTree" })
        let damagedTree = Self.settingObjlen(original, keyAt: Int(treeKey.seekKey), keylen: Int(treeKey.keylen),
                                             to: 2_000_000_000)
        await #expect(throws: ROOTIOError.self, "\(file): tree key with fObjlen 2e9") {
            _ = try await Self.inspect(damagedTree, name: file)
        }
        do {
            _ = try await Self.inspect(damagedTree, name: file)
        } catch let error as ROOTIOError {
            guard case let .corruptBlock(_, object, _, reason) = error else {
                Issue.record("\(file): expected a corrupt block, got \(error)")
                return
            }
            #expect(object.contains(treeKey.name) && reason.contains("2000000000"), "\(error)")
        }
        let tree = try await f.tree(treeKey.name)
        let branch = try #require(tree.allBranches.first { $0.writeBasket > 0 && $0.basketSeek[0] > 0 })
        let seek = Int(branch.basketSeek[0])
        var c = ByteCursor(bytes: Array(original[seek..<(seek + Int(branch.basketBytes[0]))]), file: file, object: "key")
        let basketKey = try Key(from: &c)
        let damagedBasket = Self.settingObjlen(original, keyAt: seek, keylen: Int(basketKey.keylen), to: 2_000_000_000)
        await #expect(throws: ROOTIOError.self, "\(file): basket with fObjlen 2e9") {
            _ = try await Self.inspect(damagedBasket, name: file)
        }
    }

    /// Block headers that claim more than their codec can produce are refused without decompressing.
    @Test(arguments: Codec.allCases)
    func blockExpansionIsBounded(codec: Codec) throws {
        var framed = try #require(ROOTDecompressor.compress(Array(repeating: 7, count: 1000), codec: codec))
        let claimed = 0xFF_FFFF
        framed[6] = UInt8(claimed & 0xFF)
        framed[7] = UInt8(claimed >> 8 & 0xFF)
        framed[8] = UInt8(claimed >> 16 & 0xFF)
        #expect(throws: ROOTIOError.self) {
            try framed.withUnsafeBytes {
                try ROOTDecompressor.validate($0, uncompressedSize: claimed, file: "f", object: "o", fileOffset: 0)
            }
        }
    }

    @Test func notROOTAndMissingFiles() async throws {
        await #expect(throws: ROOTIOError.notROOT(file: "text")) {
            _ = try await ROOTFile.open(source: MemorySource(name: "text", bytes: Array("hello, world".utf8)))
        }
        await #expect(throws: ROOTIOError.self) { _ = try await ROOTFile.open(path: "/nonexistent/file.root") }
        await #expect(throws: ROOTIOError.self) { _ = try await ROOTFile.open(path: TestData.rootDirectory) }
    }
}
