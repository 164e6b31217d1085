/// How the bytes of a branch's entries become a typed column.
public struct BranchInterpretation: Sendable, Equatable {
    public var type: ScalarType
    public var kind: ColumnKind
    /// Fixed inner shape per entry (`[3]`, `[2, 2]`), or per jagged element.
    public var shape: [Int]
    /// Bytes to skip at the start of each entry (10 for `std::vector`, 1 for counted arrays in classes).
    public var headerBytes: Int
    /// Name of the counter branch of a jagged leaf array (`nMuon`), or of the collection branch whose
    /// members a jagged branch holds (`Particle` for `Particle.PT`), if any.
    public var counter: String?
    /// How `Double32_t`/`Float16_t` values are packed on disk; nil when values are plain big-endian `type`.
    public var packing: FloatPacking? = nil
    /// A member of the objects of a split collection (TClonesArray or STL), counted by the collection branch;
    /// a doubly jagged one stores no element count, only one inner vector per collection element.
    public var isCollectionMember = false

    /// Values per entry (flat/fixed) or per jagged element.
    public var itemsPerElement: Int { shape.reduce(1, *) }
    /// Bytes of one value on disk.
    public var storedValueBytes: Int { packing?.storedBytes ?? type.byteSize }
    /// Bytes of one entry (flat/fixed) or of one jagged element, on disk.
    public var elementBytes: Int { storedValueBytes * itemsPerElement }
}

/// Why a branch is not read as numbers.
public struct SkipReason: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension BranchInterpretation {
    /// Decides the interpretation of a branch, or why it is skipped.
    /// - Parameter tree: the tree holding `branch`, to find the collection branch of a split collection member.
    static func of(_ branch: BranchModel, in tree: TreeModel? = nil, streamers: StreamerInfoList?)
        -> Result<BranchInterpretation, SkipReason>
    {
        func skip(_ why: String) -> Result<BranchInterpretation, SkipReason> { .failure(SkipReason(description: why)) }
        if !branch.fileName.isEmpty { return skip("baskets stored in another file (\(branch.fileName))") }
        guard branch.leaves.count <= 1 else { return skip("leaf-list branch with \(branch.leaves.count) leaves") }
        guard let leaf = branch.leaves.first else { return skip("no leaves (a parent branch without data)") }
        let dims = parseDimensions(leaf.title)
        if let element = branch.element, let special = ofStringOrNested(branch, element: element, streamers: streamers) {
            return special
        }
        if let element = branch.element {
            return ofElement(branch, element: element, leaf: leaf, dims: dims, tree: tree, streamers: streamers)
        }
        let type: ScalarType
        var packing: FloatPacking?
        switch leaf.className {
        case "TLeafO": type = .bool
        case "TLeafB": type = leaf.isUnsigned ? .uint8 : .int8
        case "TLeafS": type = leaf.isUnsigned ? .uint16 : .int16
        case "TLeafI": type = leaf.isUnsigned ? .uint32 : .int32
        case "TLeafL", "TLeafG": type = leaf.isUnsigned ? .uint64 : .int64
        case "TLeafF": type = .float32
        case "TLeafD": type = .float64
        case "TLeafC": return .success(.charLeaf)
        case "TLeafF16", "TLeafD32":
            let isFloat16 = leaf.className == "TLeafF16"
            guard let p = FloatPacking.of(spec: leaf.title, isFloat16: isFloat16) else {
                return skip("\(isFloat16 ? "Float16_t" : "Double32_t") leaf with range specifier '\(leaf.title)'")
            }
            type = isFloat16 ? .float32 : .float64
            packing = p
        default: return skip("leaf class \(leaf.className)")
        }
        return shaped(type: type, packing: packing, leaf: leaf, dims: dims, headerBytes: 0)
    }

    /// Whether reading `branch` needs the file's streamer list (STL members, packed floats in split classes).
    static func needsStreamerInfo(_ branch: BranchModel) -> Bool {
        guard let st = branch.element?.streamerType else { return false }
        return st == 300 || st == 365 || st == 500 || (st > 0 && st < 60 && st % 10 == 9)
    }

