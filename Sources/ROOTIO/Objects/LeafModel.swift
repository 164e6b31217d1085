/// A TLeaf (any of the TLeafX classes): element type, fixed length and the counter leaf of jagged arrays.
public final class LeafModel: Sendable {
    public let className: String
    public let name: String
    public let title: String
    /// Product of the fixed dimensions (0 is read as 1).
    public let length: Int
    /// Element size in bytes.
    public let lengthType: Int
    public let offset: Int
    public let isUnsigned: Bool
    /// The counter leaf (`nMuon` for `Muon_pt[nMuon]`), if any.
    public let leafCount: LeafModel?
    /// For TLeafElement: fType (ROOT EDataType code).
    public let elementType: Int32?

    init(className: String, name: String, title: String, length: Int, lengthType: Int, offset: Int, isUnsigned: Bool,
         leafCount: LeafModel?, elementType: Int32?) {
        self.className = className
        self.name = name
        self.title = title
        self.length = length
        self.lengthType = lengthType
        self.offset = offset
        self.isUnsigned = isUnsigned
        self.leafCount = leafCount
        self.elementType = elementType
    }

    static func read(_ c: inout ByteCursor, className: String, reader: ObjectReader) throws -> LeafModel {
        let outer = try c.versionHeader()
        let h = try c.versionHeader()  // TLeaf
        let named = try reader.readTNamed(&c)
        let len = try c.i32()
        let lenType = try c.i32()
        let offset = try c.i32()
        _ = try c.bool()  // fIsRange
        let unsigned = try c.bool()
        var count: LeafModel?
        if case let .leaf(l)? = try reader.readObjectAny(&c) { count = l }
        try c.finish(h.end)
        var elementType: Int32?
        if className == "TLeafElement" {
            _ = try c.i32()  // fID
            elementType = try c.i32()
        }
        try c.finish(outer.end)
        return LeafModel(className: className, name: named.name, title: named.title, length: max(1, Int(len)),
                         lengthType: Int(lenType), offset: Int(offset), isUnsigned: unsigned, leafCount: count,
                         elementType: elementType)
    }
}
