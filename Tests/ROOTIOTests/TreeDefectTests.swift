import Testing
@testable import ROOTIO

/// The TTree reader defects of issue #11, on files written by real ROOT 6.40
/// (Tests/Integration/make_root_defects.py, fixture and ROOT's own values in Tests/Fixtures/root-defects).
@Suite struct TreeDefectTests {
    static let directory = TestData.packageRoot + "/Tests/Fixtures/root-defects"

    static func reference(_ file: String, _ tree: String) throws -> JSONValue {
        let all = try JSONValue.parse(String(decoding: try TestData.readFile(directory + "/reference.json"), as: UTF8.self))
        return try #require(all[file]?[tree])
    }

    static func inspect(_ file: String, _ tree: String) async throws -> JSONValue {
        let f = try await ROOTFile.open(path: directory + "/" + file)
        return try await FileInspection.inspect(try await f.tree(tree), threads: 2, chunkSize: 13)
    }

    /// Every branch ROOT reports equals hepml's statistics: entries, sum, first and last entry.
    static func expectMatches(_ got: JSONValue, _ reference: JSONValue) throws {
        guard case let .object(branches)? = reference["branches"] else { Issue.record("no branches"); return }
        for (name, ref) in branches {
            let stats = try #require(got["branches"]?[name], "hepml has no branch \(name)")
            #expect(stats["entries"] == ref["entries"], "\(name) entries")
            let sum = try #require(stats["sum"].flatMap { $0.doubleValue ?? $0.stringValue.flatMap(Double.init) })
            let expected = try #require(ref["sum"]?.doubleValue)
            #expect(abs(sum - expected) <= 1e-9 * max(1, abs(expected)), "\(name) sum \(sum) != \(expected)")
            #expect(flatten(stats["first"]?.arrayValue?.first) == flatten(ref["first"]), "\(name) first")
            #expect(flatten(stats["last"]) == flatten(ref["last"]), "\(name) last")
        }
    }

    static func flatten(_ v: JSONValue?) -> [Double] {
        switch v {
        case let .array(items)?: return items.flatMap { flatten($0) }
        case let x?: return [x.doubleValue ?? .nan]
        case nil: return []
        }
    }

    /// The split `Event` of a DstTree: every member (a nested object's 3-d fixed array too) over all 98 entries.
    @Test func splitEventMembersMatchROOT() async throws {
        let got = try await Self.inspect("dst_split.root", "DstTree")
        #expect(got["entries"] == .int(98))
        try Self.expectMatches(got, try Self.reference("dst_split.root", "DstTree"))
        #expect(got["branches"]?["fEventPlane.fQvector[9][10][2]"]?["values"] == .int(98 * 180))
    }

    /// One branch filled 10 times in a 98-entry tree used to cut every branch of `inspect` to 10 entries (the
    /// minimum of the branches' fEntries) while `read` reported 98; now it is skipped with the reason, the
    /// others cover all entries, and reading it by name is an error, never an empty column.
    @Test func shortBranchIsSkippedNotTruncatingTheTree() async throws {
        let got = try await Self.inspect("dst_short.root", "DstTree")
        try Self.expectMatches(got, try Self.reference("dst_short.root", "DstTree"))
        #expect(got["skip_reasons"]?["extra"] == .string("its baskets hold 10 of the tree's 98 entries (branch fEntries 10)"))
        let f = try await ROOTFile.open(path: Self.directory + "/dst_short.root")
        let tree = try await f.tree("DstTree")
        #expect(throws: ROOTIOError.self) { try tree.selectBranches(include: ["extra"]) }
        #expect(throws: ROOTIOError.self) { try tree.reader(branches: [try tree.branch(named: "extra")]) }
    }

    /// Member branches whose fEntries is 0 in a 98-entry tree: no statistic with 0 entries is reported as a
    /// success; each such branch is skipped with its reason.
    @Test func zeroEntryBranchesAreSkippedWithReasons() async throws {
        let got = try await Self.inspect("dst_zero.root", "DstTree")
        guard case let .object(branches)? = got["branches"] else { Issue.record("no branches"); return }
        for (name, stats) in branches { #expect(stats["entries"] == .int(98), "\(name)") }
        for name in ["fRunNo", "fEventPlane.fN", "fVtx", "fEventPlane.fQvector[9][10][2]"] {
            #expect(got["skip_reasons"]?[name]?.stringValue != nil, "\(name) not skipped")
        }
    }

    /// A TBranchObject (a whole TH1F per entry) is skipped with its class; the numbers beside it read.
    @Test func branchObjectIsSkippedWithItsClass() async throws {
        let got = try await Self.inspect("object_branch.root", "T")
        #expect(got["skip_reasons"]?["hist"] == .string("TBranchObject: whole object of class TH1F per entry"))
        try Self.expectMatches(got, try Self.reference("object_branch.root", "T"))
    }

    /// Two split objects of one class give ROOT branches of the same name: they are keyed by their paths, and
    /// every name form resolves (or lists the candidates when ambiguous).
    @Test func sharedShortNamesUseFullPaths() async throws {
        let got = try await Self.inspect("dup_names.root", "T")
        guard case let .object(branches)? = got["branches"] else { Issue.record("no branches"); return }
        #expect(Set(branches.map(\.0)).count == branches.count)
        #expect(branches.map(\.0) == ["jet/pt", "jet/eta", "jet/n", "muon/pt", "muon/eta", "muon/n", "ele.pt", "ele.eta", "ele.n"])
        try Self.expectMatches(got, try Self.reference("dup_names.root", "T"))

        let f = try await ROOTFile.open(path: Self.directory + "/dup_names.root")
        let tree = try await f.tree("T")
        #expect(try tree.branch(named: "jet.pt").name == "jet/pt")
        #expect(try tree.branch(named: "muon/eta").name == "muon/eta")
        #expect(try tree.branch(named: "ele.pt").path == "ele./ele.pt")
        #expect(throws: ROOTIOError.ambiguousBranch(file: f.name, tree: "T", branch: "pt", candidates: ["jet/pt", "muon/pt"])) {
            try tree.branch(named: "pt")
        }
        #expect(try tree.selectBranches(include: ["muon/*"]).map(\.name) == ["muon/pt", "muon/eta", "muon/n"])
        #expect(try tree.selectBranches(include: ["*pt"], exclude: ["jet.pt"]).map(\.name) == ["muon/pt", "ele.pt"])
        let batch = try await tree.arrays(["jet.n", "muon/n"])
        #expect(batch.columns.map(\.name) == ["jet/n", "muon/n"])
        #expect(batch.columns[1].values.double(at: 29) == 58)
    }

    /// ROOT's fixed-array branch names carry their dimensions; the bare member name finds them too.
    @Test func fixedArrayNamesWithoutDimensions() async throws {
        let f = try await ROOTFile.open(path: Self.directory + "/dst_split.root")
        let tree = try await f.tree("DstTree")
        #expect(try tree.branch(named: "fVZEROMult").name == "fVZEROMult[64]")
        #expect(try tree.branch(named: "Event.fRunNo").name == "fRunNo")
        #expect(try tree.branch(named: "Event/fEventPlane/fEventPlane.fN").name == "fEventPlane.fN")
    }
}
