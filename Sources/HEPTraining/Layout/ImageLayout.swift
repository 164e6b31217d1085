import Foundation

/// The matrix-wise (eta-phi) transformation: objects of a collection binned on an H×W grid by two of their
/// branches (e.g. `Jet_eta`, `Jet_phi`); each channel sums (or takes the max of) one value branch
/// (e.g. `Jet_pt`) per cell. Output `[N, C, H, W]`; objects outside the ranges are dropped.
public struct ImageLayout: Codable, Sendable, Equatable {
    public struct Channel: Codable, Sendable, Equatable {
        /// Branch giving the row coordinate (e.g. `Jet_eta`).
        public var x: String
        /// Branch giving the column coordinate (e.g. `Jet_phi`).
        public var y: String
        /// Branch whose values fill the cells (e.g. `Jet_pt`).
        public var value: String
    }

    public var height: Int
    public var width: Int
    public var xRange: [Double]
    public var yRange: [Double]
    /// `sum` (default) or `max` when several objects fall in one cell.
    public var reduce: String
    public var channels: [Channel]

    enum CodingKeys: String, CodingKey {
        case height, width, reduce, channels
        case xRange = "x_range", yRange = "y_range"
    }

    public init(height: Int, width: Int, xRange: [Double], yRange: [Double], reduce: String = "sum", channels: [Channel]) {
        self.height = height
        self.width = width
        self.xRange = xRange
        self.yRange = yRange
        self.reduce = reduce
        self.channels = channels
    }

    public var branches: Set<String> { Set(channels.flatMap { [$0.x, $0.y, $0.value] }) }
    public var pixelsPerEvent: Int { channels.count * height * width }

    public func validate() throws {
        guard height > 0, width > 0, height * width <= 1 << 20, !channels.isEmpty,
              xRange.count == 2, yRange.count == 2, xRange[0] < xRange[1], yRange[0] < yRange[1],
              reduce == "sum" || reduce == "max"
        else {
            throw TrainingError.configuration(file: "image layout",
                                              reason: "needs height/width > 0, x_range/y_range [lo, hi] with lo < hi, reduce sum|max, at least one channel")
        }
    }

    /// Bins `chunk`'s events into rows `row..<row+count` of `out` (`[rows, C, H, W]`, zeroed by the caller).
    public func fill(_ chunk: EventChunk, into out: UnsafeMutableBufferPointer<Float>, row: Int) throws {
        let plane = height * width
        let useMax = reduce == "max"
        for (c, ch) in channels.enumerated() {
            guard case let .jagged(o, xs)? = chunk.columns[ch.x], case let .jagged(o2, ys)? = chunk.columns[ch.y],
                  case let .jagged(o3, vs)? = chunk.columns[ch.value], o == o2, o == o3
            else {
                throw TrainingError.inconsistent("image channel \(c): '\(ch.x)', '\(ch.y)' and '\(ch.value)' must be jagged branches of one collection")
            }
            let fx = Double(height) / (xRange[1] - xRange[0]), fy = Double(width) / (yRange[1] - yRange[0])
            for i in 0..<chunk.count {
                let base = ((row + i) * channels.count + c) * plane
                for k in Int(o[i])..<Int(o[i + 1]) {
                    let bx = ((xs[k] - xRange[0]) * fx).rounded(.down), by = ((ys[k] - yRange[0]) * fy).rounded(.down)
                    guard bx >= 0, by >= 0, bx < Double(height), by < Double(width), !vs[k].isNaN else { continue }
                    let cell = base + Int(bx) * width + Int(by)
                    out[cell] = useMax ? Swift.max(out[cell], Float(vs[k])) : out[cell] + Float(vs[k])
                }
            }
        }
    }
}
