/// Finding a branch by the names a user may give it: its unique name, its full path through the hierarchy
/// (`Event/fEventPlane/fEventPlane.fN`), any tail of that path, ROOT's dotted form (`Event.fRunNo`, `jet.pt`),
/// ROOT's own short name when only one branch has it, and any of these without the `[n]` dimensions ROOT
/// puts in fixed-array branch names (`fVZEROMult` for `fVZEROMult[64]`).
extension Tree {
    /// The branch `name` refers to; an unknown name and a name several branches answer to are errors (the
    /// latter lists the candidates' full names).
    public func branch(named name: String) throws -> BranchModel {
        let all = allBranches
        if let b = all.first(where: { $0.name == name }) { return b }
        for strict in [true, false] {
            let found = all.filter { $0.answers(to: name, ignoringDimensions: !strict) }
            if found.count == 1 { return found[0] }
            if found.count > 1 {
                throw ROOTIOError.ambiguousBranch(file: file.name, tree: path, branch: name, candidates: found.map(\.name))
            }
        }
        throw ROOTIOError.branchNotFound(file: file.name, tree: path, branch: name)
    }

    /// The counter branch `name` of a jagged `branch`: a sibling (same parent) of that name first, so split
    /// objects of one class (each with its own counter of the same name) count their own entries.
    public func counterBranch(named name: String, of branch: BranchModel) throws -> BranchModel {
        let parent = branch.path.parentPath
        if let sibling = allBranches.first(where: { $0.rootName == name && $0.path.parentPath == parent }) {
            return sibling
        }
        return try self.branch(named: name)
    }

    /// Whether a glob pattern matches the branch's name or its full path.
    static func glob(_ pattern: String, matches branch: BranchModel) -> Bool {
        Glob.matches(pattern, branch.name) || Glob.matches(pattern, branch.path)
    }
}

extension BranchModel {
    /// Whether `name` is one of this branch's full or partial names (see `Tree.branch(named:)`).
    func answers(to name: String, ignoringDimensions: Bool) -> Bool {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if ignoringDimensions, let last = parts.last { parts[parts.count - 1] = last.withoutDimensions }
        let dotted = parts.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
        for k in parts.indices {
            if parts[k...].joined(separator: "/") == name { return true }
            if dotted[k...].joined(separator: ".") == name { return true }
        }
        return false
    }
}

extension String {
    /// The path without its last `/` component ("" for a top-level branch).
    var parentPath: Substring {
        guard let slash = lastIndex(of: "/") else { return "" }
        return self[..<slash]
    }

    /// The name without trailing `[n]` dimensions: `fVZEROMult[64]` → `fVZEROMult`.
    var withoutDimensions: String {
        guard hasSuffix("]"), let open = firstIndex(of: "[") else { return self }
        return String(self[..<open])
    }
}
