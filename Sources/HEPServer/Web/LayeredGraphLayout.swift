/// A top-down layered drawing of a directed graph (the Sugiyama scheme graph viewers use):
/// 1. layers by longest path from the sources (edges that close a cycle are ignored for this);
/// 2. an edge spanning several layers gets a virtual point in each layer it crosses;
/// 3. the order within each layer by barycentres of the neighbours, alternating downward and upward sweeps;
/// 4. x positions: each node near the mean of its neighbours above, pushed apart to keep `gap`.
struct LayeredGraphLayout: Sendable, Equatable {
    struct Point: Sendable, Equatable {
        var x: Double
        var y: Double
    }

    /// Per node: `x` is its centre, `y` its top.
    var positions: [Point]
    /// Per input edge (same order), the points from the bottom of its source to the top of its target.
    var routes: [[Point]]
    /// Layer index per node.
    var layers: [Int]
    var width: Double
    var height: Double

    /// Lays out `count` nodes of the given widths and common `nodeHeight`.
    init(widths: [Double], edges: [(from: Int, to: Int)], nodeHeight: Double, gap: Double = 24, layerGap: Double = 44,
         margin: Double = 16, sweeps: Int = 6, maxVirtualPoints: Int = 20_000) {
        let n = widths.count
        let valid = edges.filter { $0.from >= 0 && $0.from < n && $0.to >= 0 && $0.to < n && $0.from != $0.to }
        let layer = Self.longestPathLayers(n: n, edges: valid)
        layers = layer

        // Vertices: the nodes, then virtual points of long edges. chains[e]: the vertices edge e passes.
        var vLayer = layer
        var vWidth = widths
        var chains: [[Int]] = []
        var virtualCount = 0
        for e in edges {
            guard e.from >= 0, e.from < n, e.to >= 0, e.to < n, e.from != e.to else { chains.append([]); continue }
            var chain = [e.from]
            let (a, b) = (layer[e.from], layer[e.to])
            if b > a + 1, virtualCount + (b - a - 1) <= maxVirtualPoints {
                for l in (a + 1)..<b {
                    chain.append(vLayer.count)
                    vLayer.append(l)
                    vWidth.append(0)
                    virtualCount += 1
                }
            }
            chain.append(e.to)
            chains.append(chain)
        }
        let vCount = vLayer.count
        var up = [[Int]](repeating: [], count: vCount)
        var down = [[Int]](repeating: [], count: vCount)
        for chain in chains where chain.count > 1 {
            for k in 1..<chain.count where vLayer[chain[k - 1]] < vLayer[chain[k]] {
                down[chain[k - 1]].append(chain[k])
                up[chain[k]].append(chain[k - 1])
            }
        }

        // Order within layers.
        let layerCount = (vLayer.max() ?? -1) + 1
        var order = [[Int]](repeating: [], count: layerCount)
        for v in 0..<vCount { order[vLayer[v]].append(v) }
        var rank = [Int](repeating: 0, count: vCount)
        func renumber(_ l: Int) { for (i, v) in order[l].enumerated() { rank[v] = i } }
        for l in 0..<layerCount { renumber(l) }
        func sortLayer(_ l: Int, by neighbours: [[Int]]) {
            let keyed = order[l].map { v -> (Int, Double) in
                let ns = neighbours[v]
                guard !ns.isEmpty else { return (v, Double(rank[v])) }
                return (v, Double(ns.reduce(0) { $0 + rank[$1] }) / Double(ns.count))
            }
            order[l] = keyed.enumerated().sorted { a, b in
                a.element.1 != b.element.1 ? a.element.1 < b.element.1 : a.offset < b.offset
            }.map(\.element.0)
            renumber(l)
        }
        for s in 0..<sweeps {
            if s % 2 == 0 {
                for l in stride(from: 1, to: layerCount, by: 1) { sortLayer(l, by: up) }
            } else {
                for l in stride(from: layerCount - 2, through: 0, by: -1) { sortLayer(l, by: down) }
            }
        }

        // x: pack each layer, pulled towards the mean x of its neighbours above (below for the first layer).
        var x = [Double](repeating: 0, count: vCount)
        func place(_ l: Int, towards neighbours: [[Int]]?) {
            var right = -Double.infinity
            var wanted: [Double] = []
            for v in order[l] {
                let half = vWidth[v] / 2
                var want = right == -.infinity ? margin + half : right + gap + half
                if let ns = neighbours?[v], !ns.isEmpty { want = ns.reduce(0) { $0 + x[$1] } / Double(ns.count) }
                wanted.append(want)
                let left = right == -.infinity ? margin : right + gap
                x[v] = max(want, left + half)
                right = x[v] + half
            }
            // Shift the packed layer left when it drifted right of where its nodes want to be on average.
            let drift = zip(order[l], wanted).reduce(0) { $0 + (x[$1.0] - $1.1) } / Double(max(1, order[l].count))
            if drift > 0, let first = order[l].first {
                let room = x[first] - vWidth[first] / 2 - margin
                let shift = min(drift, room)
                for v in order[l] { x[v] -= shift }
            }
        }
        for l in 0..<layerCount { place(l, towards: l == 0 ? nil : up) }
        if layerCount > 1 { place(0, towards: down) }
        let minLeft = (0..<vCount).map { x[$0] - vWidth[$0] / 2 }.min() ?? margin
        if minLeft < margin { for v in 0..<vCount { x[v] += margin - minLeft } }

        let rowHeight = nodeHeight + layerGap
        func top(_ v: Int) -> Double { margin + Double(vLayer[v]) * rowHeight }
        positions = (0..<n).map { Point(x: x[$0], y: top($0)) }
        routes = chains.map { chain in
            guard chain.count > 1 else { return [] }
            var pts = [Point(x: x[chain[0]], y: top(chain[0]) + nodeHeight)]
            for v in chain.dropFirst().dropLast() { pts.append(Point(x: x[v], y: top(v) + nodeHeight / 2)) }
            pts.append(Point(x: x[chain[chain.count - 1]], y: top(chain[chain.count - 1])))
            return pts
        }
        width = ((0..<vCount).map { x[$0] + vWidth[$0] / 2 }.max() ?? 0) + margin
        height = margin * 2 + Double(max(0, layerCount)) * rowHeight - (layerCount > 0 ? layerGap : 0)
    }

