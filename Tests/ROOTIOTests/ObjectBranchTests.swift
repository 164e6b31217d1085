import Testing
@testable import ROOTIO

/// Object branches written by real ROOT 6.40 (Tests/Integration/make_root_objects.py, fixture in
/// Tests/Fixtures/root-objects): members of a split `vector<TrackObj>`, of a split `TClonesArray` and of a
/// collection inside a split wrapper object,
/// `vector<bool>`, `RVec<float>`, Double32_t/Float16_t leaves and members with and without range specifiers.
/// Every value equals ROOT's own (GetEntry), bit for bit.
@Suite struct ObjectBranchTests {
    static let directory = TestData.packageRoot + "/Tests/Fixtures/root-objects"

    static func reference() throws -> JSONValue {
        try JSONValue.parse(String(decoding: try TestData.readFile(directory + "/objects.json"), as: UTF8.self))
    }

    /// Branch names of the reference.
    static func numericBranches(_ reference: JSONValue) throws -> [String] {
        guard case let .object(branches)? = reference["branches"] else { throw ReferenceError.shape("branches") }
        return branches.map(\.0)
    }

    enum ReferenceError: Error { case shape(String) }

    /// All numbers of one reference entry, flattened (booleans as 0/1).
    static func flatten(_ v: JSONValue) -> [Double] {
        switch v {
        case let .array(items): return items.flatMap(flatten)
        case let .bool(b): return [b ? 1 : 0]
        default: return [v.doubleValue ?? .nan]
        }
    }

    @Test(arguments: [1000, 7])
    func valuesEqualROOT(chunkSize: Int) async throws {
        let reference = try Self.reference()
        let names = try Self.numericBranches(reference)
        let file = try await ROOTFile.open(path: Self.directory + "/objects-zlib.root")
        let tree = try await file.tree("objects")
        let reader = try tree.reader(branches: names.map { try tree.branch(named: $0) }, threads: 2)
        var mismatches: [String] = []
        var entries = 0
        for try await batch in reader.chunks(size: chunkSize) {
            for column in batch.columns {
                let expected = try #require(reference["branches"]?[column.name]?.arrayValue)
                for i in 0..<batch.entryCount {
                    let want = Self.flatten(expected[Int(batch.entryStart) + i])
                    let range = column.valueRange(ofEntry: i)
                    let got = range.map { column.values.double(at: $0) }
                    if got.count != want.count || zip(got, want).contains(where: { $0.bitPattern != $1.bitPattern }) {
                        mismatches.append("\(column.name)[\(Int(batch.entryStart) + i)]: \(got) != \(want)")
                    }
                }
            }
            entries += batch.entryCount
        }
        #expect(entries == reference["entries"]?.intValue)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(8))")
    }

