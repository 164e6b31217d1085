/// How one output column (a top-level field, or a member `parent.member` of a top-level record) is read.
struct RNTupleFieldPlan: Sendable {
    enum Shape: Sendable {
        /// `repeatCount` values per entry from the value column.
        case values
        /// Offsets from the index column, then `repeatCount` values per element from the value column.
        case jagged
        /// The length of each entry's collection, from the index column.
        case cardinality
    }
    var name: String
    var interpretation: BranchInterpretation
    var shape: Shape
    /// Physical column ids of the value column, one per representation.
    var value: [Int]
    /// Physical column ids of the collection's index column, one per representation.
    var index: [Int]
    var repeatCount: Int

    /// Plans every top-level field; fields that are not numbers come back as (name, reason).
    /// `order` lists every readable and skipped name in schema order.
    static func plan(_ schema: RNTupleSchema) -> (readable: [RNTupleFieldPlan], skipped: [(String, String)], order: [String]) {
        var readable: [RNTupleFieldPlan] = []
        var skipped: [(String, String)] = []
        var order: [String] = []
        for f in schema.fields where f.isTopLevel {
            var memberSkips: [(String, String)] = []
            switch plan(f, name: f.name, schema: schema, depth: 0, skipped: &memberSkips) {
            case let .success(p):
                readable += p
                order += p.map(\.name)
            case let .failure(why):
                skipped.append((f.name, why.description))
                order.append(f.name)
            }
            skipped += memberSkips
            order += memberSkips.map(\.0)
        }
        return (readable, skipped, order)
    }

    private static func skip(_ why: String) -> Result<[RNTupleFieldPlan], SkipReason> { .failure(SkipReason(description: why)) }

    /// The single physical column of each representation of `field` (numeric or index columns).
    private static func singleColumns(_ field: RNTupleField, _ schema: RNTupleSchema, index: Bool) -> [Int]? {
        let reps = schema.columnRepresentations(of: field.id)
        guard !reps.isEmpty, reps.allSatisfy({ $0.count == 1 }) else { return nil }
        let ids = reps.map { $0[0] }
        for id in ids {
            guard let t = schema.columns[id].type, t.decodedType != nil,
                  t.bitsPerElement(declared: schema.columns[id].bitsOnStorage) != nil, t.isIndex == index
            else { return nil }
        }
        return ids
    }

    /// A numeric leaf or a fixed-size array of them: its type, inner shape and value columns.
    private static func element(_ f: RNTupleField, _ schema: RNTupleSchema, depth: Int)
        -> Result<(ScalarType, [Int], [Int]), SkipReason>
    {
        guard depth < 16 else { return .failure(SkipReason(description: "fields nested deeper than 16")) }
        if let n = f.repetition {
            let kids = schema.children(of: f.id)
            guard kids.count == 1, kids[0].role == .leaf else {
                return .failure(SkipReason(description: "fixed-size array of \(kids.first?.typeName ?? "nothing") (\(f.typeName))"))
            }
            return element(kids[0], schema, depth: depth + 1).flatMap { type, shape, columns in
                let all = [n] + shape
                guard all.reduce(1, { $0.multipliedReportingOverflow(by: $1).partialValue }) <= 1 << 24,
                      all.allSatisfy({ $0 <= 1 << 24 })
                else { return .failure(SkipReason(description: "fixed-size array of shape \(all) (more than 2^24 values)")) }
                return .success((type, all, columns))
            }
        }
        guard f.role == .leaf, let type = scalarType(f.typeName) else {
            return .failure(SkipReason(description: "type \(f.typeName) is not a number"))
        }
        guard let columns = singleColumns(f, schema, index: false) else {
            return .failure(SkipReason(description: "\(f.typeName) stored in columns of type \(schema.columnRepresentations(of: f.id).flatMap { $0 }.map { schema.columns[$0].rawType })"))
        }
        return .success((type, [], columns))
    }

    /// Plans of `f` (several for a record); members of a record that cannot be read go to `skipped`.
    private static func plan(_ f: RNTupleField, name: String, schema: RNTupleSchema, depth: Int,
                             skipped: inout [(String, String)]) -> Result<[RNTupleFieldPlan], SkipReason>
    {
        guard depth < 16 else { return skip("fields nested deeper than 16") }
        switch f.role {
        case .leaf?:
            if f.typeName == "std::string" { return stringPlan(f, name: name, schema: schema) }
            if f.typeName.hasPrefix("ROOT::RNTupleCardinality<") {
                guard let index = singleColumns(f, schema, index: true) else { return skip("cardinality without an index column") }
                let i = BranchInterpretation(type: .int64, kind: .flat, shape: [], headerBytes: 0, counter: nil)
                return .success([RNTupleFieldPlan(name: name, interpretation: i, shape: .cardinality, value: [], index: index,
                                                  repeatCount: 1)])
            }
            return element(f, schema, depth: depth).map { type, shape, columns in
                let i = BranchInterpretation(type: type, kind: shape.isEmpty ? .flat : .fixed, shape: shape, headerBytes: 0,
                                             counter: nil)
                return [RNTupleFieldPlan(name: name, interpretation: i, shape: .values, value: columns, index: [],
                                         repeatCount: shape.reduce(1, *))]
            }
        case .collection?:
            if f.typeName == "std::string" { return skip("string") }
            guard let index = singleColumns(f, schema, index: true) else { return skip("collection without an index column") }
            let kids = schema.children(of: f.id)
            guard kids.count == 1 else { return skip("collection with \(kids.count) item fields") }
            if kids[0].role == .record {
                return skip("collection of records (\(f.typeName.isEmpty ? "untyped; read through its projected fields" : f.typeName))")
            }
            if kids[0].role == .collection { return skip("nested collections (\(f.typeName))") }
            if kids[0].typeName == "std::string" { return skip("collection of strings (\(f.typeName))") }
            return element(kids[0], schema, depth: depth + 1).map { type, shape, columns in
                let i = BranchInterpretation(type: type, kind: .jagged, shape: shape, headerBytes: 0, counter: nil)
                return [RNTupleFieldPlan(name: name, interpretation: i, shape: .jagged, value: columns, index: index,
                                         repeatCount: shape.reduce(1, *))]
            }
        case .record?:
            var out: [RNTupleFieldPlan] = []
            var inner: [(String, String)] = []
            for kid in schema.children(of: f.id) {
                let member = name + "." + kid.name
                switch plan(kid, name: member, schema: schema, depth: depth + 1, skipped: &inner) {
                case let .success(p): out += p
                case let .failure(why): inner.append((member, why.description))
                }
            }
            if out.isEmpty { return skip("record without numeric members (\(f.typeName))") }
            skipped += inner
            return .success(out)
        case .variant?: return skip("variant (\(f.typeName))")
        case .streamer?: return skip("streamer field (\(f.typeName))")
        case nil: return skip("unknown structural role")
        }
    }

    /// C++ type names of numeric leaf fields as RNTuple normalizes them.
    static func scalarType(_ typeName: String) -> ScalarType? {
        let bare = typeName.hasPrefix("std::") ? String(typeName.dropFirst(5)) : typeName
        if bare == "byte" { return nil }
        return ScalarType(cxxName: bare)
    }
}
