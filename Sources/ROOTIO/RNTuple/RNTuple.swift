/// An RNTuple in an open file: anchor, schema, clusters and the plan of each readable field.
public struct RNTuple: Sendable {
    public let path: String
    public let anchor: RNTupleAnchor
    public let name: String
    public let schema: RNTupleSchema
    let clusters: [RNTupleCluster]
    let plans: [RNTupleFieldPlan]
    /// Top-level fields (or record members) that are not read as numbers, with the reason.
    public let skipped: [(name: String, reason: String)]
    /// Readable and skipped names in schema order.
    let order: [String]
    private let planIndex: [String: Int]
    private let skipIndex: [String: Int]

    init(path: String, anchor: RNTupleAnchor, name: String, schema: RNTupleSchema, clusters: [RNTupleCluster]) {
        self.path = path
        self.anchor = anchor
        self.name = name
        self.schema = schema
        self.clusters = clusters
        let (plans, skipped, order) = RNTupleFieldPlan.plan(schema)
        self.plans = plans
        self.skipped = skipped.map { (name: $0.0, reason: $0.1) }
        self.order = order
        planIndex = Dictionary(plans.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        skipIndex = Dictionary(skipped.enumerated().map { ($1.0, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func plan(named name: String) -> RNTupleFieldPlan? { planIndex[name].map { plans[$0] } }

    func skipReason(of name: String) -> String? { skipIndex[name].map { skipped[$0].reason } }

    /// How the field `name` is read, or why it is skipped.
    func interpretation(of name: String) -> Result<BranchInterpretation, SkipReason> {
        if let p = plan(named: name) { return .success(p.interpretation) }
        return .failure(SkipReason(description: skipReason(of: name) ?? "no field '\(name)'"))
    }

    /// The fields as branches of a tree model (names, entries, stored and uncompressed bytes).
    var treeModel: TreeModel {
        let branches = order.map { name -> BranchModel in
            var zipped: Int64 = 0
            var unzipped: Int64 = 0
            if let p = plan(named: name) {
                for id in p.value + p.index {
                    let col = schema.columns[id]
                    let bits = col.type?.bitsPerElement(declared: col.bitsOnStorage) ?? 0
                    for cl in clusters where id < cl.columns.count {
                        zipped += Int64(cl.columns[id].pages.reduce(0) { $0 + $1.location.count })
                        unzipped += (Int64(cl.columns[id].elements) * Int64(bits) + 7) / 8
                    }
                }
            }
            return BranchModel(name: name, title: "", version: 0, entryOffsetLen: 0,
                               writeBasket: 0, entries: entries, totBytes: unzipped, zipBytes: zipped, branches: [],
                               leaves: [], embeddedBaskets: [], basketBytes: [], basketEntry: [], basketSeek: [],
                               fileName: "", element: nil)
        }
        return TreeModel(name: name, title: "RNTuple", version: 0, entries: entries, branches: branches)
    }

    public var entries: Int64 { clusters.last?.entryEnd ?? 0 }

    /// Reads the anchor in `key`, the header and footer envelopes and all page lists.
    static func read(key: Key, path: String, file: ROOTFile) async throws -> RNTuple {
        let source = file.source
        let object = "RNTuple '\(path)'"
        var c = try await key.payload(from: source)
        c.object = object
        let anchor = try RNTupleAnchor.read(&c, fileSize: source.size)
        let headerLink = EnvelopeLink(length: anchor.lenHeader,
                                      location: ByteRange(offset: anchor.seekHeader, count: anchor.nbytesHeader))
        var h = try await Envelope.read(.header, link: headerLink, source: source, what: object + " header")
        let headerChecksum = h.bytes.withUnsafeBytes {
            UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: h.bytes.count - 8, as: UInt64.self))
        }
        let flags = try h.u64()
        guard flags == 0 else {
            throw ROOTIOError.unsupported(file: source.name, object: object, reason: "RNTuple feature flags 0x\(String(flags, radix: 16))")
        }
        let name = try h.string()
        _ = try h.string()  // description
        _ = try h.string()  // writer
        var schema = RNTupleSchema()
        try schema.append(from: &h)
        let footerLink = EnvelopeLink(length: anchor.lenFooter,
                                      location: ByteRange(offset: anchor.seekFooter, count: anchor.nbytesFooter))
        let clusters = try await RNTupleClusterReader.read(footer: footerLink, headerChecksum: headerChecksum, schema: &schema,
                                                           source: source, object: object)
        return RNTuple(path: path, anchor: anchor, name: name, schema: schema, clusters: clusters)
    }
}

extension Key {
    /// Whether this key holds a TTree or an RNTuple (both open with `ROOTFile.tree`).
    public var isTreeLike: Bool { className == "TTree" || className == RNTuple.className || className == Key.tableClassName }
}

extension RNTuple {
    /// The class name of RNTuple anchors in the file's keys.
    public static let className = "ROOT::RNTuple"
}
