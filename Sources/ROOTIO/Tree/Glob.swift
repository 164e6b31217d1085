/// Shell-style name patterns (`Muon_*`, `*_pt`, `Jet_?`) for branch selection.
public enum Glob {
    public static func hasWildcards(_ pattern: String) -> Bool { pattern.contains("*") || pattern.contains("?") }

    /// Whether `name` matches `pattern` as a whole.
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.utf8)
        let s = Array(name.utf8)
        var pi = 0
        var si = 0
        var starP = -1
        var starS = 0
        while si < s.count {
            if pi < p.count, p[pi] == UInt8(ascii: "?") || p[pi] == s[si] {
                pi += 1
                si += 1
            } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
                starP = pi
                starS = si
                pi += 1
            } else if starP >= 0 {
                pi = starP + 1
                starS += 1
                si = starS
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
