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

    /// Writes `chunk`'s events into rows `row..<row+count` of `x` and `mask` (both `[rows, width]`). Returns the
    /// number of events that had a jagged branch longer than its length (truncated, never an error).
    @discardableResult
    public func fill(_ chunk: EventChunk, x: UnsafeMutableBufferPointer<Float>, mask: UnsafeMutableBufferPointer<Float>, row: Int)
        throws -> Int
    {
        let c = try LayoutChunk(layout: self, chunk: chunk)
        guard chunk.count > 0, let xb = x.baseAddress, let mb = mask.baseAddress else { return 0 }
        let rows = (0..<Int32(chunk.count)).map { $0 }
        let xr = (0..<chunk.count).map { xb + (row + $0) * width }
        let mr = (0..<chunk.count).map { mb + (row + $0) * width }
        rows.withUnsafeBufferPointer { r in
            xr.withUnsafeBufferPointer { xp in mr.withUnsafeBufferPointer { mp in fill(c, rows: r, x: xp, mask: mp) } }
        }
        return c.truncatedEvents
    }

    /// Writes chunk rows `rows[k]` (rows after the cuts, best in increasing order) into the output rows that
    /// start at `x[k]` and `mask[k]`, normalized, straight from the typed columns: one copy per value. Rows
    /// go in tiles: each block reads its column forward while the tile's output rows stay in cache.
    func fill(_ c: LayoutChunk, rows: UnsafeBufferPointer<Int32>, x: UnsafeBufferPointer<UnsafeMutablePointer<Float>>,
              mask: UnsafeBufferPointer<UnsafeMutablePointer<Float>>)
    {
        let n = rows.count
        guard n > 0, let rp = rows.baseAddress, let xp = x.baseAddress, let mp = mask.baseAddress else { return }
        let events: [Int32] = c.chunk.kept.map { kept in rows.map { Int32(kept[Int($0)]) } } ?? []
        events.withUnsafeBufferPointer { ev in
            let ep = c.chunk.kept == nil ? rp : (ev.baseAddress ?? rp)
            let tile = 64
            for t0 in stride(from: 0, to: n, by: tile) {
                let m = Swift.min(tile, n - t0)
                for (k, b) in blocks.enumerated() {
                    let d = c.blocks[k]
                    let fill = BlockFill(index: (d.byEvent ? ep : rp) + t0, count: m, x: xp + t0, mask: mp + t0, offset: b.offset,
                                         length: b.length, jagged: b.jagged, offsets: d.offsets, perEvent: d.perEvent, scale: b.scale,
                                         shift: b.shift, clip: b.clip, pad: padValue)
                    if let values = d.values {
                        values.visit(fill, count: 0)
                    } else {
                        fill.constant(d.constant)
                    }
                }
            }
        }
    }
}

/// One chunk's columns resolved for a `VectorLayout`: per block, a pointer to its typed values (a reader
/// column, indexed by reader event) or to Double values (a defined column, indexed by row after the cuts).
/// It owns the chunk, so the pointers stay valid as long as it lives.
final class LayoutChunk: @unchecked Sendable {
    struct BlockData {
        /// nil: the constant value.
        var values: ScalarPointer?
        var constant: Double = 0
        /// Jagged columns: entries + 1 offsets into `values`.
        var offsets: UnsafePointer<Int64>?
        /// Values per event of flat (1) and fixed-size columns.
        var perEvent = 1
        /// Indexed by reader event (reader columns) instead of row after the cuts (defined columns).
        var byEvent: Bool
    }

    let chunk: EventChunk
    let blocks: [BlockData]
    /// Offset arrays made for the blocks (kept alive with their pointers).
    private let offsetArrays: [[Int64]]
    /// Events with a jagged branch longer than its layout length.
    let truncatedEvents: Int

