import Foundation

/// The specs file: per-branch statistics merged over files, the scanned events per file, and (after a
/// layout was built) the feature order. It also carries MLaaS4HEP's key names (`jdim`, `minv`, `maxv`,
/// `fkeys`, `jkeys`) so users of that tool recognise them. Specs are only read from an explicit path.
public struct Specs: Codable, Sendable, Equatable {
    public static let schemaName = "hepml-specs/1"
    public var schema: String = Specs.schemaName
    public var tree: String
    /// Events scanned per file, and `total`.
    public var events: [String: Int]
    public var branches: [String: BranchSpec]
    /// Feature names in matrix column order (filled by the vector layout).
    public var features: [String]?
    public var jdim: [String: Int] = [:]
    public var minv: [String: Double] = [:]
    public var maxv: [String: Double] = [:]
    public var fkeys: [String] = []
    public var jkeys: [String] = []

    public init(tree: String, events: [String: Int], branches: [String: BranchSpec], features: [String]? = nil) {
        self.tree = tree
        self.events = events
        self.branches = branches
        self.features = features
        refreshCompatibilityKeys()
    }

    /// Recomputes the MLaaS4HEP-named views from `branches`.
    public mutating func refreshCompatibilityKeys() {
        jdim = branches.filter { $0.value.kind != "flat" }.mapValues(\.maxLength)
        minv = branches.compactMapValues(\.min)
        maxv = branches.compactMapValues(\.max)
        fkeys = branches.filter { $0.value.kind == "flat" }.keys.sorted()
        jkeys = branches.filter { $0.value.kind != "flat" }.keys.sorted()
    }

    /// Merges the specs of more files (union of branches; a branch must have one type everywhere).
    public mutating func merge(_ other: Specs) throws {
        for (k, v) in other.events where k != "total" { events[k] = v }
        events["total"] = events.filter { $0.key != "total" }.values.reduce(0, +)
        for (name, spec) in other.branches {
            if var mine = branches[name] {
                try mine.merge(spec, name: name)
                branches[name] = mine
            } else {
                branches[name] = spec
            }
        }
        refreshCompatibilityKeys()
    }

    public func write(to path: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try e.encode(self).write(to: URL(fileURLWithPath: path))
    }

    public static func read(from path: String) throws -> Specs {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError.configuration(file: path, reason: "cannot read the specs file")
        }
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            let s = try d.decode(Specs.self, from: data)
            guard s.schema == schemaName else {
                throw TrainingError.configuration(file: path, reason: "specs schema '\(s.schema)', expected '\(schemaName)'")
            }
            return s
        } catch let e as TrainingError {
            throw e
        } catch {
            throw TrainingError.configuration(file: path, reason: "not a hepml specs file: \(error)")
        }
    }
}
