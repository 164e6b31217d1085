import Testing
@testable import ROOTIO

/// Concatenated chunks equal one whole read, for chunk sizes on and off basket boundaries.
@Suite struct ChunkingTests {
    static func bits(_ v: ColumnValues) -> [UInt64] {
        (0..<v.count).map { i in
            switch v {
            case let .bool(a): return a[i] ? 1 : 0
            case let .int8(a): return UInt64(bitPattern: Int64(a[i]))
            case let .uint8(a): return UInt64(a[i])
            case let .int16(a): return UInt64(bitPattern: Int64(a[i]))
            case let .uint16(a): return UInt64(a[i])
            case let .int32(a): return UInt64(bitPattern: Int64(a[i]))
            case let .uint32(a): return UInt64(a[i])
            case let .int64(a): return UInt64(bitPattern: a[i])
            case let .uint64(a): return a[i]
            case let .float32(a): return UInt64(a[i].bitPattern)
            case let .float64(a): return a[i].bitPattern
            }
        }
    }

    @Test(arguments: ["uproot-HZZ-zlib.root", "leaftypes-a-lz4.root", "uproot-sample-6.20.04-zlib.root",
                      "nanoaod-like-a-zstd.root", "uproot-nesteddirs.root", "uproot-small-dy-nooffsets.root"])
    func chunksConcatenateToWholeRead(file: String) async throws {
        let f = try await ROOTFile.open(path: TestData.path(file))
        for (path, key) in try await f.allKeys() where key.className == "TTree" {
            let tree = try await f.tree(path)
            let branches = try tree.selectBranches()
            let whole = try await tree.reader(branches: branches, threads: 2).read(entries: 0..<tree.entries)
            for size in [7, 100, 333, 1024] {
                let reader = try tree.reader(branches: branches, threads: size % 2 + 1)
                var values = [[UInt64]](repeating: [], count: branches.count)
                var offsets = [[Int64]](repeating: [0], count: branches.count)
                var seen: Int64 = 0
                for try await chunk in reader.chunks(size: size) {
                    #expect(chunk.entryStart == seen)
                    #expect(chunk.entryCount <= size)
                    seen += Int64(chunk.entryCount)
                    for (k, c) in chunk.columns.enumerated() {
                        let base = offsets[k].last!
                        values[k] += Self.bits(c.values)
                        if let o = c.offsets { offsets[k] += o.dropFirst().map { $0 + base } }
                    }
                }
                #expect(seen == tree.entries)
                for (k, c) in whole.columns.enumerated() {
                    #expect(values[k] == Self.bits(c.values), "\(file) \(c.name) chunk \(size)")
                    if let o = c.offsets { #expect(offsets[k] == o, "\(file) \(c.name) offsets chunk \(size)") }
                }
            }
        }
    }

    @Test func entryRangeEqualsSliceOfWholeRead() async throws {
        let f = try await ROOTFile.open(path: TestData.path("uproot-HZZ.root"))
        let tree = try await f.tree("events")
        let whole = try await tree.arrays(["Jet_Px", "NJet", "MET_px"])
        let part = try await tree.arrays(["Jet_Px", "NJet", "MET_px"], entries: 1000..<1500)
        let jet = try #require(whole["Jet_Px"]), jetPart = try #require(part["Jet_Px"])
        let o = try #require(jet.offsets), p = try #require(jetPart.offsets)
        #expect(p.count == 501)
        let values = Self.bits(jet.values), partValues = Self.bits(jetPart.values)
        #expect(partValues == Array(values[Int(o[1000])..<Int(o[1500])]))
        #expect(p.map { $0 + o[1000] } == Array(o[1000...1500]))
        guard case let .int32(n) = try #require(part["NJet"]).values else { Issue.record("NJet type"); return }
        #expect(n.map(Int64.init).reduce(0, +) == p.last!)
    }

    @Test func globSelectionAndErrors() async throws {
        let f = try await ROOTFile.open(path: TestData.path("nanoAOD_2015_CMS_Open_Data_ttbar.root"))
        let tree = try await f.tree("Events")
        let muons = try tree.selectBranches(include: ["Muon_*"], exclude: ["*_pt"]).map(\.name)
        #expect(!muons.isEmpty && muons.allSatisfy { $0.hasPrefix("Muon_") && !$0.hasSuffix("_pt") })
        #expect(throws: ROOTIOError.branchNotFound(file: f.name, tree: "Events", branch: "NoSuchBranch")) {
            try tree.selectBranches(include: ["NoSuchBranch"])
        }
        let jagged = try await tree.arrays(["Muon_pt"])
        #expect(jagged.columns.count == 1 && jagged["Muon_pt"]?.kind == .jagged)
        await #expect(throws: ROOTIOError.self) { try await f.tree("NoTree") }
    }
}
