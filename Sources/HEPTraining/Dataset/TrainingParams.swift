import Foundation

/// The params file of `hepml export` / `hepml train` (JSON or YAML). Unknown keys are errors.
public struct TrainingParams: Sendable {
    /// One input file: a label (for classification by file), a weight, an optional fixed share of each chunk.
    public struct FileEntry: Sendable, Equatable {
        public var path: String
        public var label: Double?
        public var weight: Double = 1
        public var fraction: Double?

        public init(path: String, label: Double? = nil, weight: Double = 1, fraction: Double? = nil) {
            self.path = path
            self.label = label
            self.weight = weight
            self.fraction = fraction
        }
    }

    public var files: [FileEntry] = []
    public var tree = "Events"
    public var branches: [String] = []
    public var exclude: [String] = []
    public var chunkSize = 10_000
    /// Input files open at once at most (readers are opened in a window per class and released when done),
    /// so memory does not grow with the number of files.
    public var maxOpenFiles = 8
    /// Entries read per file at most.
    public var entries: Int64?
    public var batchSize = 256
    public var shuffle = true
    public var seed: UInt64 = 42
    public var normalization = NormalizationPlan()
    public var lengths: [(String, Int)] = []
    public var padValue: Float = 0
    public var cuts: [String] = []
    public var defines: [String] = []
    public var image: ImageLayout?
    /// Train / validation / test fractions.
    public var split: (train: Double, validation: Double, test: Double) = (0.8, 0.1, 0.1)
    /// A branch or expression giving each event's label (instead of per-file labels).
    public var label: String?
    /// A branch or expression giving each event's weight (times the file weight).
    public var weight: String?

    public init() {}

    static let keys: Set<String> = ["files", "tree", "branches", "exclude", "chunk_size", "max_open_files", "entries", "batch_size", "shuffle", "seed",
                                    "normalization", "lengths", "pad_value", "cuts", "defines", "image", "split", "label", "weight"]

