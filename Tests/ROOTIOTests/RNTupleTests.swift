import Testing
@testable import ROOTIO

/// RNTuple structure, the TTree-like API, and damaged RNTuple files.
@Suite struct RNTupleTests {
    static let jagged = "test_1jag_int_float_rntuple_v1-0-0-0.root"
    static let muons = "Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root"

    static func open(_ bytes: [UInt8], name: String) async throws -> Tree {
        let f = try await ROOTFile.open(source: MemorySource(name: name, bytes: bytes))
        guard let key = try await f.allKeys().first(where: { $0.key.className == RNTuple.className }) else {
            throw ROOTIOError.keyNotFound(file: name, path: "(an RNTuple)")  // damage may hit the key's class name
        }
        return try await f.tree(key.path)
    }

    static func readAll(_ tree: Tree) async throws -> [Column] {
        let reader = try tree.reader(branches: try tree.selectBranches(), threads: 2)
        return try await reader.read(entries: 0..<tree.entries).columns
    }

    /// The anchor of the verified example in the format notes, and the TTree-style API on top of it.
    @Test func anchorAndTreeAPI() async throws {
        let f = try await ROOTFile.open(path: TestData.path(Self.jagged))
        let tree = try await f.tree("ntuple")
        let ntuple = try #require(tree.ntuple)
        #expect(ntuple.anchor == RNTupleAnchor(epoch: 1, major: 0, minor: 0, patch: 0, seekHeader: 312, nbytesHeader: 228,
                                               lenHeader: 434, seekFooter: 1469, nbytesFooter: 82, lenFooter: 148,
                                               maxKeySize: 1_073_741_824))
        #expect(tree.entries == 100)
        #expect(tree.allBranches.map(\.name) == ["one_v_integers", "two_v_floats"])
        let batch = try await tree.arrays(["one_v_integers"], entries: 1..<3)
        let c = batch.columns[0]
        #expect(c.kind == .jagged && c.offsets == [0, 1, 3])
        guard case let .int32(v) = c.values else { Issue.record("type \(c.type)"); return }
        #expect(v == [100, 100, 99])
    }

    /// Projected fields (RNTupleImporter): the cardinality `nMuon` equals the lengths of `Muon_pt`.
    @Test func cardinalityMatchesCollectionLengths() async throws {
        let f = try await ROOTFile.open(path: TestData.path(Self.muons))
        let tree = try await f.tree("Events")
        let batch = try await tree.arrays(["nMuon", "Muon_pt"], entries: 10..<600)
        guard case let .int64(n) = batch.columns[0].values, let o = batch.columns[1].offsets else {
            Issue.record("unexpected columns"); return
        }
        #expect(n.count == 590)
        #expect((0..<590).allSatisfy { n[$0] == o[$0 + 1] - o[$0] })
        #expect(throws: ROOTIOError.self) { _ = try tree.reader(branches: [try tree.branch(named: "_collection0")]) }
    }

    /// Small consecutive chunks of one reader give the values of one whole read, and the pages that straddle
    /// chunk boundaries are fetched once (kept between reads), so the bytes read are those of the whole read.
    @Test func consecutiveChunksFetchEachPageOnce() async throws {
        let f = try await ROOTFile.open(path: TestData.path(Self.muons))
        let tree = try await f.tree("Events")
        let branches = try ["nMuon", "Muon_pt"].map { try tree.branch(named: $0) }
        let whole = try tree.reader(branches: branches, threads: 2)
        let all = try await whole.read(entries: 0..<tree.entries)
        let chunked = try tree.reader(branches: branches, threads: 2)
        var counts: [Int64] = [], pts: [Float] = []
        for start in stride(from: Int64(0), to: tree.entries, by: 37) {
            let batch = try await chunked.read(entries: start..<min(start + 37, tree.entries))
            guard case let .int64(n) = batch.columns[0].values, case let .float32(pt) = batch.columns[1].values else {
                Issue.record("unexpected columns"); return
            }
            counts += n
            pts += pt
        }
        guard case let .int64(n) = all.columns[0].values, case let .float32(pt) = all.columns[1].values else {
            Issue.record("unexpected columns"); return
        }
        #expect(counts == n && pts == pt)
        #expect(chunked.statistics.compressedBytes == whole.statistics.compressedBytes)
    }

    /// Every flipped byte inside a checksummed page is caught, with the page's field named.
    @Test(arguments: [jagged, muons, "test_index_multicluster_rntuple_v1-0-0-0.root"])
    func flippedPageBytesThrowChecksumErrors(file: String) async throws {
        let original = try TestData.readFile(TestData.path(file))
        let tree = try await Self.open(original, name: file)
        let ntuple = try #require(tree.ntuple)
        let pages = ntuple.clusters.flatMap { $0.columns.flatMap(\.pages) }.filter(\.hasChecksum)
        try #require(pages.count > 0)
        for page in pages.prefix(12) {
            var bytes = original
            bytes[Int(page.location.offset) + page.location.count / 2] ^= 0x10
            do {
                _ = try await Self.readAll(try await Self.open(bytes, name: file))
                Issue.record("\(file): flip in page at \(page.location.offset) not detected")
            } catch let ROOTIOError.checksumMismatch(_, object, _, _, _) {
                #expect(object.contains("field '"), "\(object)")
            }
        }
    }

    /// A damaged anchor: a flipped byte fails its checksum; a consistent anchor pointing outside the file
    /// is refused before reading; a wrong envelope checksum is reported.
    @Test func damagedAnchorAndEnvelopes() async throws {
        let original = try TestData.readFile(TestData.path(Self.jagged))
        let f = try await ROOTFile.open(path: TestData.path(Self.jagged))
        let key = try #require(f.root.keys.first { $0.className == RNTuple.className })
        let fields = Int(key.seekKey) + Int(key.keylen) + 6  // after byte count and class version
        var flipped = original
        flipped[fields + 9] ^= 1
        await #expect(throws: ROOTIOError.self) { _ = try await Self.open(flipped, name: "flipped anchor") }
        do {
            _ = try await Self.open(flipped, name: "flipped anchor")
        } catch let error as ROOTIOError {
            guard case .checksumMismatch = error else { Issue.record("expected a checksum error, got \(error)"); return }
        }
        var outside = original
        withUnsafeBytes(of: UInt64(original.count + 100).bigEndian) { for k in 0..<8 { outside[fields + 8 + k] = $0[k] } }
        let sum = XXHash.xxh3(Array(outside[fields..<(fields + 64)]))
        withUnsafeBytes(of: sum.bigEndian) { for k in 0..<8 { outside[fields + 64 + k] = $0[k] } }
        do {
            _ = try await Self.open(outside, name: "anchor outside")
            Issue.record("anchor pointing outside the file accepted")
        } catch let ROOTIOError.malformed(_, object, _, reason) {
            #expect(object.contains("anchor") && reason.contains("header"), "\(object): \(reason)")
        }
        var header = original
        header[312 + 100] ^= 0x40
        await #expect(throws: ROOTIOError.self) { _ = try await Self.open(header, name: "damaged header") }
    }

    /// Truncations and random damage give typed errors (or a result), never a crash.
    @Test(arguments: [jagged, muons])
    func truncationAndRandomDamage(file: String) async throws {
        let original = try TestData.readFile(TestData.path(file))
        var rng = CorruptionTests.SplitMix(state: 5)
        for cut in [0, 100, original.count / 2, original.count - 1] + (0..<10).map({ _ in rng.below(original.count) }) {
            await #expect(throws: ROOTIOError.self) { _ = try await Self.readAll(try await Self.open(Array(original[0..<cut]), name: file)) }
        }
        for _ in 0..<60 {
            var bytes = original
            for _ in 0..<(1 + rng.below(3)) { bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            do {
                _ = try await Self.readAll(try await Self.open(bytes, name: file))
            } catch is ROOTIOError {
            } catch {
                Issue.record("\(file): untyped error \(error)")
            }
        }
    }
}