    private static func shaped(type: ScalarType, packing: FloatPacking? = nil, leaf: LeafModel, dims: [Dimension],
                               headerBytes: Int) -> Result<BranchInterpretation, SkipReason>
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
                                                 counter: leaf.leafCount?.name ?? variable, packing: packing))
        }
        if fixed.isEmpty, leaf.length > 1 { fixed = [leaf.length] }
        if fixed.reduce(1, *) != leaf.length {
            return .failure(SkipReason(description: "dimensions \(fixed) disagree with fLen \(leaf.length)"))
        }
        return .success(BranchInterpretation(type: type, kind: fixed.isEmpty ? .flat : .fixed, shape: fixed,
                                             headerBytes: headerBytes, counter: nil, packing: packing))
    }

    private static func ofElement(_ branch: BranchModel, element: BranchElementInfo, leaf: LeafModel, dims: [Dimension],
                                  tree: TreeModel?, streamers: StreamerInfoList?) -> Result<BranchInterpretation, SkipReason>
    {
        func skip(_ why: String) -> Result<BranchInterpretation, SkipReason> { .failure(SkipReason(description: why)) }
        switch element.type {
        case 3, 4:
            // A split TClonesArray or STL collection of objects: each entry holds the element count (Int32),
            // the counter of its member branches.
            return .success(BranchInterpretation(type: .int32, kind: .flat, shape: [], headerBytes: 0, counter: nil))
        case 31, 41:
            let parent = tree.flatMap { collectionBranch(holding: branch, in: $0) }
            return ofCollectionMember(branch, element: element, leaf: leaf, counter: parent?.name ?? leaf.leafCount?.name,
                                      streamers: streamers)
        case 0, 1, 2: break
        default: return skip("TBranchElement fType \(element.type)")
        }
        if !branch.branches.isEmpty { return skip("split object with sub-branches (\(element.className))") }
        let st = element.streamerType
        if st == -1 || element.id < 0 {
            if let (inner, packing) = vectorElement(element.className) {
                guard let t = ScalarType(cxxName: inner) ?? packing.map({ _ in inner == "Float16_t" ? .float32 : .float64 })
                else { return skip("\(element.className) is not a vector of numbers") }
                return .success(BranchInterpretation(type: t, kind: .jagged, shape: [], headerBytes: 10, counter: nil,
                                                     packing: packing))
            }
            return skip("object of class \(element.className) (non-split)")
        }
        switch st {
        case 1...19:
            return memberScalar(code: st, element: element, leaf: leaf, streamers: streamers).flatMap { t, p in
                shaped(type: t, packing: p, leaf: leaf, dims: dims, headerBytes: 0)
            }
        case 21...39:
            return memberScalar(code: st - 20, element: element, leaf: leaf, streamers: streamers).flatMap { t, p in
                shaped(type: t, packing: p, leaf: leaf, dims: dims, headerBytes: 0)
            }
        case 41...59:
            guard leaf.leafCount != nil else { return skip("counted array without a counter leaf") }
            return memberScalar(code: st - 40, element: element, leaf: leaf, streamers: streamers).flatMap { t, p in
                shaped(type: t, packing: p, leaf: leaf, dims: dims, headerBytes: 1)
            }
        case 300, 500:
            guard let info = streamers?.classes[element.className], Int(element.id) < info.elements.count else {
                return skip("STL member without streamer information for \(element.className)")
            }
            let typeName = info.elements[Int(element.id)].typeName
            guard let (inner, packing) = vectorElement(typeName), packing == nil, let t = ScalarType(cxxName: inner) else {
                return skip("STL member of type \(typeName)")
            }
            return .success(BranchInterpretation(type: t, kind: .jagged, shape: [], headerBytes: 10, counter: nil))
        case 65: return skip("TString member")
        default: return skip("streamer type \(st)")
        }
    }

    /// A member of the objects of a split TClonesArray (fType 31) or STL collection (fType 41): per entry, the
    /// member of every element in turn, so a jagged column counted by the collection branch.
    private static func ofCollectionMember(_ branch: BranchModel, element: BranchElementInfo, leaf: LeafModel,
                                           counter: String?, streamers: StreamerInfoList?)
        -> Result<BranchInterpretation, SkipReason>
    {
        func skip(_ why: String) -> Result<BranchInterpretation, SkipReason> { .failure(SkipReason(description: why)) }
        let st = element.streamerType
        let code: Int32
        var shape: [Int] = []
        switch st {
        case 1...19:
            code = st
        case 21...39:
            code = st - 20
            shape = parseDimensions(branch.name).compactMap { if case let .fixed(n) = $0 { return n } else { return nil } }
            if shape.isEmpty { shape = [leaf.length] }
            guard shape.reduce(1, *) == leaf.length else {
                return skip("array member dimensions \(shape) disagree with fLen \(leaf.length)")
            }
        case 41...59:
            return skip("variable-length array member (`//[n]`) of the objects of a split collection")
        case 300, 500:
            guard let member = streamerElement(of: element, leaf: leaf, streamers: streamers) else {
                return skip("STL member without streamer information for \(element.className)")
            }
            guard let (inner, packing) = vectorElement(member.typeName), packing == nil,
                  let t = ScalarType(cxxName: inner)
            else { return skip("\(member.typeName) member of the objects of a split collection") }
            return .success(BranchInterpretation(type: t, kind: .doublyJagged, shape: [], headerBytes: objectHeaderBytes,
                                                 counter: counter, isCollectionMember: true))
        case 365:
            return skip("string member of the objects of a split collection")
        case 65:
            return skip("TString member of the objects of a split collection")
        default:
            let typeName = streamerElement(of: element, leaf: leaf, streamers: streamers)?.typeName
            return skip("member of type \(typeName ?? "code \(st)") (streamer type \(st)) in the objects of a split collection")
        }
        return memberScalar(code: code, element: element, leaf: leaf, streamers: streamers).map { t, p in
            BranchInterpretation(type: t, kind: .jagged, shape: shape, headerBytes: 0, counter: counter, packing: p,
                                 isCollectionMember: true)
        }
    }

    /// The column type of a class member with ROOT data type `code`; Double32_t (9) and Float16_t (19) take
    /// their packing from the member's comment in the streamer list.
    private static func memberScalar(code: Int32, element: BranchElementInfo, leaf: LeafModel,
                                     streamers: StreamerInfoList?) -> Result<(ScalarType, FloatPacking?), SkipReason>
    {
        if code == 9 || code == 19 {
            let name = code == 9 ? "Double32_t" : "Float16_t"
            guard let member = streamerElement(of: element, leaf: leaf, streamers: streamers) else {
                return .failure(SkipReason(description: "\(name) member without streamer information for \(element.className)"))
            }
            guard let p = FloatPacking.of(spec: member.title, isFloat16: code == 19) else {
                return .failure(SkipReason(description: "\(name) member with range specifier '\(member.title)'"))
            }
            return .success((code == 9 ? .float64 : .float32, p))
        }
        guard let t = ScalarType(rootDataType: code) else {
            return .failure(SkipReason(description: "member of basic type code \(code)"))
        }
        return .success((t, nil))
    }

    /// The streamer element describing a branch element's member: entry fID of its class, checked against the
    /// member name in the leaf title (`x[vec_]`), or found by that name.
    private static func streamerElement(of element: BranchElementInfo, leaf: LeafModel, streamers: StreamerInfoList?)
        -> StreamerElement?
    {
        guard let info = streamers?.classes[element.className] else { return nil }
        let name = String(leaf.title.prefix { $0 != "[" && $0 != "/" })
        if element.id >= 0, Int(element.id) < info.elements.count, info.elements[Int(element.id)].name == name {
            return info.elements[Int(element.id)]
        }
        return info.elements.first { $0.name == name }
    }

    /// The split TClonesArray or STL-collection branch (fType 3 or 4) nearest above `branch` in `tree`.
    static func collectionBranch(holding branch: BranchModel, in tree: TreeModel) -> BranchModel? {
        var path: [BranchModel] = []
        func search(_ list: [BranchModel]) -> Bool {
            for b in list {
                if b === branch { return true }
                path.append(b)
                if search(b.branches) { return true }
                path.removeLast()
            }
            return false
        }
        guard search(tree.branches) else { return nil }
        return path.last { [3, 4].contains($0.element?.type ?? 0) }
    }

    /// The element type of a vector of numbers and its packing: `float` for `vector<float>` (also with `std::`),
    /// `ROOT::VecOps::RVec<float>` and `vector<float,ROOT::Detail::VecOps::RAdoptAllocator<float> >`;
    /// `Double32_t`/`Float16_t` elements come with their default packing. Nil for anything else.
    static func vectorElement(_ name: String) -> (String, FloatPacking?)? {
        let s = Substring(CxxTypeName.normalized(name))
        var inner: Substring
        if s.hasPrefix("vector<"), s.hasSuffix(">") {
            inner = s.dropFirst(7).dropLast()
            if let comma = inner.firstIndex(of: ",") {
                let allocator = inner[inner.index(after: comma)...]
                let element = inner[..<comma]
                guard allocator == "allocator<\(element)>" || allocator == "ROOT::Detail::VecOps::RAdoptAllocator<\(element)>"
                else { return nil }
                inner = element
            }
        } else if s.hasPrefix("ROOT::VecOps::RVec<") || s.hasPrefix("ROOT::RVec<"), s.hasSuffix(">") {
            inner = s.drop { $0 != "<" }.dropFirst().dropLast()
        } else {
            return nil
        }
        if inner.contains("<") || inner.contains(",") { return nil }
        switch inner {
        case "Double32_t": return ("Double32_t", .float32)
        case "Float16_t": return ("Float16_t", .truncated(bits: 12))
        default: return (String(inner), nil)
        }
    }

    enum Dimension: Equatable {
        case fixed(Int)
        case variable(String)
    }

    /// The bracketed dimensions of a leaf title: `Jet_pt[nJet]` → [variable], `x[2][2]` → [2, 2]; range
    /// specifiers (`d[0,1,16]`) are not dimensions.
    static func parseDimensions(_ title: String) -> [Dimension] {
        var dims: [Dimension] = []
        var rest = Substring(title)
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            let inside = rest[rest.index(after: open)..<close]
            if inside.contains(",") {
                rest = rest[rest.index(after: close)...]
                continue
            }
            if let n = Int(inside) { dims.append(.fixed(n)) } else { dims.append(.variable(String(inside))) }
            rest = rest[rest.index(after: close)...]
        }
        return dims
    }
}
