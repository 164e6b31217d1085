import Testing
@testable import ROOTIO

/// String and `vector<vector<T>>` branches of a file written by real ROOT 6.40
/// (`Tests/Integration/make_root_nested.py Tests/Fixtures/root-nested --entries 120`) read back equal to
/// ROOT's own values (`nested.json`, from TTree::GetEntry), in any chunking.
@Suite struct StringAndNestedBranchTests {
    static let directory = TestData.packageRoot + "/Tests/Fixtures/root-nested"

    func open() async throws -> (Tree, [(String, JSONValue)]) {
        let file = try await ROOTFile.open(path: Self.directory + "/nested.root")
        let tree = try await file.tree("nested")
        let text = String(decoding: try TestData.readFile(Self.directory + "/nested.json"), as: UTF8.self)
        guard case let .object(doc) = try JSONValue.parse(text), case let .object(branches)? = doc.first(where: { $0.0 == "branches" })?.1
        else { throw ROOTIOError.malformed(file: "nested.json", object: "reference", offset: 0, reason: "no branches") }
        return (tree, branches)
    }

    @Test func interpretations() async throws {
        let (tree, _) = try await open()
        let kinds = Dictionary(uniqueKeysWithValues: tree.classifyBranches().readable.map { ($0.0.name, $0.1) })
        #expect(kinds["vvf"]?.kind == .doublyJagged && kinds["vvf"]?.type == .float32)
        #expect(kinds["vvi"]?.kind == .doublyJagged && kinds["vvi"]?.type == .int32)
        #expect(kinds["vvd"]?.kind == .doublyJagged && kinds["vvd"]?.type == .float64)
        #expect(kinds["ev.parts"]?.kind == .doublyJagged)
        for name in ["s", "ts", "c", "ev.label", "ev.title"] { #expect(kinds[name]?.kind == .string, "\(name)") }
        for name in ["vs", "ev.tags"] { #expect(kinds[name]?.kind == .jaggedString, "\(name)") }
    }

    @Test(arguments: [1, 17, 120])
    func valuesEqualROOT(chunkSize: Int) async throws {
        let (tree, reference) = try await open()
        let names = reference.map(\.0)
        let reader = try tree.reader(branches: try names.map { try tree.branch(named: $0) }, threads: 2)
        var rows: [[JSONValue]] = Array(repeating: [], count: names.count)
        for try await batch in reader.chunks(size: chunkSize) {
            for (k, column) in batch.columns.enumerated() {
                for i in 0..<batch.entryCount { rows[k].append(column.entryJSON(i)) }
            }
        }
        for (k, (name, expected)) in reference.enumerated() {
            guard case let .array(entries) = expected else { Issue.record("\(name): no entries"); continue }
            #expect(rows[k].count == entries.count, "\(name)")
            let mismatch = rows[k].indices.first { $0 >= entries.count || !Self.same(rows[k][$0], entries[$0]) }
            #expect(mismatch == nil, "\(name): entry \(mismatch ?? -1) differs")
        }
    }

    @Test func inspectCountsStrings() async throws {
        let (tree, _) = try await open()
        let stats = try await FileInspection.statistics(tree, branches: [try tree.branch(named: "vs"), try tree.branch(named: "vvi")],
                                                        entries: nil, threads: 1, chunkSize: 50)
        #expect(stats[0].text.strings == stats[0].values)
        #expect(stats[0].text.sample.count <= StringStatistics.sampleSize)
        #expect(stats[1].innerLists > 0 && stats[1].values > 0)
    }

    @Test func truncatedEntryIsAnError() throws {
        let interp = BranchInterpretation(type: .float32, kind: .doublyJagged, shape: [], headerBytes: 6, counter: nil)
        // Header says 14 bytes follow, one inner vector of 2 floats, but only one float is there.
        let bytes: [UInt8] = [0x40, 0, 0, 0x0E, 0, 0x0A, 0, 0, 0, 1, 0, 0, 0, 2, 0x3F, 0x80, 0, 0]
        #expect(throws: ROOTIOError.self) {
            try bytes.withUnsafeBytes {
                _ = try ObjectSlice.decode($0, entries: 1, byteOffsets: [0, 18], slice: 0..<1, as: interp, context: "test",
                                           file: "test")
            }
        }
        let string: [UInt8] = [255, 0x7F, 0xFF, 0xFF, 0xFF, 0x61]
        #expect(throws: ROOTIOError.self) {
            try string.withUnsafeBytes {
                _ = try ObjectSlice.decode($0, entries: 1, byteOffsets: nil, slice: 0..<1, as: .charLeaf, context: "test",
                                           file: "test")
            }
        }
    }

    /// Random and mutated entry bytes decode or throw `ROOTIOError`, for every kind, with and without entry offsets
    /// (never a trap, never more values than bytes).
    @Test func randomBytesNeverTrap() throws {
        let kinds: [BranchInterpretation] = [
            .charLeaf, .string(headerBytes: 6),
            BranchInterpretation(type: .uint8, kind: .jaggedString, shape: [], headerBytes: 6, counter: nil),
            BranchInterpretation(type: .float64, kind: .doublyJagged, shape: [], headerBytes: 6, counter: nil),
        ]
        var rng = NestedBytesRandom(seed: 11)
        // A valid vector<vector<float>> entry to mutate: header (18 bytes follow), 2 inner vectors of 1 and 0 floats.
        let valid: [UInt8] = [0x40, 0, 0, 0x12, 0, 0x0A, 0, 0, 0, 2, 0, 0, 0, 1, 0x3F, 0x80, 0, 0, 0, 0, 0, 0]
        for round in 0..<4000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = valid
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            let interp = kinds[Int(rng.next() % UInt64(kinds.count))]
            let split = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count + 1))
            let offsets: [Int32]? = round % 3 == 0 ? nil : [0, Int32(split), Int32(bytes.count)]
            do {
                let slice = try bytes.withUnsafeBytes {
                    try ObjectSlice.decode($0, entries: 2, byteOffsets: offsets, slice: 0..<2, as: interp, context: "fuzz",
                                           file: "fuzz")
                }
                #expect(slice.values.count * max(1, interp.type.byteSize) <= bytes.count)
                #expect(slice.outerCounts.count == 2)
            } catch is ROOTIOError {
            }
        }
    }

    /// Equal JSON, numbers compared as numbers.
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.number(x), .number(y)): return x == y || Double(x) == Double(y)
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        default: return a == b
        }
    }
}

/// A small deterministic generator for the mutation test.
struct NestedBytesRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
