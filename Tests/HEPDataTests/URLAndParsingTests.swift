import Testing
@testable import HEPData

@Suite struct URLAndParsingTests {
    @Test func xrootdURLs() throws {
        let u = try XRootDURL("root://alice@eos.cern.ch:1095//eos/data/f.root?svcClass=default")
        #expect(u.user == "alice" && u.host == "eos.cern.ch" && u.port == 1095 && u.path == "/eos/data/f.root" && u.opaque == "svcClass=default")
        let d = try XRootDURL("root://cms-xrd-global.cern.ch//store/mc/x.root")
        #expect(d.port == 1094 && d.path == "/store/mc/x.root" && d.user == "hepml")
        for bad in ["http://x/y", "root://", "root://host", "root://host:0//a", "root://host:99999//a", "root://host//"] {
            #expect(throws: RemoteError.self, "\(bad)") { try XRootDURL(bad) }
        }
    }

    @Test func logicalNamesAreNeverDoublePrefixed() {
        let l = FileLocator(redirector: "root://cms-xrd-global.cern.ch/")
        #expect(l.resolve("/store/data/a.root") == "root://cms-xrd-global.cern.ch//store/data/a.root")
        #expect(l.resolve("root://other:1094//store/data/a.root") == "root://other:1094//store/data/a.root")
        #expect(l.resolve("https://host/store/a.root") == "https://host/store/a.root")
        #expect(l.resolve("local/a.root") == "local/a.root")
        #expect(FileLocator().resolve("/store/data/a.root") == "/store/data/a.root")
    }

    @Test func multipartByteranges() throws {
        let body = Array("--B\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 10-13/100\r\n\r\nabcd\r\n--B\r\nContent-Range: bytes 50-51/100\r\n\r\nxy\r\n--B--\r\n".utf8)
        let parts = try HTTPRangeSource.parseByteranges(body, boundary: "B", ranges: [.init(offset: 10, count: 4), .init(offset: 50, count: 2)], url: "u")
        #expect(parts == [Array("abcd".utf8), Array("xy".utf8)])
        #expect(throws: RemoteError.self) {
            try HTTPRangeSource.parseByteranges(body, boundary: "B", ranges: [.init(offset: 20, count: 4)], url: "u")
        }
    }
}
