import Foundation

/// A node of an lwtnn graph, with its sources already resolved to node indices.
enum LWTNNNode: Sendable {
    case input(block: Int)
    case inputSequence(block: Int)
    case feedForward(source: Int, layer: LWTNNFeedForwardLayer)
    /// A recurrent layer over a sequence: a sequence itself, and its last step when read as a vector.
    case sequence(source: Int, layer: LWTNNRecurrentLayer)
    case timeDistributed(source: Int, layer: LWTNNFeedForwardLayer)
    /// The sum over the steps of a sequence (deep sets).
    case sum(source: Int)
    case concatenate(sources: [Int])
    case add(sources: [Int])

    var sources: [Int] {
        switch self {
        case .input, .inputSequence: return []
        case let .feedForward(s, _), let .sequence(s, _), let .timeDistributed(s, _), let .sum(s): return [s]
        case let .concatenate(s), let .add(s): return s
        }
    }

    /// Whether the node can be read as one vector per sample.
    var givesVector: Bool {
        switch self {
        case .inputSequence, .timeDistributed: return false
        default: return true
        }
    }

    /// Whether the node can be read as a sequence.
    var givesSequence: Bool {
        switch self {
        case .inputSequence, .timeDistributed, .sequence: return true
        default: return false
        }
    }
}

/// One node as written in the file (`type`, `sources`, `size` or `layer_index`), before it is built.
struct LWTNNNodeSpec {
    let type: String
    let sources: [Int]
    /// `size` for input nodes, `layer_index` for nodes with a layer.
    let index: Int?
    let context: String

    init(type: String, sources: [Int], index: Int?, context: String) {
        self.type = type
        self.sources = sources
        self.index = index
        self.context = context
    }

    init(json n: LWTNNJSONReader) throws {
        type = try n.string("type")
        sources = try n.array("sources").map { v -> Int in
            guard let d = (v as? NSNumber)?.doubleValue, d == d.rounded(), d >= 0, d < Double(LWTNNJSONReader.maxElements) else {
                throw n.fail("'sources' must hold node numbers ≥ 0")
            }
            return Int(d)
        }
        switch type {
        case "input", "input_sequence": index = try n.int("size")
        case "feed_forward", "sequence", "time_distributed": index = try n.int("layer_index")
        case "concatenate", "sum", "add": index = nil
        default: throw n.fail("unknown node type '\(type)'")
        }
        context = n.context
    }
}
