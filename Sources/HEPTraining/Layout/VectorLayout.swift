import ROOTIO

/// Fixed-size feature vectors from events: flat branches first (one feature each), then each jagged branch
/// padded or truncated to its length (`Jet_pt_0`, `Jet_pt_1`, ...). The mask is **1 for a real value and 0
/// for padding**. Values are normalized with the specs' statistics; padding gets `padValue`.
public struct VectorLayout: Sendable {
    public struct Block: Sendable {
        public var name: String
        public var jagged: Bool
        public var length: Int
        public var offset: Int
        var scale: Double
        var shift: Double
        var clip: Bool
    }

    public let blocks: [Block]
    public let featureNames: [String]
    public var width: Int { featureNames.count }
    public let padValue: Float

    /// - Parameters:
    ///   - branches: the columns to lay out (branches and defined columns), any order; flat ones come first,
    ///     each group sorted by name.
    ///   - lengths: per-branch length overrides by glob (`Jet_*` → 10); otherwise the specs' largest length.
    public init(specs: Specs, branches: [String], lengths: [(String, Int)] = [], normalization: NormalizationPlan = .init(),
                padValue: Float = 0) throws {
        var flat: [String] = []
        var jagged: [String] = []
        for b in Set(branches) {
            guard let s = specs.branches[b] else {
                throw TrainingError.inconsistent("the specs do not describe '\(b)': they were made from other files or branches; rerun `hepml specs`")
            }
            if s.kind == "flat" { flat.append(b) } else { jagged.append(b) }
        }
        var blocks: [Block] = []
        var names: [String] = []
        for b in flat.sorted() + jagged.sorted() {
            let s = specs.branches[b]!
            let isJagged = s.kind != "flat"
            let length = isJagged ? (lengths.last { Glob.matches($0.0, b) }?.1 ?? s.maxLength) : 1
            guard length >= 0 else { throw TrainingError.configuration(file: "layout", reason: "negative length for '\(b)'") }
            let c = normalization.method(for: b).coefficients(s)
            blocks.append(Block(name: b, jagged: isJagged, length: length, offset: names.count, scale: c.scale, shift: c.shift, clip: c.clip))
            names += isJagged ? (0..<length).map { "\(b)_\($0)" } : [b]
        }
        self.blocks = blocks
        featureNames = names
        self.padValue = padValue
    }

    /// Writes `chunk`'s events into rows `row..<row+count` of `x` and `mask` (both `[rows, width]`). Rows are
    /// filled in tiles of 64 (each tile stays in cache while every block writes into it). Returns the number of
    /// events that had a jagged branch longer than its length (truncated, never an error).
    @discardableResult
    public func fill(_ chunk: EventChunk, x: UnsafeMutableBufferPointer<Float>, mask: UnsafeMutableBufferPointer<Float>, row: Int)
        throws -> Int
    {
        let w = width
        var truncated = [Bool](repeating: false, count: chunk.count)
        let columns = try blocks.map { b -> EventValues in
            guard let col = chunk.columns[b.name] else { throw TrainingError.inconsistent("column '\(b.name)' is missing from the data") }
            switch col {
            case .flat where b.jagged: throw TrainingError.inconsistent("'\(b.name)' is per-event data but the specs say jagged")
            case .jagged where !b.jagged: throw TrainingError.inconsistent("'\(b.name)' is jagged but the specs say flat")
            default: return col
            }
        }
        let tile = 64
        for t0 in stride(from: 0, to: chunk.count, by: tile) {
            let t1 = Swift.min(chunk.count, t0 + tile)
            for (k, b) in blocks.enumerated() {
                let scale = b.scale, shift = b.shift, clip = b.clip
                @inline(__always) func norm(_ v: Double) -> Float {
                    var y = v * scale + shift
                    if clip { y = Swift.min(1, Swift.max(0, y)) }
                    return Float(y)
                }
                switch columns[k] {
                case let .scalar(v):
                    for i in t0..<t1 { x[(row + i) * w + b.offset] = norm(v); mask[(row + i) * w + b.offset] = 1 }
                case let .flat(v):
                    v.withUnsafeBufferPointer { vp in
                        for i in t0..<t1 {
                            x[(row + i) * w + b.offset] = norm(vp[i])
                            mask[(row + i) * w + b.offset] = 1
                        }
                    }
                case let .jagged(o, v):
                    v.withUnsafeBufferPointer { vp in
                        o.withUnsafeBufferPointer { op in
                            for i in t0..<t1 {
                                let start = Int(op[i]), n = Int(op[i + 1]) - start
                                if n > b.length { truncated[i] = true }
                                let m = Swift.min(n, b.length)
                                let base = (row + i) * w + b.offset
                                for j in 0..<m {
                                    x[base + j] = norm(vp[start + j])
                                    mask[base + j] = 1
                                }
                                for j in m..<b.length {
                                    x[base + j] = padValue
                                    mask[base + j] = 0
                                }
                            }
                        }
                    }
                }
            }
        }
        return truncated.filter { $0 }.count
    }
}
