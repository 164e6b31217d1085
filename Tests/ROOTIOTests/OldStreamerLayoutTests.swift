import Testing
@testable import ROOTIO

/// Big-endian ROOT object bytes built from the documented member layouts, for the class versions no ROOT on
/// this machine writes (ROOT 3 and 4: TBranch 6-9, TTree 5-15).
struct ROOTBytes {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func i16(_ v: Int16) { bytes += withUnsafeBytes(of: v.bigEndian, Array.init) }
    mutating func i32(_ v: Int32) { bytes += withUnsafeBytes(of: v.bigEndian, Array.init) }
    mutating func u32(_ v: UInt32) { bytes += withUnsafeBytes(of: v.bigEndian, Array.init) }
    mutating func i64(_ v: Int64) { bytes += withUnsafeBytes(of: v.bigEndian, Array.init) }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func f64(_ v: Double) { bytes += withUnsafeBytes(of: v.bitPattern.bigEndian, Array.init) }
    mutating func string(_ s: String) { u8(UInt8(s.utf8.count)); bytes += Array(s.utf8) }

    /// A versioned object: byte count, version, then the members `body` writes.
    mutating func object(version: Int16, _ body: (inout ROOTBytes) -> Void) {
        var inner = ROOTBytes()
        inner.i16(version)
        body(&inner)
        u32(0x4000_0000 | UInt32(inner.bytes.count))
        bytes += inner.bytes
    }

    mutating func tNamed(_ name: String, _ title: String) {
        object(version: 1) { o in
            o.i16(1)  // TObject version
            o.u32(0)  // fUniqueID
            o.u32(0x0300_0000)  // fBits
            o.string(name)
            o.string(title)
        }
    }

    mutating func objArray(_ items: [(className: String, body: (inout ROOTBytes) -> Void)]) {
        object(version: 3) { o in
            o.i16(1)
            o.u32(0)
            o.u32(0x0300_0000)
            o.string("")
            o.i32(Int32(items.count))
            o.i32(0)
            for item in items {
                var obj = ROOTBytes()
                obj.u32(0xFFFF_FFFF)
                obj.bytes += Array(item.className.utf8) + [0]
                item.body(&obj)
                o.u32(0x4000_0000 | UInt32(obj.bytes.count))
                o.bytes += obj.bytes
            }
        }
    }

    /// A ROOT 3/4 TBranch (versions 6-9): 32-bit entry numbers, Stat_t counters, 32-bit basket entries.
    mutating func oldBranch(version: Int16, name: String, entries: Int, basketEntries: [Int32], seeks: [Int64],
                            seekFlag: UInt8) {
        object(version: version) { o in
            o.tNamed(name, name + "/I")
            if version >= 8 { o.object(version: 1) { a in a.i16(0); a.i16(1001) } }
            o.i32(1)  // fCompress
            o.i32(32000)  // fBasketSize
            o.i32(0)  // fEntryOffsetLen
            o.i32(Int32(seeks.count))  // fWriteBasket
            o.i32(Int32(entries))  // fEntryNumber
            o.i32(0)  // fOffset
            o.i32(Int32(seeks.count + 1))  // fMaxBaskets
            if version >= 7 { o.i32(1) }  // fSplitLevel
            o.f64(Double(entries))
            o.f64(400)  // fTotBytes
            o.f64(300)  // fZipBytes
            o.objArray([])  // fBranches
            o.objArray([])  // fLeaves
            o.objArray([])  // fBaskets
            o.u8(1)
            for _ in 0...seeks.count { o.i32(100) }  // fBasketBytes
            o.u8(1)
            for e in basketEntries + [Int32(entries)] { o.i32(e) }  // fBasketEntry
            o.u8(seekFlag)
            for s in seeks + [0] { if seekFlag == 2 { o.i64(s) } else { o.i32(Int32(s)) } }
            o.string("")  // fFileName
        }
    }

    func cursor() -> ByteCursor { ByteCursor(bytes: bytes, file: "built.root", object: "test object") }
}

@Suite struct OldStreamerLayoutTests {
    @Test(arguments: [(Int16(6), UInt8(1)), (7, 1), (8, 1), (9, 2)])
    func oldBranchVersionsRead(version: Int16, seekFlag: UInt8) throws {
        var b = ROOTBytes()
        let far: Int64 = seekFlag == 2 ? 5_000_000_000 : 70_000
        b.oldBranch(version: version, name: "px", entries: 7, basketEntries: [0, 4], seeks: [1000, far], seekFlag: seekFlag)
        var c = b.cursor()
        let branch = try BranchModel.read(&c, reader: ObjectReader(), className: "TBranch")
        #expect(branch.name == "px")
        #expect(branch.version == version)
        #expect(branch.entries == 7)
        #expect(branch.writeBasket == 2)
        #expect(branch.basketEntry == [0, 4, 7])
        #expect(branch.basketSeek[0] == 1000)
        #expect(branch.basketSeek[1] == far)
        #expect(branch.totBytes == 400 && branch.zipBytes == 300)
        #expect(c.remaining == 0)
    }

