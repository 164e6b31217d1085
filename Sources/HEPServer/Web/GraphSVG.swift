import Foundation

/// Draws a `ModelGraph` as SVG with `LayeredGraphLayout`: rounded boxes with an operator (or tensor) name
/// and a second line, curved edges with arrowheads, a tooltip (`<title>`) per node and edge. Every text is
/// escaped; styling comes from CSS classes (`graph-node kind-layer`, ...) so the page's stylesheet colours it.
enum GraphSVG {
    static let nodeHeight = 40.0
    static let maxLabel = 28

    /// The `<svg>` element; `titleID` names the element's accessible title (unique in the page).
    static func render(_ graph: ModelGraph, title: String, titleID: String = "graph-title") -> String {
        let widths = graph.nodes.map { n in
            Double(max(MarkupText.truncated(n.title, to: maxLabel).count, MarkupText.truncated(n.subtitle, to: maxLabel).count)) * 7.2 + 24
        }
        let layout = LayeredGraphLayout(widths: widths.map { max(64, $0) }, edges: graph.edges.map { ($0.from, $0.to) },
                                        nodeHeight: nodeHeight)
        let w = Int(layout.width.rounded(.up)), h = Int(max(layout.height, nodeHeight).rounded(.up))
        let inputs = graph.nodes.filter { $0.kind == .input }.count
        let outputs = graph.nodes.filter { $0.kind == .output }.count
        let ops = graph.nodes.count - inputs - outputs
        let desc = "\(ops) operator\(ops == 1 ? "" : "s"), \(inputs) input\(inputs == 1 ? "" : "s"), \(outputs) output\(outputs == 1 ? "" : "s"), \(graph.edges.count) edges, drawn top-down"
        var s = #"<svg xmlns="http://www.w3.org/2000/svg" class="model-graph" role="img" width="\#(w)" height="\#(h)" viewBox="0 0 \#(w) \#(h)" aria-labelledby="\#(MarkupText.escape(titleID)) \#(MarkupText.escape(titleID))-desc">"#
        s += #"<title id="\#(MarkupText.escape(titleID))">\#(MarkupText.escape(title))</title>"#
        s += #"<desc id="\#(MarkupText.escape(titleID))-desc">\#(MarkupText.escape(desc))</desc>"#
        s += #"<defs><marker id="\#(MarkupText.escape(titleID))-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="graph-arrow"/></marker></defs>"#
        s += #"<g class="graph-edges">"#
        for (e, route) in zip(graph.edges, layout.routes) where route.count > 1 {
            s += #"<path class="graph-edge" marker-end="url(#\#(MarkupText.escape(titleID))-arrow)" d="\#(path(route))"><title>\#(MarkupText.escape(e.label))</title></path>"#
        }
        s += "</g><g class=\"graph-nodes\">"
        for (i, node) in graph.nodes.enumerated() {
            let p = layout.positions[i]
            let width = max(64, widths[i])
            let x = p.x - width / 2
            s += #"<g class="graph-node kind-\#(node.kind.rawValue)" transform="translate(\#(fmt(x)),\#(fmt(p.y)))">"#
            s += "<title>\(MarkupText.escape(node.detail))</title>"
            s += #"<rect width="\#(fmt(width))" height="\#(fmt(nodeHeight))" rx="6" ry="6"/>"#
            let hasSub = !node.subtitle.isEmpty
            s += #"<text class="graph-label" x="\#(fmt(width / 2))" y="\#(hasSub ? 16 : 25)" text-anchor="middle">\#(MarkupText.escape(MarkupText.truncated(node.title, to: maxLabel)))</text>"#
            if hasSub {
                s += #"<text class="graph-sublabel" x="\#(fmt(width / 2))" y="32" text-anchor="middle">\#(MarkupText.escape(MarkupText.truncated(node.subtitle, to: maxLabel)))</text>"#
            }
            s += "</g>"
        }
        s += "</g></svg>"
        return s
    }

    /// A smooth path through the route: vertical cubic segments between consecutive points.
    static func path(_ pts: [LayeredGraphLayout.Point]) -> String {
        var d = "M\(fmt(pts[0].x)),\(fmt(pts[0].y))"
        for k in 1..<pts.count {
            let a = pts[k - 1], b = pts[k]
            let my = (a.y + b.y) / 2
            d += " C\(fmt(a.x)),\(fmt(my)) \(fmt(b.x)),\(fmt(my)) \(fmt(b.x)),\(fmt(b.y))"
        }
        return d
    }

    static func fmt(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