    @Test func collectionMembersAreCountedByTheirCollection() async throws {
        let file = try await ROOTFile.open(path: Self.directory + "/objects-zlib.root")
        let tree = try await file.tree("objects")
        guard case let .object(counters)? = try Self.reference()["counters"] else { throw ReferenceError.shape("counters") }
        for (member, collection) in counters {
            let i = try tree.interpretation(of: try tree.branch(named: member)).get()
            #expect(i.kind == .jagged && i.counter == collection.stringValue, "\(member)")
            let c = try tree.interpretation(of: try tree.branch(named: try #require(collection.stringValue))).get()
            #expect(c.kind == .flat && c.type == .int32, "\(collection)")
        }
        let hits = try tree.interpretation(of: try tree.branch(named: "tracks.hits")).get()
        #expect(hits.kind == .doublyJagged && hits.counter == "tracks" && hits.type == .float32)
        let cov = try tree.interpretation(of: try tree.branch(named: "tracks.covariance[3]")).get()
        #expect(cov.kind == .jagged && cov.shape == [3] && cov.type == .float64)
        let mass = try tree.interpretation(of: try tree.branch(named: "Particle.Mass")).get()
        #expect(mass.type == .float64 && mass.packing == .scaled(xmin: 0, factor: Double(1 << 20) / 100))
        let phi = try tree.interpretation(of: try tree.branch(named: "Particle.Phi")).get()
        #expect(phi.type == .float32 && phi.packing == .scaled(xmin: -Double.pi, factor: Double(1 << 14) / (2 * Double.pi)))
    }

    /// The collection's element count in every entry equals the member columns' lengths.
    @Test func memberLengthsFollowTheCounter() async throws {
        let file = try await ROOTFile.open(path: Self.directory + "/objects-zlib.root")
        let tree = try await file.tree("objects")
        let batch = try await tree.arrays(["Particle", "Particle.Eta", "tracks", "tracks.zzero"])
        for (counter, member) in [("Particle", "Particle.Eta"), ("tracks", "tracks.zzero")] {
            let n = try #require(batch[counter])
            let m = try #require(batch[member])
            for i in 0..<batch.entryCount {
                #expect(Int(n.values.double(at: i)) == m.length(ofEntry: i), "\(member)[\(i)]")
            }
        }
    }

    /// ROOT's reading of range specifiers (TStreamerElement::GetRange and TBufferFile::ReadDouble32/ReadFloat16).
    @Test func rangeSpecifiers() {
        #expect(FloatPacking.of(spec: "", isFloat16: false) == .float32)
        #expect(FloatPacking.of(spec: "", isFloat16: true) == .truncated(bits: 12))
        #expect(FloatPacking.of(spec: "x[3]", isFloat16: false) == .float32)
        #expect(FloatPacking.of(spec: "x/d[0,1,16]", isFloat16: false) == .scaled(xmin: 0, factor: 65536))
        #expect(FloatPacking.of(spec: "[-10,10]", isFloat16: false) == .scaled(xmin: -10, factor: Double(UInt32.max) / 20))
        #expect(FloatPacking.of(spec: "x[n][-1, 1, 2]", isFloat16: true) == .scaled(xmin: -1, factor: 2))
        #expect(FloatPacking.of(spec: "[0,0,8]", isFloat16: false) == .truncated(bits: 8))
        #expect(FloatPacking.of(spec: "[0,0,6]", isFloat16: true) == .truncated(bits: 6))
        #expect(FloatPacking.of(spec: "[0,0,16]", isFloat16: false) == .float32)
        #expect(FloatPacking.of(spec: "[-2pi,2*pi]", isFloat16: false)
            == .scaled(xmin: -2 * Double.pi, factor: Double(UInt32.max) / (4 * Double.pi)))
        #expect(FloatPacking.of(spec: "[0,1,40]", isFloat16: false) == .scaled(xmin: 0, factor: Double(UInt32.max)))
    }

    /// Vector class names as ROOT writes them: element type and the default packing of Double32_t/Float16_t.
    @Test func vectorClassNames() {
        #expect(BranchInterpretation.vectorElement("vector<unsigned short>")?.0 == "unsigned short")
        #expect(BranchInterpretation.vectorElement("std::vector<float, std::allocator<float> >")?.0 == "float")
        #expect(BranchInterpretation.vectorElement("vector<float,ROOT::Detail::VecOps::RAdoptAllocator<float> >")?.0 == "float")
        #expect(BranchInterpretation.vectorElement("ROOT::VecOps::RVec<int>")?.0 == "int")
        #expect(BranchInterpretation.vectorElement("vector<Double32_t>")?.1 == .float32)
        #expect(BranchInterpretation.vectorElement("vector<float,MyAllocator<float> >") == nil)
        #expect(BranchInterpretation.vectorElement("vector<vector<float> >") == nil)
    }

    /// Packed values decode as ROOT rebuilds them: a range-scaled integer and a truncated mantissa with its sign.
    @Test func packedValues() {
        let scaled: [UInt8] = [0x00, 0x00, 0x80, 0x00]  // 32768 of 65536 over [0, 1]
        var d = [Double](repeating: 0, count: 1)
        scaled.withUnsafeBytes { FloatPacking.decode(.scaled(xmin: 0, factor: 65536), $0.baseAddress!, count: 1, into: &d) }
        #expect(d == [0.5])
        // -1.5 with 12 mantissa bits: exponent 127, mantissa 0.5 → 2048 of 4096, sign at bit 13.
        let truncated: [UInt8] = [0x7f, 0x28, 0x00]
        var f = [Float](repeating: 0, count: 1)
        truncated.withUnsafeBytes { FloatPacking.decode(.truncated(bits: 12), $0.baseAddress!, count: 1, into: &f) }
        #expect(f == [-1.5])
    }
}
