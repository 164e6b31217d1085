/// `std::string` fields of an RNTuple: each representation has an index column (the end of every entry's
/// string in the character column) and a character column, read like a collection of bytes.
extension RNTupleFieldPlan {
    static func stringPlan(_ f: RNTupleField, name: String, schema: RNTupleSchema) -> Result<[RNTupleFieldPlan], SkipReason> {
        var index: [Int] = []
        var chars: [Int] = []
        for rep in schema.columnRepresentations(of: f.id) {
            guard rep.count == 2, schema.columns[rep[0]].type?.isIndex == true,
                  let t = schema.columns[rep[1]].type, [.char, .byte, .int8, .uint8].contains(t)
            else {
                return .failure(SkipReason(description: "std::string stored in columns of type \(rep.map { schema.columns[$0].rawType })"))
            }
            index.append(rep[0])
            chars.append(rep[1])
        }
        guard !index.isEmpty else { return .failure(SkipReason(description: "std::string without columns")) }
        let i = BranchInterpretation(type: .uint8, kind: .string, shape: [], headerBytes: 0, counter: nil)
        return .success([RNTupleFieldPlan(name: name, interpretation: i, shape: .jagged, value: chars, index: index,
                                          repeatCount: 1)])
    }
}