    /// Longest-path layering over a topological order (Kahn); nodes on cycles are layered after their
    /// already-placed predecessors, ignoring the edges that close the cycle. Then a source that is not needed
    /// on the first layer (a side input of a deep operator) moves down to just above its first consumer.
    static func longestPathLayers(n: Int, edges: [(from: Int, to: Int)]) -> [Int] {
        var indegree = [Int](repeating: 0, count: n)
        var out = [[Int]](repeating: [], count: n)
        for e in edges {
            out[e.from].append(e.to)
            indegree[e.to] += 1
        }
        var layer = [Int](repeating: 0, count: n)
        var done = [Bool](repeating: false, count: n)
        var queue = (0..<n).filter { indegree[$0] == 0 }
        var head = 0
        var placed = 0
        while placed < n {
            if head == queue.count {
                // A cycle: release the lowest-numbered remaining node.
                guard let v = (0..<n).first(where: { !done[$0] && indegree[$0] > 0 }) else { break }
                indegree[v] = 0
                queue.append(v)
            }
            let v = queue[head]
            head += 1
            guard !done[v] else { continue }
            done[v] = true
            placed += 1
            for w in out[v] where !done[w] {
                layer[w] = max(layer[w], layer[v] + 1)
                indegree[w] -= 1
                if indegree[w] == 0 { queue.append(w) }
            }
        }
        var incoming = [Bool](repeating: false, count: n)
        for e in edges { incoming[e.to] = true }
        for v in 0..<n where !incoming[v] {
            let below = out[v].map { layer[$0] }.filter { $0 > layer[v] }
            if let first = below.min(), below.count == out[v].count { layer[v] = first - 1 }
        }
        return layer
    }
}