    /// A branch object of an unmodelled version is kept as an unreadable branch (name and reason), skipped by
    /// its byte count, and the branches after it still read.
    @Test func unmodelledBranchVersionIsSkippedNotFatal() throws {
        var b = ROOTBytes()
        b.objArray([
            ("TBranch", { o in o.object(version: 5) { x in x.tNamed("old", "old/F"); x.i32(99) } }),
            ("TBranch", { o in o.oldBranch(version: 8, name: "good", entries: 3, basketEntries: [0], seeks: [500], seekFlag: 1) }),
        ])
        var c = b.cursor()
        let items = try ObjectReader().readObjArray(&c)
        let branches = items.compactMap { item -> BranchModel? in
            if case let .branch(x)? = item { return x }
            return nil
        }
        #expect(branches.map(\.name) == ["old", "good"])
        #expect(branches[0].unreadable == "TBranch: TBranch version 5 (before ROOT 3)")
        #expect(branches[1].unreadable == nil && branches[1].entries == 3)
    }

    /// TTree version 6 (ROOT 3.02): Stat_t counters and Int_t settings before fBranches, decoded through the
    /// TTree streamer information the file carries.
    @Test func treeVersion6ReadsThroughStreamerInfo() throws {
        func element(_ cls: String, _ name: String, _ type: Int32) -> StreamerElement {
            StreamerElement(className: cls, name: name, type: type, typeName: "")
        }
        var elements = [element("TStreamerBase", "TNamed", 67), element("TStreamerBase", "TAttLine", 0),
                        element("TStreamerBase", "TAttFill", 0), element("TStreamerBase", "TAttMarker", 0)]
        elements += ["fEntries", "fTotBytes", "fZipBytes", "fSavedBytes"].map { element("TStreamerBasicType", $0, 8) }
        elements += ["fTimerInterval", "fScanField", "fUpdate", "fMaxEntryLoop", "fMaxVirtualSize", "fAutoSave",
                     "fEstimate"].map { element("TStreamerBasicType", $0, 3) }
        elements += [element("TStreamerObject", "fBranches", 61), element("TStreamerObject", "fLeaves", 61)]
        let streamers = StreamerInfoList(classes: ["TTree": StreamerInfo(name: "TTree", classVersion: 6, elements: elements)])

        var b = ROOTBytes()
        b.object(version: 6) { t in
            t.tNamed("h10", "old ntuple")
            t.object(version: 1) { a in a.i16(1); a.i16(1); a.i16(1) }
            t.object(version: 1) { a in a.i16(0); a.i16(1001) }
            t.object(version: 1) { a in a.i16(1); a.i16(1); a.f32(1) }
            t.f64(7)  // fEntries
            t.f64(400); t.f64(300); t.f64(0)
            for v: Int32 in [0, 25, 5, 1_000_000_000, 64_000_000, 100_000_000, 1_000_000] { t.i32(v) }
            t.objArray([("TBranch", { o in o.oldBranch(version: 6, name: "px", entries: 7, basketEntries: [0], seeks: [800],
                                                      seekFlag: 1) })])
            t.objArray([])  // fLeaves, skipped by byte count
        }
        var c = b.cursor()
        #expect(throws: TreeModel.NeedsStreamers.self) { try TreeModel.read(&c) }
        c = b.cursor()
        let tree = try TreeModel.read(&c, streamers: streamers)
        #expect(tree.name == "h10" && tree.version == 6 && tree.entries == 7)
        #expect(tree.branches.map(\.name) == ["px"])
        #expect(tree.branches[0].basketEntry == [0, 7])
        #expect(c.remaining == 0)

        var old = ROOTBytes()
        old.object(version: 4) { t in
            t.tNamed("h1", "ROOT 2 tree")
            t.object(version: 1) { a in a.i16(1); a.i16(1); a.i16(1) }
            t.object(version: 1) { a in a.i16(0); a.i16(1001) }
            t.object(version: 1) { a in a.i16(1); a.i16(1); a.f32(1) }
            t.i32(25); t.i32(1_000_000_000); t.i32(64_000_000)
            t.f64(7); t.f64(400); t.f64(300)
            t.i32(100_000_000); t.i32(1_000_000)
            t.objArray([("TBranch", { o in o.oldBranch(version: 6, name: "px", entries: 7, basketEntries: [0], seeks: [800],
                                                      seekFlag: 1) })])
            t.objArray([])
        }
        c = old.cursor()
        let v4 = try TreeModel.read(&c)
        #expect(v4.name == "h1" && v4.version == 4 && v4.entries == 7 && v4.branches.map(\.name) == ["px"])
        #expect(c.remaining == 0)

        let wrongVersion = StreamerInfoList(classes: ["TTree": StreamerInfo(name: "TTree", classVersion: 5, elements: elements)])
        c = b.cursor()
        #expect(throws: ROOTIOError.self) { try TreeModel.read(&c, streamers: wrongVersion) }
    }
}
