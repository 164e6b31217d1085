import ROOTIO

/// The Swift description of an Arrow field: name, format string of the C data interface, children.
struct ArrowField: Sendable {
    var name: String
    var format: String
    var children: [ArrowField] = []

    /// Primitive format of a ROOT scalar type (`b`, `c`, `C`, `s`, `S`, `i`, `I`, `l`, `L`, `f`, `g`).
    static func format(of type: ScalarType) -> String {
        switch type {
        case .bool: return "b"
        case .int8: return "c"
        case .uint8: return "C"
        case .int16: return "s"
        case .uint16: return "S"
        case .int32: return "i"
        case .uint32: return "I"
        case .int64: return "l"
        case .uint64: return "L"
        case .float32: return "f"
        case .float64: return "g"
        }
    }

    /// A branch as an Arrow field: primitive (flat), nested `FixedSizeList` (fixed shape), `LargeList` (jagged).
    static func branch(name: String, interpretation i: BranchInterpretation) -> ArrowField {
        var inner = ArrowField(name: "item", format: format(of: i.type))
        for d in i.shape.reversed() { inner = ArrowField(name: "item", format: "+w:\(d)", children: [inner]) }
        switch i.kind {
        case .flat, .fixed:
            inner.name = name
            return inner
        case .jagged:
            return ArrowField(name: name, format: "+L", children: [inner])
        case .doublyJagged, .string, .jaggedString:
            return StringAndNestedArrays.field(name: name, interpretation: i) ?? inner
        }
    }

    /// `FixedSizeList<float32>[n]`.
    static func floatVector(name: String, width: Int) -> ArrowField {
        ArrowField(name: name, format: "+w:\(width)", children: [ArrowField(name: "item", format: "f")])
    }

    /// A record batch's struct type.
    static func record(_ fields: [ArrowField]) -> ArrowField { ArrowField(name: "", format: "+s", children: fields) }
}

/// The Swift description of an Arrow array: length, buffers (whose memory `owners` keep alive) and children.
final class ArrowNode: @unchecked Sendable {
    let length: Int64
    let buffers: [UnsafeRawPointer?]
    let children: [ArrowNode]
    /// Storage the buffers point into (Swift arrays, kept unmutated).
    let owners: [Any]

    init(length: Int64, buffers: [UnsafeRawPointer?], children: [ArrowNode] = [], owners: [Any] = []) {
        self.length = length
        self.buffers = buffers
        self.children = children
        self.owners = owners
    }

    /// A struct (record batch) of `children`, all of length `length`.
    static func record(length: Int, children: [ArrowNode]) -> ArrowNode {
        ArrowNode(length: Int64(length), buffers: [nil], children: children)
    }
}
