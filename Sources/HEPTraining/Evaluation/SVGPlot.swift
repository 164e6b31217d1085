import Foundation
/// Minimal SVG line plots and histograms that a person can open in a browser.
public enum SVGPlot {
    static let w = 480.0, h = 360.0, left = 60.0, right = 20.0, top = 30.0, bottom = 50.0

    struct Frame {
        var xmin: Double, xmax: Double, ymin: Double, ymax: Double
        func px(_ x: Double) -> Double { left + (x - xmin) / max(1e-12, xmax - xmin) * (w - left - right) }
        func py(_ y: Double) -> Double { h - bottom - (y - ymin) / max(1e-12, ymax - ymin) * (h - top - bottom) }
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    static func fmt(_ v: Double) -> String {
        let r = (v * 1000).rounded() / 1000
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func axes(_ f: Frame, title: String, xlabel: String, ylabel: String) -> String {
        var s = #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(w))" height="\#(Int(h))" font-family="sans-serif" font-size="12">"#
        s += #"<rect width="100%" height="100%" fill="white"/>"#
        s += #"<text x="\#(w / 2)" y="18" text-anchor="middle" font-size="14">\#(escape(title))</text>"#
        s += #"<line x1="\#(left)" y1="\#(h - bottom)" x2="\#(w - right)" y2="\#(h - bottom)" stroke="black"/>"#
        s += #"<line x1="\#(left)" y1="\#(top)" x2="\#(left)" y2="\#(h - bottom)" stroke="black"/>"#
        for k in 0...4 {
            let xv = f.xmin + (f.xmax - f.xmin) * Double(k) / 4, yv = f.ymin + (f.ymax - f.ymin) * Double(k) / 4
            s += #"<text x="\#(f.px(xv))" y="\#(h - bottom + 16)" text-anchor="middle">\#(fmt(xv))</text>"#
            s += #"<text x="\#(left - 6)" y="\#(f.py(yv) + 4)" text-anchor="end">\#(fmt(yv))</text>"#
        }
        s += #"<text x="\#(w / 2)" y="\#(h - 12)" text-anchor="middle">\#(escape(xlabel))</text>"#
        s += #"<text transform="translate(16,\#(h / 2)) rotate(-90)" text-anchor="middle">\#(escape(ylabel))</text>"#
        return s
    }

    static func escape(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Several named curves on one frame.
    public static func lines(title: String, xlabel: String, ylabel: String, series: [(name: String, x: [Double], y: [Double])],
                             diagonal: Bool = false) -> String {
        let xs = series.flatMap(\.x).filter(\.isFinite), ys = series.flatMap(\.y).filter(\.isFinite)
        var f = Frame(xmin: xs.min() ?? 0, xmax: xs.max() ?? 1, ymin: ys.min() ?? 0, ymax: ys.max() ?? 1)
        if diagonal { f = Frame(xmin: 0, xmax: 1, ymin: 0, ymax: 1) }
        if f.ymax == f.ymin { f.ymax += 1 }
        if f.xmax == f.xmin { f.xmax += 1 }
        var s = axes(f, title: title, xlabel: xlabel, ylabel: ylabel)
        if diagonal { s += #"<line x1="\#(f.px(0))" y1="\#(f.py(0))" x2="\#(f.px(1))" y2="\#(f.py(1))" stroke="gray" stroke-dasharray="4"/>"# }
        for (k, ser) in series.enumerated() {
            let pts = zip(ser.x, ser.y).filter { $0.0.isFinite && $0.1.isFinite }.map { "\(f.px($0.0)),\(f.py($0.1))" }.joined(separator: " ")
            s += #"<polyline fill="none" stroke="\#(colors[k % colors.count])" stroke-width="2" points="\#(pts)"/>"#
            s += #"<text x="\#(w - right - 120)" y="\#(top + 16 + Double(k) * 16)" fill="\#(colors[k % colors.count])">\#(escape(ser.name))</text>"#
        }
        return s + "</svg>\n"
    }

    /// Normalized histograms of values per class over [lo, hi].
    public static func histograms(title: String, xlabel: String, classes: [(name: String, values: [Float])], bins: Int = 30,
                                  range: (Double, Double) = (0, 1)) -> String {
        let width = (range.1 - range.0) / Double(bins)
        let hists = classes.map { c -> [Double] in
            var hcount = [Double](repeating: 0, count: bins)
            for v in c.values where v.isFinite {
                let b = min(bins - 1, max(0, Int((Double(v) - range.0) / width)))
                hcount[b] += 1
            }
            let total = max(1, hcount.reduce(0, +))
            return hcount.map { $0 / total }
        }
        let f = Frame(xmin: range.0, xmax: range.1, ymin: 0, ymax: max(0.01, hists.flatMap { $0 }.max() ?? 1))
        var s = axes(f, title: title, xlabel: xlabel, ylabel: "fraction of events")
        for (k, hist) in hists.enumerated() {
            var pts = "\(f.px(range.0)),\(f.py(0))"
            for (b, v) in hist.enumerated() {
                pts += " \(f.px(range.0 + Double(b) * width)),\(f.py(v)) \(f.px(range.0 + Double(b + 1) * width)),\(f.py(v))"
            }
            pts += " \(f.px(range.1)),\(f.py(0))"
            s += #"<polyline fill="none" stroke="\#(colors[k % colors.count])" stroke-width="2" points="\#(pts)"/>"#
            s += #"<text x="\#(w - right - 120)" y="\#(top + 16 + Double(k) * 16)" fill="\#(colors[k % colors.count])">\#(escape(classes[k].name))</text>"#
        }
        return s + "</svg>\n"
    }
}
