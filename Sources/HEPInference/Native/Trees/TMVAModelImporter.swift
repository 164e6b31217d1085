/// Placeholder until the TMVA reader lands in this folder.
public enum TMVAModelImporter {
    public static func load(_ bytes: [UInt8]) throws -> TreeModel {
        throw TreeModelError.unsupported("TMVA", "not implemented")
    }
}
