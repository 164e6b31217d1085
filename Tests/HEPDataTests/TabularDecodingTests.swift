import ROOTIO
import Testing
@testable import HEPData

/// The Parquet building blocks (Thrift compact protocol, RLE/bit-packed hybrid, DELTA_BINARY_PACKED) on byte
/// sequences worked out by hand from the format specifications, and CSV quoting and type inference.
@Suite struct TabularDecodingTests {
    typealias R = ThriftCompactReader

    @Test func thriftCompactStructWithShortAndLongFieldHeaders() throws {
        let bytes: [UInt8] = [
            0x15, 0x0A,  // field 1, i32, zigzag 10 → 5
            0x38, 0x02, 0x61, 0x62,  // field 4 (delta 3), binary "ab"
            0x06, 0x28, 0x05,  // long form: i64, field id zigzag 40 → 20, value zigzag 5 → -3
            0x11,  // field 21, bool true
            0x1C, 0x15, 0x0E, 0x00,  // field 22, struct { field 1: i32 7 }
            0x19, 0x35, 0x04, 0x08, 0x0C,  // field 23, list of 3 i32: 2, 4, 6
            0x00,
        ]
        var r = R(bytes)
        var seen: [String] = []
        try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
            switch (id, type) {
            case (1, .i32): seen.append("1=\(try r.i32())")
            case (4, .binary): seen.append("4=\(try r.string())")
            case (20, .i64): seen.append("20=\(try r.i64())")
            case (21, .boolTrue): seen.append("21=\(try r.bool())")
            case (22, .structure):
                try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
                    if id == 1 { seen.append("22.1=\(try r.i32())") } else { try r.skip(type) }
                }
            case (23, .list):
                let items = try r.readList { (r: inout R) throws(R.Failure) in try r.i32() }
                seen.append("23=\(items)")
            default: Issue.record("unexpected field \(id)")
            }
        }
        #expect(seen == ["1=5", "4=ab", "20=-3", "21=true", "22.1=7", "23=[2, 4, 6]"])
        #expect(r.position == bytes.count)
    }

    @Test func thriftPageHeaderSkipsUnknownFieldsAndFailsWhenTruncated() throws {
        let bytes: [UInt8] = [
            0x15, 0x00, 0x15, 0xC8, 0x01, 0x15, 0xA0, 0x01,  // type 0, sizes 100 and 80
            0x18, 0x03, 0x01, 0x02, 0x03,  // field 4 as an unknown binary, skipped
            0x1C, 0x15, 0x14, 0x15, 0x10, 0x00,  // data_page_header { num_values 10, encoding 8 }
            0x00,
        ]
        var r = R(bytes)
        let h = try ParquetPageHeader.decode(&r)
        #expect(h.type == 0 && h.uncompressedSize == 100 && h.compressedSize == 80)
        #expect(h.numValues == 10 && h.encoding == 8)
        for cut in [1, 4, 9, 15] {
            var t = R(Array(bytes.prefix(cut)))
            #expect(throws: R.Failure.self) { try ParquetPageHeader.decode(&t) }
        }
        var huge = R([0x19, 0xF5, 0xFF, 0xFF, 0xFF, 0x0F])  // list claiming 4 billion elements
        #expect(throws: R.Failure.self) { try huge.skip(.structure) }
    }

    @Test func rleRunThenBitPackedGroup() throws {
        // RLE run: 5 × value 4; bit-packed: one group of 0...7 at 3 bits (the spec's example bytes).
        let bytes: [UInt8] = [0x0A, 0x04, 0x03, 0x88, 0xC6, 0xFA]
        var out: [UInt32] = []
        try bytes.withUnsafeBytes { b in
            var d = try RLEBitPackedDecoder(b, bitWidth: 3)
            try d.decode(count: 13, into: &out)
        }
        #expect(out == [4, 4, 4, 4, 4, 0, 1, 2, 3, 4, 5, 6, 7])
        var short: [UInt32] = []
        #expect(throws: RLEBitPackedDecoder.Failure.self) {
            try Array(bytes.prefix(4)).withUnsafeBytes { b in
                var d = try RLEBitPackedDecoder(b, bitWidth: 3)
                try d.decode(count: 13, into: &short)
            }
        }
    }

    @Test func bitPackedWidthsUpTo32MatchAReferencePacker() throws {
        for width in [1, 2, 3, 7, 8, 13, 17, 24, 31, 32] {
            let groups = 37
            let mask = UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(width)) - 1)
            let values = (0..<(8 * groups)).map { UInt32(truncatingIfNeeded: (UInt64($0) &* 2_654_435_761) >> 5) & mask }
            var packed = [UInt8](repeating: 0, count: groups * width)
            for (i, v) in values.enumerated() {
                for b in 0..<width where v >> UInt32(b) & 1 == 1 { packed[(i * width + b) >> 3] |= 1 << UInt8((i * width + b) & 7) }
            }
            let bytes = [UInt8(groups << 1 | 1)] + packed
            for count in [values.count, values.count - 5] {
                var out: [UInt32] = []
                try bytes.withUnsafeBytes { b in
                    var d = try RLEBitPackedDecoder(b, bitWidth: width)
                    try d.decode(count: count, into: &out)
                }
                #expect(out == Array(values.prefix(count)), "width \(width), \(count) values")
            }
        }
    }

    @Test func deltaBinaryPacked() throws {
        // 1...5: all deltas equal the minimum, every miniblock width 0.
        let constant: [UInt8] = [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00]
        #expect(try constant.withUnsafeBytes { try DeltaBinaryPackedDecoder.decode($0, expected: 5) } == [1, 2, 3, 4, 5])
        // 7 5 3 1 2 3 4 5: min delta -2, relative deltas 0 0 0 3 3 3 3 at 2 bits.
        let mixed: [UInt8] = [0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00,
                              0xC0, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        #expect(try mixed.withUnsafeBytes { try DeltaBinaryPackedDecoder.decode($0, expected: 8) } == [7, 5, 3, 1, 2, 3, 4, 5])
        #expect(throws: DeltaBinaryPackedDecoder.Failure.self) {
            try Array(mixed.prefix(11)).withUnsafeBytes { try DeltaBinaryPackedDecoder.decode($0, expected: 8) }
        }
        #expect(throws: DeltaBinaryPackedDecoder.Failure.self) {
            try ([0x81, 0x01, 0x04, 0x05, 0x02] as [UInt8]).withUnsafeBytes { try DeltaBinaryPackedDecoder.decode($0, expected: 5) }
        }
    }

    @Test func csvQuotedFieldsEscapesAndLines() throws {
        let text = Array("a,\"b \"\"c\"\", d\",\n\"x\ny\",2\r\n\n3,4".utf8)
        var p = CSVRecordParser(firstLine: 1)
        var records: [[String]] = []
        var lines: [Int] = []
        try text.withUnsafeBufferPointer { b in
            while try p.next(b) {
                records.append(p.fields.map { String(decoding: UnsafeBufferPointer(rebasing: b[$0.range]), as: UTF8.self) })
                lines.append(p.recordLine)
            }
        }
        #expect(records == [["a", "b \"\"c\"\", d", ""], ["x\ny", "2"], ["3", "4"]])
        #expect(lines == [1, 2, 5])
        for bad in ["1,\"2\n", "1,2\"3\n", "\"a\"b,1\n"] {
            var q = CSVRecordParser(firstLine: 1)
            #expect(throws: CSVRecordParser.Failure.self, "\(bad)") {
                try Array(bad.utf8).withUnsafeBufferPointer { b in while try q.next(b) {} }
            }
        }
    }

    @Test func csvTypeInferenceMissingValuesAndBooleans() async throws {
        let text = "id,x,flag,name\n1,2.5,true,a\n2,,false,\"b\"\n3,NaN,TRUE,c\n"
        let source = MemorySource(name: "t.csv", bytes: Array(text.utf8))
        let file = ROOTFile.wrapping(try await CSVTable.open(source), source: source)
        let tree = try await file.tree("Events")
        #expect(tree.entries == 3)
        let (readable, skipped) = tree.classifyBranches()
        #expect(readable.map(\.0.name) == ["id", "x", "flag"])
        #expect(skipped.map(\.0.name) == ["name"])
        let batch = try await tree.arrays(["id", "x", "flag"])
        guard let idColumn = batch["id"], let xColumn = batch["x"], let flagColumn = batch["flag"],
              case let .int64(id) = idColumn.values, case let .float64(x) = xColumn.values,
              case let .int64(flag) = flagColumn.values
        else {
            Issue.record("wrong column types")
            return
        }
        #expect(id == [1, 2, 3] && flag == [1, 0, 1])
        #expect(x[0] == 2.5 && x[1].isNaN && x[2].isNaN)
    }

    @Test func formatFromExtension() {
        #expect(TableFormat.guess("/a/b.CSV") == .csv)
        #expect(TableFormat.guess("https://h/x.parquet?token=1") == .parquet)
        #expect(TableFormat.guess("events.jsonl") == .jsonl)
        #expect(TableFormat.guess("root://h//a.b/file.root") == .root)
        #expect(TableFormat.guess("dir.csv/file") == .root)
    }
}
