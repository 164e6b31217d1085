/// A TTree or an RNTuple in an open file: branch (field) lookup, interpretations and readers. Both kinds
/// answer the same API, so every command reads either; an RNTuple's top-level numeric fields (and record
/// members, as `parent.member`) appear as branches.
public struct Tree: Sendable {
    public let file: ROOTFile
    public let path: String
    public let model: TreeModel
    /// The file's streamer list when a branch needed it (STL members of split classes).
    public let streamers: StreamerInfoList?
    /// Set when this is an RNTuple rather than a TTree.
    public let ntuple: RNTuple?
    /// Set when this is a CSV, JSON-lines or Parquet table.
    public let table: (any ColumnTable)?

    init(file: ROOTFile, path: String, model: TreeModel, streamers: StreamerInfoList?) {
        self.file = file
        self.path = path
        self.model = model
        self.streamers = streamers
        ntuple = nil
        table = nil
    }

    init(file: ROOTFile, path: String, ntuple: RNTuple) {
        self.file = file
        self.path = path
        self.ntuple = ntuple
        streamers = nil
        model = ntuple.treeModel
        table = nil
    }

    init(file: ROOTFile, path: String, table: any ColumnTable) {
        self.file = file
        self.path = path
        self.table = table
        ntuple = nil
        streamers = nil
        model = table.treeModel
    }

    /// Whether this is an RNTuple.
    public var isRNTuple: Bool { ntuple != nil }

    public var entries: Int64 { model.entries }
    public var allBranches: [BranchModel] { model.allBranches }

    /// How `branch` is read, or why it is skipped.
    public func interpretation(of branch: BranchModel) -> Result<BranchInterpretation, SkipReason> {
        if let ntuple { return ntuple.interpretation(of: branch.name) }
        if let table {
            guard let c = table.columns.first(where: { $0.name == branch.name }) else {
                return .failure(SkipReason(description: "not in the table"))
            }
            return c.interpretation
        }
        if let why = branch.unreadable { return .failure(SkipReason(description: why)) }
        if let cls = branch.objectClassName {
            return .failure(SkipReason(description: "TBranchObject: whole object of class \(cls) per entry"))
        }
        let interpretation = BranchInterpretation.of(branch, in: model, streamers: streamers)
        guard case .success = interpretation else { return interpretation }
        if let problem = coverageProblem(of: branch) { return .failure(SkipReason(description: problem)) }
        return interpretation
    }

    /// Why the baskets of a TTree branch cannot give one value per tree entry (nil when they can): a branch
    /// filled fewer times than the tree, or a basket table that does not add up, is skipped with this reason
    /// instead of silently truncating the tree or yielding empty columns.
    public func coverageProblem(of branch: BranchModel) -> String? {
        guard ntuple == nil, table == nil else { return nil }
        let baskets: BasketTable
        do {
            baskets = try BasketTable(branch: branch, file: file.name, fileSize: file.source.size)
        } catch let ROOTIOError.malformed(_, _, _, reason) {
            return "unreadable basket table: \(reason)"
        } catch {
            return "unreadable basket table: \(error)"
        }
        let covered = baskets.baskets.last?.entryEnd ?? 0
        guard covered >= entries else {
            return "its baskets hold \(covered) of the tree's \(entries) entries (branch fEntries \(branch.entries))"
        }
        return nil
    }

    /// Numeric branches (readable) and skipped ones with reasons, in tree order.
    public func classifyBranches() -> (readable: [(BranchModel, BranchInterpretation)], skipped: [(BranchModel, String)]) {
        var readable: [(BranchModel, BranchInterpretation)] = []
        var skipped: [(BranchModel, String)] = []
        for b in allBranches {
            switch interpretation(of: b) {
            case let .success(i): readable.append((b, i))
            case let .failure(r): skipped.append((b, r.description))
            }
        }
        return (readable, skipped)
    }

    /// Readable branches matching any of `include` (all when empty) and none of `exclude`: glob patterns with
    /// `*` and `?` (matched against names and full paths) or names as `branch(named:)` takes them. A name that
    /// names no branch, several branches, or a skipped branch is an error.
    public func selectBranches(include: [String] = [], exclude: [String] = []) throws -> [BranchModel] {
        var named = Set<ObjectIdentifier>()
        for p in include where !Glob.hasWildcards(p) {
            let b = try branch(named: p)
            if case let .failure(reason) = interpretation(of: b) {
                throw ROOTIOError.skippedBranch(file: file.name, tree: path, branch: b.name, reason: reason.description)
            }
            named.insert(ObjectIdentifier(b))
        }
        let excluded = Set(exclude.filter { !Glob.hasWildcards($0) }.compactMap { try? ObjectIdentifier(branch(named: $0)) })
        let includeGlobs = include.filter(Glob.hasWildcards)
        let excludeGlobs = exclude.filter(Glob.hasWildcards)
        return classifyBranches().readable.map(\.0).filter { b in
            let id = ObjectIdentifier(b)
            let wanted = include.isEmpty || named.contains(id) || includeGlobs.contains { Self.glob($0, matches: b) }
            return wanted && !excluded.contains(id) && !excludeGlobs.contains { Self.glob($0, matches: b) }
        }
    }

    /// A reader of the given branches.
    public func reader(branches: [BranchModel], threads: Int = defaultThreadCount) throws -> TreeReader {
        try TreeReader(tree: self, branches: branches, threads: threads)
    }

    /// Reads the given branch names over an entry range in one batch.
    public func arrays(_ names: [String], entries: Range<Int64>? = nil, threads: Int = defaultThreadCount) async throws
        -> ColumnBatch
    {
        let r = try reader(branches: names.map { try branch(named: $0) }, threads: threads)
        return try await r.read(entries: entries ?? 0..<self.entries)
    }
}

/// Number of active processor cores, the default for decoding concurrency.
public var defaultThreadCount: Int { max(1, ProcessorCount.active) }

extension ROOTFile {
    /// Loads the TTree (its streamer list too, when a branch needs it) or the RNTuple at `path`.
    public func tree(_ path: String) async throws -> Tree {
        if let t = try tableTree(path) { return t }
        let k = try await key(at: path)
        if k.className == RNTuple.className {
            return Tree(file: self, path: path, ntuple: try await RNTuple.read(key: k, path: path, file: self))
        }
        guard k.className == "TTree" else {
            throw ROOTIOError.wrongClass(file: name, path: path, expected: "TTree", found: k.className)
        }
        var c = try await k.payload(from: source)
        c.object = "TTree '\(path)'"
        let start = c
        var fileStreamers: StreamerInfoList?
        let model: TreeModel
        do {
            model = try TreeModel.read(&c)
        } catch is TreeModel.NeedsStreamers {
            fileStreamers = try await streamerInfo()
            c = start
            model = try TreeModel.read(&c, streamers: fileStreamers)
        }
        let needsStreamers = model.allBranches.contains(where: BranchInterpretation.needsStreamerInfo)
        var streamers = fileStreamers
        if needsStreamers, streamers == nil { streamers = try await streamerInfo() }
        return Tree(file: self, path: path, model: model, streamers: streamers)
    }

    /// The file's streamer list.
    public func streamerInfo() async throws -> StreamerInfoList {
        try await StreamerInfoList.read(file: self)
    }
}
