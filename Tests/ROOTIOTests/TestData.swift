import ROOTIO

/// Locations of the shared test files (`../shared/testdata` beside the package root).
enum TestData {
    static let packageRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/ROOTIOTests/TestData.swift
        return parts.joined(separator: "/")
    }()

    static let rootDirectory = packageRoot + "/../shared/testdata/root"

    static func path(_ name: String) -> String { rootDirectory + "/" + name }

    /// Every shared ROOT file whose reference JSON lists at least one TTree.
    static let filesWithTrees: [String] = [
        "leaftypes-a-lz4.root", "leaftypes-a-lzma.root", "leaftypes-a-zlib.root", "leaftypes-a-zstd.root",
        "nanoAOD_2015_CMS_Open_Data_ttbar.root",
        "nanoaod-like-a-lz4.root", "nanoaod-like-a-lzma.root", "nanoaod-like-a-zlib.root", "nanoaod-like-a-zstd.root",
        "uproot-HZZ-lz4.root", "uproot-HZZ-lzma.root", "uproot-HZZ-uncompressed.root", "uproot-HZZ-zlib.root",
        "uproot-HZZ-zstd.root", "uproot-HZZ.root", "uproot-empty.root", "uproot-issue412.root",
        "uproot-nesteddirs.root", "uproot-sample-5.23.02-zlib.root", "uproot-sample-5.30.00-lzma.root",
        "uproot-sample-6.20.04-lz4.root", "uproot-sample-6.20.04-lzma.root",
        "uproot-sample-6.20.04-uncompressed.root", "uproot-sample-6.20.04-zlib.root",
        "uproot-small-dy-nooffsets.root", "uproot-small-dy-withoffsets.root", "uproot-small-flat-tree.root",
    ]

    /// Every shared ROOT file whose reference JSON lists an RNTuple.
    static let filesWithRNTuples: [String] = [
        "Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root",
        "cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1.root",
        "nanoaod-like-a-rntuple.root", "test_1jag_int_float_rntuple_v1-0-0-0.root",
        "test_index_multicluster_rntuple_v1-0-0-0.root", "test_int_float_rntuple_v1-0-0-0.root",
    ]

    static func readFile(_ path: String) throws -> [UInt8] {
        let src = try LocalFileSource(path: path)
        return try src.readSync(offset: 0, count: Int(src.size))
    }
}
