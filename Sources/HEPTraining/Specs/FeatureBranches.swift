import ROOTIO

/// Which branches may be training features: numbers per event or per object. String branches and doubly
/// jagged `vector<vector<T>>` branches are refused when named, and left out when only a glob matches them.
public enum FeatureBranches {
    /// The readable branches `include` and `exclude` select, without strings and nested vectors; naming one
    /// of those (without wildcards) is an error that names the branch.
    public static func select(in tree: Tree, include: [String], exclude: [String]) throws -> [BranchModel] {
        for name in include where !Glob.hasWildcards(name) {
            if let b = tree.allBranches.first(where: { $0.name == name }) { try check(b, in: tree) }
        }
        return try tree.selectBranches(include: include, exclude: exclude).filter { isFeature($0, in: tree) }
    }

    /// Throws when `branch` cannot be a training feature (a string or doubly jagged branch).
    public static func check(_ branch: BranchModel, in tree: Tree) throws {
        guard case let .success(i) = tree.interpretation(of: branch),
              let refusal = i.kind.trainingRefusal(branch: branch.name) else { return }
        throw TrainingError.inconsistent(refusal)
    }

    static func isFeature(_ branch: BranchModel, in tree: Tree) -> Bool {
        guard case let .success(i) = tree.interpretation(of: branch) else { return false }
        return i.kind.isTrainingFeature
    }
}