    init(layout: VectorLayout, chunk: EventChunk) throws {
        self.chunk = chunk
        var kept: [[Int64]] = []
        blocks = try layout.blocks.map { b in
            if let col = chunk.raw[b.name] {
                if col.kind == .flat, b.jagged { throw TrainingError.inconsistent("'\(b.name)' is per-event data but the specs say jagged") }
                if col.kind != .flat, !b.jagged { throw TrainingError.inconsistent("'\(b.name)' is jagged but the specs say flat") }
                var offsets: UnsafePointer<Int64>?
                if col.kind != .flat, col.kind != .fixed {
                    let o = col.entryValueOffsets
                    guard o.count == col.entryCount + 1 else {
                        throw TrainingError.inconsistent("jagged column '\(b.name)' has no offsets for its \(col.entryCount) entries")
                    }
                    kept.append(o)
                    offsets = o.readAddress
                }
                return BlockData(values: col.values.pointer, offsets: offsets, perEvent: col.kind == .fixed ? col.shape.reduce(1, *) : 1,
                                 byEvent: true)
            }
            guard let values = chunk.columns[b.name] else { throw TrainingError.inconsistent("column '\(b.name)' is missing from the data") }
            switch values {
            case let .scalar(v): return BlockData(values: nil, constant: v, byEvent: false)
            case let .flat(v):
                if b.jagged { throw TrainingError.inconsistent("'\(b.name)' is per-event data but the specs say jagged") }
                return BlockData(values: .float64(v.readAddress), byEvent: false)
            case let .jagged(o, v):
                if !b.jagged { throw TrainingError.inconsistent("'\(b.name)' is jagged but the specs say flat") }
                return BlockData(values: .float64(v.readAddress), offsets: o.readAddress, byEvent: false)
            }
        }
        var truncated = [Bool](repeating: false, count: chunk.count)
        for (k, b) in layout.blocks.enumerated() where b.jagged {
            let d = blocks[k]
            if let o = d.offsets {
                for i in 0..<chunk.count {
                    let e = d.byEvent ? chunk.event(i) : i
                    if Int(o[e + 1] - o[e]) > b.length { truncated[i] = true }
                }
            } else if d.perEvent > b.length {
                for i in 0..<chunk.count { truncated[i] = true }
            }
        }
        truncatedEvents = truncated.reduce(0) { $0 + ($1 ? 1 : 0) }
        offsetArrays = kept
    }
}

/// Writes one block of a tile of rows: normalized values and mask 1, then padding and mask 0.
struct BlockFill: ScalarVisitor {
    /// Per row: its index into the column (reader event, or row after the cuts).
    var index: UnsafePointer<Int32>
    var count: Int
    /// Per row: where its output row starts.
    var x: UnsafePointer<UnsafeMutablePointer<Float>>
    var mask: UnsafePointer<UnsafeMutablePointer<Float>>
    var offset: Int
    var length: Int
    var jagged: Bool
    var offsets: UnsafePointer<Int64>?
    var perEvent: Int
    var scale: Double
    var shift: Double
    var clip: Bool
    var pad: Float

    func visit<T: LayoutScalar>(_ values: UnsafePointer<T>, count _: Int) {
        if clip { run(values, clip: true) } else { run(values, clip: false) }
    }

    @inline(__always) func normalized(_ v: Double, clip: Bool) -> Float {
        var y = v * scale + shift
        if clip { y = Swift.min(1, Swift.max(0, y)) }
        return Float(y)
    }

    @inline(__always) func run<T: LayoutScalar>(_ v: UnsafePointer<T>, clip: Bool) {
        if !jagged {
            for k in 0..<count {
                x[k][offset] = normalized(v[Int(index[k])].layoutDouble, clip: clip)
                mask[k][offset] = 1
            }
            return
        }
        for k in 0..<count {
            let xr = x[k] + offset, mr = mask[k] + offset
            let e = Int(index[k])
            let start: Int, n: Int
            if let offsets {
                start = Int(offsets[e])
                n = Int(offsets[e + 1]) - start
            } else {
                start = e * perEvent
                n = perEvent
            }
            let m = Swift.min(n, length)
            for j in 0..<m {
                xr[j] = normalized(v[start + j].layoutDouble, clip: clip)
                mr[j] = 1
            }
            for j in m..<length {
                xr[j] = pad
                mr[j] = 0
            }
        }
    }

    /// A constant column (a define without inputs): the value in the block's first feature.
    func constant(_ v: Double) {
        for k in 0..<count {
            x[k][offset] = normalized(v, clip: clip)
            mask[k][offset] = 1
        }
    }
}
