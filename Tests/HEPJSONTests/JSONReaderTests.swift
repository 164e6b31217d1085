import Foundation
import HEPJSON
import Testing

/// Strictness of the RFC 8259 reader: what it refuses, where it says the error is, and what it keeps.
@Suite struct JSONReaderTests {
    func error(_ text: String) -> JSONParseError? {
        do {
            _ = try JSONValue.parse(text)
            return nil
        } catch let e as JSONParseError {
            return e
        } catch {
            return nil
        }
    }

    @Test(arguments: ["-Infinity", "Infinity", "NaN", "-nan", "nan", "0x1p3", "01", "-01", "+1", ".5", "1.", "1e", "1e+",
                      "-", "--1", "1.e3", "0x10", "1_000", "[1,]", "{\"a\":1,}", "[01]", "'a'", "\"\\x\"", "tru", "nul",
                      "\"a\nb\"", "\"\\ud800\"", "[1 2]", "{\"a\" 1}", "{1:2}", "", " ", "[", "\"abc", "1 2", "[\"\u{7}\"]"])
    func refusesNonRFCDocuments(_ text: String) {
        #expect(error(text) != nil, "accepted \(text.debugDescription)")
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(bytes: [0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test(arguments: ["0", "-0", "1.5", "-1.25e-3", "1E+10", "123456789012345678901234567890", "[]", "{}", "true",
                      "null", "\"\\u00e9\\ud83d\\ude00\\/\"", " [ 1 , {\"a\" : [ ] } ] "])
    func acceptsRFCDocuments(_ text: String) throws {
        _ = try JSONValue.parse(text)
    }

    @Test func errorOffsetsPointAtTheOffendingByte() {
        #expect(error("[1, -Infinity]")?.offset == 4)
        #expect(error("{\"a\": 0x1p3}")?.offset == 7)
        #expect(error("[1, 2")?.offset == 5)
        #expect(error("[1] x")?.offset == 4)
        #expect(error("\"ab\\q\"")?.offset == 3)
        #expect(error("[007]")?.offset == 1)
    }

    @Test func depthLimit() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let e = error(deep)
        #expect(e?.reason.contains("nesting") == true)
        #expect(e?.offset == JSONValue.defaultMaxDepth)
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        _ = try JSONValue.parse(ok)
        #expect(throws: JSONParseError.self) { try JSONValue.parse("[[[1]]]", maxDepth: 2) }
    }

    @Test func keepsNumberTextAndMemberOrder() throws {
        let v = try JSONValue.parse(#"{"b": 18446744073709551615, "a": [1.50, "x\ty"], "c": null}"#)
        guard case let .object(members) = v else { Issue.record("not an object"); return }
        #expect(members.map(\.0) == ["b", "a", "c"])
        #expect(v["b"]?.numberText == "18446744073709551615")
        #expect(v["a"]?.arrayValue?.first?.numberText == "1.50")
        #expect(v["a"]?.arrayValue?.last?.stringValue == "x\ty")
        #expect(v["c"] == .null)
    }

    @Test func stringsMatchFoundation() throws {
        let samples = ["plain", "quote \" backslash \\ slash /", "tab\tnewline\n", "é ☃ 😀", "\u{1}\u{1f}"]
        for s in samples {
            let encoded = String(decoding: try JSONEncoder().encode([s]), as: UTF8.self)
            #expect(try JSONValue.parse(encoded) == .array([.string(s)]), "\(encoded)")
        }
    }

    @Test func numbersMatchFoundation() throws {
        var rng = SystemRandomNumberGenerator()
        var texts = ["0.1", "2.2250738585072014e-308", "1.7976931348623157e308", "5e-324", "9007199254740993",
                     "0.30000000000000004", "123456789.123456789", "1e23", "8.589973e9", "-0.0", "1e400", "1e-400"]
        for _ in 0..<2000 {
            let d = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF)
            texts.append("\(d)")
            texts.append(String(Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &rng)) + "." + String(Int.random(in: 0...999_999, using: &rng)))
        }
        for t in texts {
            let request = #"{"inputs":[{"name":"x","datatype":"FP64","shape":[1],"data":["# + t + "]}]}"
            let parsed = try Array(request.utf8).withUnsafeBytes { try InferRequestJSON.parse($0) }
            let got = parsed.inputs[0].data!.withUnsafeBytes { $0.loadUnaligned(as: Double.self) }
            let expected = strtod(t, nil)
            #expect(got.bitPattern == expected.bitPattern, "\(t): \(got) vs \(expected)")
        }
    }
}
