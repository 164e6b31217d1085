/// Interpretations of string branches (`char*` leaves, `std::string`, `TString`, `vector<string>`) and of
/// doubly jagged `vector<vector<T>>` branches, top-level or members of split classes.
///
/// Entry layouts (big-endian): a string is a length byte (255: then a 4-byte length) and its bytes; a
/// `std::string` class member and every STL container start with a 6-byte object header (byte count with
/// bit 30 set, version); a vector then has a 4-byte count, and each inner vector of a `vector<vector<T>>`
/// a 4-byte count followed by its values.
extension BranchInterpretation {
    /// Bytes of the object header (byte count and version) before an STL container or a member string.
    static let objectHeaderBytes = 6

    /// A one-string-per-entry interpretation (`headerBytes`: 6 for `std::string` members, 0 otherwise).
    static func string(headerBytes: Int) -> BranchInterpretation {
        BranchInterpretation(type: .uint8, kind: .string, shape: [], headerBytes: headerBytes, counter: nil)
    }

    /// A `TLeafC` (`name/C`) leaf.
    static var charLeaf: BranchInterpretation { string(headerBytes: 0) }

    /// The interpretation of a TBranchElement holding strings or nested vectors, a skip reason for nested
    /// types it cannot read, or nil when the branch is neither (other rules decide).
    static func ofStringOrNested(_ branch: BranchModel, element: BranchElementInfo, streamers: StreamerInfoList?)
        -> Result<BranchInterpretation, SkipReason>?
    {
        guard branch.branches.isEmpty, [-1, 0, 1, 2].contains(element.type) else { return nil }
        switch element.streamerType {
        case -1:
            guard element.id < 0 else { return nil }
            return ofContainer(element.className, memberHeader: 0)
        case 65:
            return .success(string(headerBytes: 0))
        case 300, 365, 500:
            guard let info = streamers?.classes[element.className], element.id >= 0,
                  Int(element.id) < info.elements.count else { return nil }
            return ofContainer(info.elements[Int(element.id)].typeName, memberHeader: objectHeaderBytes)
        default:
            return nil
        }
    }

    /// `string`, `TString`, `vector<string>` or `vector<vector<T>>` by C++ type name.
    /// - Parameter memberHeader: header bytes before a `std::string` (6 as a class member, 0 as a branch).
    private static func ofContainer(_ typeName: String, memberHeader: Int) -> Result<BranchInterpretation, SkipReason>? {
        let name = CxxTypeName.normalized(typeName)
        if name == "string" { return .success(string(headerBytes: memberHeader)) }
        if name == "TString" { return .success(string(headerBytes: 0)) }
        guard let inner = CxxTypeName.vectorArgument(name) else { return nil }
        if inner == "string" || inner == "TString" {
            guard inner == "string" else { return .failure(SkipReason(description: "vector<TString>")) }
            return .success(BranchInterpretation(type: .uint8, kind: .jaggedString, shape: [],
                                                 headerBytes: objectHeaderBytes, counter: nil))
        }
        guard let element = CxxTypeName.vectorArgument(inner) else { return nil }
        guard let t = ScalarType(cxxName: element), t != .bool else {
            return .failure(SkipReason(description: "\(typeName) is not a vector of vectors of numbers"))
        }
        return .success(BranchInterpretation(type: t, kind: .doublyJagged, shape: [], headerBytes: objectHeaderBytes,
                                             counter: nil))
    }
}

/// C++ type-name helpers for the class names ROOT stores (`vector<vector<float> >`, `std::string`).
enum CxxTypeName {
    /// The name without `std::` prefixes and without spaces next to angle brackets or commas.
    static func normalized(_ name: String) -> String {
        var s = name.replacing("std::", with: "")
        for (from, to) in [("< ", "<"), (" >", ">"), (" ,", ","), (", ", ",")] {
            while s.contains(from) { s = s.replacing(from, with: to) }
        }
        return s.trimmingSpaces
    }

    /// `T` of a normalized `vector<T>` (T may itself be a template), nil for anything else.
    static func vectorArgument(_ name: String) -> String? {
        guard name.hasPrefix("vector<"), name.hasSuffix(">") else { return nil }
        let inner = String(name.dropFirst(7).dropLast())
        var depth = 0
        for ch in inner {
            if ch == "<" { depth += 1 }
            if ch == ">" { depth -= 1 }
            if ch == ",", depth == 0 { return nil }
            if depth < 0 { return nil }
        }
        return depth == 0 ? inner : nil
    }
}
