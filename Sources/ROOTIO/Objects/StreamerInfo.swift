/// One member of a class as described by its TStreamerInfo.
public struct StreamerElement: Sendable {
    public var className: String
    public var name: String
    /// The member's comment (holds the `[xmin,xmax,nbits]` range of Double32_t/Float16_t members).
    public var title: String = ""
    /// TStreamerElement fType (EDataType, +20 fixed array, +40 pointer array, 300 STL, ...).
    public var type: Int32
    public var typeName: String
}

/// A class layout from the file's streamer list.
public struct StreamerInfo: Sendable {
    public var name: String
    public var classVersion: Int32
    public var elements: [StreamerElement]

    static func read(_ c: inout ByteCursor, reader: ObjectReader) throws -> StreamerInfo {
        let h = try c.versionHeader()
        let named = try reader.readTNamed(&c)
        _ = try c.u32()  // fCheckSum
        let classVersion = try c.i32()
        var elements: [StreamerElement] = []
        if case let .objArray(items)? = try reader.readObjectAny(&c) {
            for case let .streamerElement(e)? in items { elements.append(e) }
        }
        try c.finish(h.end)
        return StreamerInfo(name: named.name, classVersion: classVersion, elements: elements)
    }
}

extension StreamerElement {
    static func read(_ c: inout ByteCursor, className: String, reader: ObjectReader) throws -> StreamerElement {
        let outer = try c.versionHeader()
        let middle = className == "TStreamerSTLstring" ? try c.versionHeader() : nil
        let h = try c.versionHeader()
        let named = try reader.readTNamed(&c)
        let type = try c.i32()
        _ = try c.i32()  // fSize
        _ = try c.i32()  // fArrayLength
        _ = try c.i32()  // fArrayDim
        if h.version == 1 {
            let n = try c.i32()
            guard n >= 0, Int(n) <= c.remaining / 4 else { throw c.malformed("fMaxIndex count \(n)") }
            try c.skip(Int(n) * 4)
        } else {
            try c.skip(20)
        }
        let typeName = try c.string()
        try c.finish(h.end)
        try c.finish(middle?.end)
        try c.finish(outer.end)
        return StreamerElement(className: className, name: named.name, title: named.title, type: type, typeName: typeName)
    }
}

/// The file's streamer list, read on first need: class name → layout.
public struct StreamerInfoList: Sendable {
    public var classes: [String: StreamerInfo]

    static func read(file: ROOTFile) async throws -> StreamerInfoList {
        let h = file.header
        guard h.seekInfo > 0, h.nbytesInfo > 0 else { return StreamerInfoList(classes: [:]) }
        let headBytes = try await file.source.read(offset: h.seekInfo, count: Int(h.nbytesInfo))
        var kc = ByteCursor(bytes: headBytes, file: file.name, object: "streamer info key", fileOffset: h.seekInfo)
        var key = try Key(from: &kc)
        key.seekKey = h.seekInfo
        var c = try await key.payload(from: file.source)
        c.object = "streamer info list"
        let reader = ObjectReader()
        var classes: [String: StreamerInfo] = [:]
        for case let .streamerInfo(info)? in try reader.readList(&c) { classes[info.name] = info }
        return StreamerInfoList(classes: classes)
    }
}