    /// Reads a JSON or YAML params file.
    public static func load(path: String) throws -> TrainingParams {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError.configuration(file: path, reason: "cannot read the params file")
        }
        return try parse(text: String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses the text of a JSON or YAML params file; `file` names it in errors.
    public static func parse(text: String, file: String) throws -> TrainingParams {
        guard let dict = try YAMLText.load(text, file: file) as? [String: Any] else { throw TrainingError.configuration(file: file, reason: "the top level must be a mapping") }
        return try parse(dict, file: file)
    }

    static func parse(_ d: [String: Any], file: String) throws -> TrainingParams {
        func bad(_ r: String) -> TrainingError { .configuration(file: file, reason: r) }
        if let unknown = d.keys.filter({ !keys.contains($0) }).sorted().first {
            throw bad("unknown key '\(unknown)' (known: \(keys.sorted().joined(separator: ", ")))")
        }
        func strings(_ k: String) throws -> [String] {
            guard let v = d[k] else { return [] }
            if let s = v as? String { return [s] }
            guard let a = v as? [Any], let s = a as? [String] else { throw bad("'\(k)' must be a list of strings") }
            return s
        }
        func int(_ k: String) throws -> Int? {
            guard let v = d[k] else { return nil }
            guard let i = v as? Int else { throw bad("'\(k)' must be an integer") }
            return i
        }
        func number(_ v: Any, _ what: String) throws -> Double {
            if let i = v as? Int { return Double(i) }
            if let x = v as? Double { return x }
            throw bad("\(what) must be a number")
        }
        var p = TrainingParams()
        if let files = d["files"] {
            guard let list = files as? [Any] else { throw bad("'files' must be a list") }
            p.files = try list.map { item in
                if let s = item as? String { return FileEntry(path: s) }
                guard let m = item as? [String: Any], let path = m["path"] as? String else {
                    throw bad("each file is a path or {path, label, weight, fraction}")
                }
                if let k = m.keys.first(where: { !["path", "label", "weight", "fraction"].contains($0) }) { throw bad("unknown file key '\(k)'") }
                return FileEntry(path: path, label: try m["label"].map { try number($0, "label") },
                                 weight: try m["weight"].map { try number($0, "weight") } ?? 1,
                                 fraction: try m["fraction"].map { try number($0, "fraction") })
            }
        }
        if let t = d["tree"] { guard let s = t as? String else { throw bad("'tree' must be a string") }; p.tree = s }
        p.branches = try strings("branches")
        p.exclude = try strings("exclude")
        p.cuts = try strings("cuts")
        p.defines = try strings("defines")
        if let v = try int("chunk_size") { guard v > 0 else { throw bad("chunk_size must be positive") }; p.chunkSize = v }
        if let v = try int("max_open_files") { guard v > 0 else { throw bad("max_open_files must be positive") }; p.maxOpenFiles = v }
        if let v = try int("batch_size") { guard v > 0 else { throw bad("batch_size must be positive") }; p.batchSize = v }
        if let v = try int("entries") { p.entries = Int64(v) }
        if let v = try int("seed") { p.seed = UInt64(truncatingIfNeeded: v) }
        if let v = d["shuffle"] { guard let b = v as? Bool else { throw bad("'shuffle' must be true or false") }; p.shuffle = b }
        if let v = d["pad_value"] {
            if let s = v as? String, s.lowercased() == "nan" { p.padValue = .nan } else { p.padValue = Float(try number(v, "pad_value")) }
        }
        if let v = d["label"] { guard let s = v as? String else { throw bad("'label' must be a branch or expression") }; p.label = s }
        if let v = d["weight"] { guard let s = v as? String else { throw bad("'weight' must be a branch or expression") }; p.weight = s }
        if let v = d["normalization"] {
            if let s = v as? String {
                guard let n = Normalization(rawValue: s) else { throw bad("normalization must be minmax, standard or none") }
                p.normalization = NormalizationPlan(defaultMethod: n)
            } else if let m = v as? [String: Any] {
                var plan = NormalizationPlan()
                for (k, x) in m.sorted(by: { $0.key < $1.key }) {
                    guard let s = x as? String, let n = Normalization(rawValue: s) else { throw bad("normalization '\(k)' must be minmax, standard or none") }
                    if k == "default" { plan.defaultMethod = n } else { plan.overrides.append((k, n)) }
                }
                p.normalization = plan
            } else {
                throw bad("'normalization' is a method or a mapping {default: ..., 'Jet_*': ...}")
            }
        }
        if let v = d["lengths"] {
            guard let m = v as? [String: Any] else { throw bad("'lengths' must map branch globs to integers") }
            p.lengths = try m.sorted { $0.key < $1.key }.map { k, x in
                guard let i = x as? Int, i >= 0 else { throw bad("length of '\(k)' must be a non-negative integer") }
                return (k, i)
            }
        }
        if let v = d["split"] {
            guard let m = v as? [String: Any] else { throw bad("'split' must be {train, validation, test}") }
            if let k = m.keys.first(where: { !["train", "validation", "test"].contains($0) }) { throw bad("unknown split key '\(k)'") }
            let t = try m["train"].map { try number($0, "split.train") } ?? 0.8
            let va = try m["validation"].map { try number($0, "split.validation") } ?? 0.1
            let te = try m["test"].map { try number($0, "split.test") } ?? max(0, 1 - t - va)
            guard t >= 0, va >= 0, te >= 0, abs(t + va + te - 1) < 1e-9 else { throw bad("split fractions must be ≥ 0 and add up to 1") }
            p.split = (t, va, te)
        }
        if let v = d["image"] {
            guard let m = v as? [String: Any] else { throw bad("'image' must be a mapping") }
            let allowed: Set<String> = ["height", "width", "x_range", "y_range", "reduce", "channels"]
            if let k = m.keys.first(where: { !allowed.contains($0) }) { throw bad("unknown image key '\(k)'") }
            do {
                let json = try JSONSerialization.data(withJSONObject: m)
                var layout = try JSONDecoder().decode(ImageLayoutInput.self, from: json).layout
                layout.reduce = layout.reduce.isEmpty ? "sum" : layout.reduce
                try layout.validate()
                p.image = layout
            } catch let e as TrainingError {
                throw e
            } catch {
                throw bad("invalid image layout: \(error)")
            }
        }
        return p
    }
}

/// The image layout as written in params files (`reduce` optional).
struct ImageLayoutInput: Decodable {
    var height: Int
    var width: Int
    var x_range: [Double]
    var y_range: [Double]
    var reduce: String?
    var channels: [ImageLayout.Channel]
    var layout: ImageLayout { ImageLayout(height: height, width: width, xRange: x_range, yRange: y_range, reduce: reduce ?? "sum", channels: channels) }
}
