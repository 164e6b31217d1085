/// Unique branch names for a tree.
///
/// ROOT names the member branches of a split object after the member alone unless the top-level branch name
/// ends with a dot (`jet` gives `pt`, `jet.` gives `jet.pt`), so two objects of one class give two branches
/// called `pt`. Each branch keeps ROOT's name when no other branch of the tree shares it; the branches that
/// share a name are all called by their path through the hierarchy instead (`jet/pt`, `muon/pt`).
enum BranchNaming {
    /// The branch tree with `path` set on every branch and shared names replaced by paths.
    static func assign(_ branches: [BranchModel]) -> [BranchModel] {
        var counts: [String: Int] = [:]
        func count(_ b: BranchModel) {
            counts[b.rootName, default: 0] += 1
            b.branches.forEach(count)
        }
        branches.forEach(count)
        func rename(_ b: BranchModel, parentPath: String?) -> BranchModel {
            let path = parentPath.map { $0 + "/" + b.rootName } ?? b.rootName
            let subs = b.branches.map { rename($0, parentPath: path) }
            return b.renamed(name: counts[b.rootName, default: 0] > 1 ? path : b.rootName, path: path, branches: subs)
        }
        return branches.map { rename($0, parentPath: nil) }
    }
}
