/// Reads the members of a TTree written by ROOT 1 to early 5 (class versions 1 to 15).
///
/// Those versions were streamed member by member after the class's TStreamerInfo (automatic schema
/// evolution), and the members changed often: `fEntries` and the byte counters were `Stat_t` (double)
/// before they became `Long64_t`, and members were added before `fBranches` over the years. The file's own
/// streamer list describes the version it holds, so the members up to `fBranches` are decoded by walking
/// that description; everything after `fBranches` is skipped by byte count.
enum OldTreeLayout {
    /// The members of a TTree up to `fBranches` for `version`, described by the file's streamer list.
    static func read(_ c: inout ByteCursor, version: Int16, end: Int?, streamers: StreamerInfoList,
                     reader: ObjectReader) throws -> TreeModel {
        guard let info = streamers.classes["TTree"], info.classVersion == Int32(version) else {
            let found = streamers.classes["TTree"].map { "version \($0.classVersion)" } ?? "none"
            throw ROOTIOError.unsupported(file: c.file, object: c.object,
                                          reason: "TTree version \(version) without its streamer information (file has \(found))")
        }
        var name = ""
        var title = ""
        var entries: Int64?
        for element in info.elements {
            if element.name == "fBranches" {
                guard let entries else { throw c.malformed("TTree version \(version) has no fEntries before fBranches") }
                let branches = try reader.readObjArray(&c).compactMap { obj -> BranchModel? in
                    if case let .branch(b)? = obj { return b }
                    return nil
                }
                try c.finish(end)
                return TreeModel(name: name, title: title, version: version, entries: entries, branches: branches)
            }
            switch element.className {
            case "TStreamerBase":
                if element.name == "TNamed" {
                    (name, title) = try reader.readTNamed(&c)
                } else {
                    try reader.skipVersioned(&c, what: element.name)
                }
            case "TStreamerBasicType":
                let value = try basicValue(&c, type: element.type, member: element.name)
                if element.name == "fEntries" {
                    guard value >= 0, value < 9.0e18, value == value.rounded() else { throw c.malformed("fEntries \(value)") }
                    entries = Int64(value)
                }
            case "TStreamerObject", "TStreamerObjectAny", "TStreamerObjectAnyPointer":
                try reader.skipVersioned(&c, what: element.name)
            case "TStreamerObjectPointer":
                _ = try reader.readObjectAny(&c)
            default:
                throw ROOTIOError.unsupported(file: c.file, object: c.object,
                                              reason: "TTree version \(version) member \(element.name) (\(element.className)) before fBranches")
            }
        }
        throw c.malformed("TTree version \(version) streamer information has no fBranches")
    }

    /// Versions 1 to 4 (ROOT 1 and 2) were streamed by hand: TNamed and the three attribute bases, fScanField,
    /// fMaxEntryLoop and fMaxVirtualSize (Int_t), fEntries, fTotBytes and fZipBytes (Stat_t), fAutoSave and
    /// fEstimate (Int_t), then fBranches.
    static func readHandStreamed(_ c: inout ByteCursor, version: Int16, end: Int?, reader: ObjectReader) throws -> TreeModel {
        let (name, title) = try reader.readTNamed(&c)
        for base in ["TAttLine", "TAttFill", "TAttMarker"] { try reader.skipVersioned(&c, what: base) }
        try c.skip(12)  // fScanField, fMaxEntryLoop, fMaxVirtualSize
        let value = try c.f64()
        guard value >= 0, value < 9.0e18, value == value.rounded() else { throw c.malformed("fEntries \(value)") }
        try c.skip(24)  // fTotBytes, fZipBytes, fAutoSave, fEstimate
        let branches = try reader.readObjArray(&c).compactMap { obj -> BranchModel? in
            if case let .branch(b)? = obj { return b }
            return nil
        }
        try c.finish(end)
        return TreeModel(name: name, title: title, version: version, entries: Int64(value), branches: branches)
    }

    /// One basic member by its ROOT type code, as a Double (exact for the counters that matter).
    static func basicValue(_ c: inout ByteCursor, type: Int32, member: String) throws -> Double {
        switch type {
        case 1: return Double(Int8(bitPattern: try c.u8()))
        case 11, 18: return Double(try c.u8())
        case 2: return Double(try c.i16())
        case 12: return Double(UInt16(bitPattern: try c.i16()))
        case 3, 6: return Double(try c.i32())
        case 13, 15: return Double(try c.u32())
        case 4, 16: return Double(try c.i64())
        case 14, 17: return Double(UInt64(bitPattern: try c.i64()))
        case 5: return Double(Float(bitPattern: try c.u32()))
        case 8: return try c.f64()
        default:
            throw ROOTIOError.unsupported(file: c.file, object: c.object, reason: "TTree member \(member) of basic type \(type)")
        }
    }
}
