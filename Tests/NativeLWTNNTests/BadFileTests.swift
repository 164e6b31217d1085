import Foundation
import HEPInference
import Testing
import TestSupport

/// Damaged or inconsistent lwtnn files are load errors naming the place, never a crash or a hang.
@Suite struct BadFileTests {
    static func json(_ name: String) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: "\(KerasReferenceTests.directory)/\(name).json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func load(_ object: Any) throws -> LWTNNNetwork {
        try LWTNNNetwork(json: [UInt8](try JSONSerialization.data(withJSONObject: object)))
    }

    /// Expects a load failure whose message contains every fragment.
    static func expectFailure(_ object: Any, _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try load(object)
            Issue.record("loaded a bad file", sourceLocation: sourceLocation)
        } catch let error as LWTNNLoadError {
            for f in fragments {
                #expect("\(error)".contains(f), "'\(error)' lacks '\(f)'", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected error type \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func truncatedAndNonObjectDocuments() throws {
        let data = try #require(FileManager.default.contents(atPath: "\(KerasReferenceTests.directory)/dense.json"))
        for cut in [0, 1, data.count / 3, data.count - 1] {
            #expect(throws: LWTNNLoadError.self) { try LWTNNNetwork(json: [UInt8](data.prefix(cut))) }
        }
        Self.expectFailure([1, 2, 3], "top level", "JSON object")
    }

    @Test func wrongMatrixSizes() throws {
        var m = try Self.json("dense")
        var layers = try #require(m["layers"] as? [[String: Any]])
        var weights = try #require(layers[0]["weights"] as? [Double])
        weights.removeLast()
        layers[0]["weights"] = weights
        m["layers"] = layers
        Self.expectFailure(m, "layer 0", "not a non-zero multiple of the 8 inputs")

        m = try Self.json("dense")
        layers = try #require(m["layers"] as? [[String: Any]])
        layers[2]["bias"] = [1.0, 2.0]
        m["layers"] = layers
        Self.expectFailure(m, "layer 2", "'bias' has 2 values for 12 outputs")

        m = try Self.json("dense")
        layers = try #require(m["layers"] as? [[String: Any]])
        layers[1]["weights"] = [1.0]
        m["layers"] = layers
        Self.expectFailure(m, "layer 1", "normalization")
    }

    @Test func recurrentGateSizes() throws {
        var m = try Self.json("lstm")
        var layers = try #require(m["layers"] as? [[String: Any]])
        var comps = try #require(layers[0]["components"] as? [String: [String: Any]])
        comps["f"]?["U"] = [0.5, 0.5]
        layers[0]["components"] = comps
        m["layers"] = layers
        Self.expectFailure(m, "layer 0", "component 'f'", "'U'")

        m = try Self.json("gru")
        layers = try #require(m["layers"] as? [[String: Any]])
        comps = try #require(layers[0]["components"] as? [String: [String: Any]])
        comps["r"] = nil
        layers[0]["components"] = comps
        m["layers"] = layers
        Self.expectFailure(m, "layer 0", "missing field 'r'")
    }

    @Test func unknownNames() throws {
        var m = try Self.json("dense")
        var layers = try #require(m["layers"] as? [[String: Any]])
        layers[3]["activation"] = "gelu_magic"
        m["layers"] = layers
        Self.expectFailure(m, "layer 3", "unknown activation 'gelu_magic'")

        layers[3]["activation"] = ["function": "leakyrelu"]
        m["layers"] = layers
        Self.expectFailure(m, "layer 3", "'leakyrelu' needs a finite 'alpha'")

        layers[3]["architecture"] = "conv3d"
        m["layers"] = layers
        Self.expectFailure(m, "layer 3", "conv3d")

        var g = try Self.json("graph")
        var nodes = try #require(g["nodes"] as? [[String: Any]])
        nodes[5]["type"] = "average"
        g["nodes"] = nodes
        Self.expectFailure(g, "node 5", "unknown node type 'average'")
    }

    @Test func graphReferencesAndCycles() throws {
        var g = try Self.json("graph")
        var outputs = try #require(g["outputs"] as? [String: [String: Any]])
        outputs["flavour"]?["node_index"] = 99
        g["outputs"] = outputs
        Self.expectFailure(g, "outputs", "node 99 does not exist")

        g = try Self.json("graph")
        var nodes = try #require(g["nodes"] as? [[String: Any]])
        nodes[6]["sources"] = [0, 1, 4, 42]
        g["nodes"] = nodes
        Self.expectFailure(g, "node 6", "source node 42 does not exist")

        g = try Self.json("graph")
        nodes = try #require(g["nodes"] as? [[String: Any]])
        nodes[6]["sources"] = [0, 1, 4, 7]
        g["nodes"] = nodes
        Self.expectFailure(g, "cycle")

        g = try Self.json("graph")
        nodes = try #require(g["nodes"] as? [[String: Any]])
        nodes[7]["layer_index"] = 1
        g["nodes"] = nodes
        Self.expectFailure(g, "node 7", "cannot use a 'lstm' layer")

        g = try Self.json("graph")
        nodes = try #require(g["nodes"] as? [[String: Any]])
        nodes[4]["sources"] = [0]
        g["nodes"] = nodes
        Self.expectFailure(g, "node 4", "not a sequence")

        g = try Self.json("graph")
        outputs = try #require(g["outputs"] as? [String: [String: Any]])
        outputs["flavour"]?["labels"] = ["b", "c"]
        g["outputs"] = outputs
        Self.expectFailure(g, "output 'flavour'", "2 labels for 3 output values")
    }

    @Test func absurdSizes() throws {
        var g = try Self.json("graph")
        var nodes = try #require(g["nodes"] as? [[String: Any]])
        nodes[0]["size"] = 1e12
        g["nodes"] = nodes
        Self.expectFailure(g, "node 0", "size")

        g = try Self.json("graph")
        nodes = try #require(g["nodes"] as? [[String: Any]])
        nodes[0]["size"] = 4
        g["nodes"] = nodes
        Self.expectFailure(g, "node 0", "differs from the 3 variables of 'jet'")

        g = try Self.json("graph")
        nodes = try #require(g["nodes"] as? [[String: Any]])
        nodes[7]["layer_index"] = 100_000
        g["nodes"] = nodes
        Self.expectFailure(g, "node 7", "layer_index 100000 does not exist")

        g = try Self.json("graph")
        nodes = try #require(g["nodes"] as? [[String: Any]])
        nodes[2]["sources"] = [-1]
        g["nodes"] = nodes
        Self.expectFailure(g, "node 2", "sources")

        // A deep chain of nodes is built without recursion.
        var chain: [[String: Any]] = [["type": "input", "sources": [0], "size": 1]]
        for i in 0..<20_000 { chain.append(["type": "add", "sources": [i]]) }
        let deep: [String: Any] = [
            "inputs": [["name": "x", "variables": [["name": "a", "offset": 0, "scale": 1]]]], "input_sequences": [],
            "nodes": chain, "layers": [], "outputs": ["y": ["labels": ["a"], "node_index": 20_000]],
        ]
        let net = try Self.load(deep)
        #expect(try net.evaluate(named: ["a": [2.5]])["y"]?["a"] == 2.5)
    }
}
