/// How the bytes of a branch's entries become a typed column.
public struct BranchInterpretation: Sendable, Equatable {
    public var type: ScalarType
    public var kind: ColumnKind
    /// Fixed inner shape per entry (`[3]`, `[2, 2]`), or per jagged element.
    public var shape: [Int]
    /// Bytes to skip at the start of each entry (10 for `std::vector`, 1 for counted arrays in classes).
    public var headerBytes: Int
    /// Name of the counter branch of a jagged leaf array (`nMuon`), if any.
    public var counter: String?

    /// Values per entry (flat/fixed) or per jagged element.
    public var itemsPerElement: Int { shape.reduce(1, *) }
    /// Bytes of one entry (flat/fixed) or of one jagged element.
    public var elementBytes: Int { type.byteSize * itemsPerElement }
}

/// Why a branch is not read as numbers.
public struct SkipReason: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension BranchInterpretation {
    /// Decides the interpretation of a branch, or why it is skipped.
    static func of(_ branch: BranchModel, streamers: StreamerInfoList?) -> Result<BranchInterpretation, SkipReason> {
        func skip(_ why: String) -> Result<BranchInterpretation, SkipReason> { .failure(SkipReason(description: why)) }
        if !branch.fileName.isEmpty { return skip("baskets stored in another file (\(branch.fileName))") }
        guard branch.leaves.count <= 1 else { return skip("leaf-list branch with \(branch.leaves.count) leaves") }
        guard let leaf = branch.leaves.first else { return skip("no leaves (a parent branch without data)") }
        let dims = parseDimensions(leaf.title)
        if let element = branch.element, let special = ofStringOrNested(branch, element: element, streamers: streamers) {
            return special
        }
        if let element = branch.element {
            return ofElement(branch, element: element, leaf: leaf, dims: dims, streamers: streamers)
        }
        let type: ScalarType
        switch leaf.className {
        case "TLeafO": type = .bool
        case "TLeafB": type = leaf.isUnsigned ? .uint8 : .int8
        case "TLeafS": type = leaf.isUnsigned ? .uint16 : .int16
        case "TLeafI": type = leaf.isUnsigned ? .uint32 : .int32
        case "TLeafL", "TLeafG": type = leaf.isUnsigned ? .uint64 : .int64
        case "TLeafF": type = .float32
        case "TLeafD": type = .float64
        case "TLeafC": return .success(.charLeaf)
        case "TLeafF16": return skip("Float16_t leaf (packed float)")
        case "TLeafD32": return skip("Double32_t leaf (packed float)")
        default: return skip("leaf class \(leaf.className)")
        }
        return shaped(type: type, leaf: leaf, dims: dims, headerBytes: 0)
    }

    private static func shaped(type: ScalarType, leaf: LeafModel, dims: [Dimension], headerBytes: Int)
        -> Result<BranchInterpretation, SkipReason>
    {
        var fixed = dims.compactMap { if case let .fixed(n) = $0 { return n } else { return nil } }
        var variable: String?
        if let first = dims.first, case let .variable(name) = first { variable = name }
        if leaf.leafCount != nil || variable != nil {
            guard dims.filter({ if case .variable = $0 { return true } else { return false } }).count <= 1,
                  variable != nil || dims.isEmpty
            else {
                return .failure(SkipReason(description: "jagged array whose variable dimension is not the first"))
            }
            return .success(BranchInterpretation(type: type, kind: .jagged, shape: fixed, headerBytes: headerBytes,
                                                 counter: leaf.leafCount?.name ?? variable))
        }
        if fixed.isEmpty, leaf.length > 1 { fixed = [leaf.length] }
        if fixed.reduce(1, *) != leaf.length {
            return .failure(SkipReason(description: "dimensions \(fixed) disagree with fLen \(leaf.length)"))
        }
        return .success(BranchInterpretation(type: type, kind: fixed.isEmpty ? .flat : .fixed, shape: fixed,
                                             headerBytes: headerBytes, counter: nil))
    }

    private static func ofElement(_ branch: BranchModel, element: BranchElementInfo, leaf: LeafModel, dims: [Dimension],
                                  streamers: StreamerInfoList?) -> Result<BranchInterpretation, SkipReason>
    {
        func skip(_ why: String) -> Result<BranchInterpretation, SkipReason> { .failure(SkipReason(description: why)) }
        if !branch.branches.isEmpty { return skip("split object with sub-branches (\(element.className))") }
        switch element.type {
        case 0, 1, 2: break
        case 3, 31: return skip("TClonesArray member")
        case 4, 41: return skip("member of an STL collection of objects")
        default: return skip("TBranchElement fType \(element.type)")
        }
        let st = element.streamerType
        if st == -1 || element.id < 0 {
            if let inner = vectorElementType(element.className) {
                guard let t = ScalarType(cxxName: inner) else { return skip("\(element.className) is not a vector of numbers") }
                if t == .bool { return skip("std::vector<bool>") }
                return .success(BranchInterpretation(type: t, kind: .jagged, shape: [], headerBytes: 10, counter: nil))
            }
            return skip("object of class \(element.className) (non-split)")
        }
        switch st {
        case 1...19:
            guard let t = ScalarType(rootDataType: st) else { return skip("basic type code \(st) (Float16/Double32)") }
            return shaped(type: t, leaf: leaf, dims: dims, headerBytes: 0)
        case 21...39:
            guard let t = ScalarType(rootDataType: st - 20) else { return skip("fixed array of type code \(st - 20)") }
            return shaped(type: t, leaf: leaf, dims: dims, headerBytes: 0)
        case 41...59:
            guard let t = ScalarType(rootDataType: st - 40) else { return skip("counted array of type code \(st - 40)") }
            guard leaf.leafCount != nil else { return skip("counted array without a counter leaf") }
            return shaped(type: t, leaf: leaf, dims: dims, headerBytes: 1)
        case 300, 500:
            guard let info = streamers?.classes[element.className], Int(element.id) < info.elements.count else {
                return skip("STL member without streamer information for \(element.className)")
            }
            let typeName = info.elements[Int(element.id)].typeName
            guard let inner = vectorElementType(typeName), let t = ScalarType(cxxName: inner), t != .bool else {
                return skip("STL member of type \(typeName)")
            }
            return .success(BranchInterpretation(type: t, kind: .jagged, shape: [], headerBytes: 10, counter: nil))
        case 65: return skip("TString member")
        default: return skip("streamer type \(st)")
        }
    }

    /// `float` for `vector<float>` (also `std::vector<float>`), nil for anything else.
    static func vectorElementType(_ name: String) -> String? {
        var s = name.trimmingSpaces
        if s.hasPrefix("std::") { s.removeFirst(5) }
        guard s.hasPrefix("vector<"), s.hasSuffix(">") else { return nil }
        let inner = String(s.dropFirst(7).dropLast())
        if inner.contains("<") || inner.contains(",") { return nil }
        return inner.trimmingSpaces
    }

    enum Dimension: Equatable {
        case fixed(Int)
        case variable(String)
    }

    /// The bracketed dimensions of a leaf title: `Jet_pt[nJet]` → [variable], `x[2][2]` → [2, 2].
    static func parseDimensions(_ title: String) -> [Dimension] {
        var dims: [Dimension] = []
        var rest = Substring(title)
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            let inside = rest[rest.index(after: open)..<close]
            if let n = Int(inside) { dims.append(.fixed(n)) } else { dims.append(.variable(String(inside))) }
            rest = rest[rest.index(after: close)...]
        }
        return dims
    }
}
