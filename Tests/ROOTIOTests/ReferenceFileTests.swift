import Testing
@testable import ROOTIO

/// `inspect` equals the uproot-computed reference JSON of every shared file with TTrees.
@Suite struct ReferenceFileTests {
    @Test(arguments: TestData.filesWithTrees)
    func inspectMatchesReference(file: String) async throws {
        let path = TestData.path(file)
        let reference = try JSONValue.parse(String(decoding: try TestData.readFile(path + ".json"), as: UTF8.self))
        let f = try await ROOTFile.open(path: path)
        let got = try await FileInspection.inspect(f, threads: 2, chunkSize: 700)
        var differences: [String] = []
        for key in ["file", "fCompress", "fVersion", "keys"] {
            compare(got[key], try #require(reference[key]), path: key, into: &differences)
        }
        let (trees, expected) = Self.numericPart(got["trees"], reference: try #require(reference["trees"]), into: &differences)
        compare(trees, expected, path: "trees", into: &differences)
        #expect(differences.isEmpty, "\(file): \(differences.prefix(10))")
    }

    /// RNTuples under `rntuples`, in the same form; small chunks cross page and cluster boundaries.
    @Test(arguments: TestData.filesWithRNTuples, [700, 7])
    func rntupleInspectMatchesReference(file: String, chunkSize: Int) async throws {
        let path = TestData.path(file)
        let reference = try JSONValue.parse(String(decoding: try TestData.readFile(path + ".json"), as: UTF8.self))
        let f = try await ROOTFile.open(path: path)
        let got = try await FileInspection.inspect(f, threads: 2, chunkSize: chunkSize)
        var differences: [String] = []
        for key in ["file", "fCompress", "fVersion", "keys", "trees", "rntuples"] {
            compare(got[key], try #require(reference[key]), path: key, into: &differences)
        }
        #expect(differences.isEmpty, "\(file): \(differences.prefix(10))")
        if case let .object(ntuples)? = reference["rntuples"] { #expect(!ntuples.isEmpty) }
    }

    /// The references list only numeric branches; hepml also reads string and `vector<vector<T>>` branches
    /// (which the references list as skipped). Returns hepml's trees without those and the reference trees with
    /// them dropped from `skipped`; one that the reference reads as numbers is a difference.
    static func numericPart(_ got: JSONValue?, reference: JSONValue, into diffs: inout [String]) -> (JSONValue?, JSONValue) {
        guard case let .object(gotTrees)? = got, case let .object(refTrees) = reference else { return (got, reference) }
        var gotOut: [(String, JSONValue)] = []
        var refOut: [(String, JSONValue)] = []
        for (path, tree) in gotTrees {
            guard case let .object(members) = tree, case let .object(branches)? = tree["branches"] else {
                gotOut.append((path, tree))
                continue
            }
            let numericKinds: Set<String> = ["flat", "fixed", "jagged"]
            var extra = Set<String>()
            let numeric = branches.filter { name, b in
                guard case let .string(kind)? = b["kind"], !numericKinds.contains(kind) else { return true }
                extra.insert(name)
                return false
            }
            gotOut.append((path, .object(members.map { $0.0 == "branches" ? ($0.0, .object(numeric)) : $0 })))
            guard let refTree = refTrees.first(where: { $0.0 == path })?.1, case let .object(refMembers) = refTree else { continue }
            if case let .object(refBranches)? = refTree["branches"] {
                for (name, _) in refBranches where extra.contains(name) { diffs.append("trees/\(path)/\(name): read as a string or nested vector") }
            }
            refOut.append((path, .object(refMembers.map { key, value in
                guard key == "skipped", case let .array(names) = value else { return (key, value) }
                return (key, .array(names.filter { if case let .string(n) = $0 { !extra.contains(n) } else { true } }))
            })))
        }
        for (path, tree) in refTrees where !refOut.contains(where: { $0.0 == path }) { refOut.append((path, tree)) }
        return (.object(gotOut), .object(refOut))
    }

    /// Exact for integers, strings and structure; 1e-9 relative for float sums; NaN equals NaN. `skip_reasons`
    /// (hepml's reason for each skipped branch) is not in the reference files.
    func compare(_ a: JSONValue?, _ b: JSONValue, path: String, into diffs: inout [String]) {
        guard let a else { diffs.append("\(path): missing"); return }
        switch (a, b) {
        case let (.object(x), .object(y)):
            let known = Set(x.map(\.0))
            for (k, v) in y where k != "note" {
                guard known.contains(k) else { diffs.append("\(path)/\(k): missing"); continue }
                compare(a[k], v, path: path + "/" + k, into: &diffs)
            }
            for (k, _) in x where k != "skip_reasons" && !y.contains(where: { $0.0 == k }) {
                diffs.append("\(path)/\(k): unexpected")
            }
        case let (.array(x), .array(y)):
            guard x.count == y.count else { diffs.append("\(path): \(x.count) items, expected \(y.count)"); return }
            for (i, (p, q)) in zip(x, y).enumerated() { compare(p, q, path: "\(path)[\(i)]", into: &diffs) }
        case let (.number(x), .number(y)):
            if x == y { return }
            if let i = Int128(x), let j = Int128(y) {
                if i != j { diffs.append("\(path): \(x) != \(y)") }
                return
            }
            guard let p = Double(x), let q = Double(y) else { diffs.append("\(path): \(x) != \(y)"); return }
            let tolerance = path.hasSuffix("/sum") ? 1e-9 * max(abs(p), abs(q)) : 0
            if abs(p - q) > tolerance { diffs.append("\(path): \(x) != \(y)") }
        default:
            if a != b { diffs.append("\(path): \(a.serialized(pretty: false)) != \(b.serialized(pretty: false))") }
        }
    }
}
