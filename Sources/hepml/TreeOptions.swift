import ArgumentParser
import HEPData
import ROOTIO

/// Options shared by commands that open one ROOT file and pick a tree.
struct TreeOptions: ParsableArguments {
    @Argument(help: "A ROOT file.")
    var file: String

    @Option(name: .long, help: "Tree or RNTuple path inside the file (default: the first one, 'Events' if present).")
    var tree: String?

    @Option(name: .long, help: "XRootD redirector for CMS logical names /store/... (default: $HEPML_REDIRECTOR).")
    var redirector: String?

    @Option(name: .long, help: "Input format: root, csv, jsonl or parquet (default: from the extension).")
    var format: String?

    /// Opens the file and loads the chosen tree.
    func open() async throws -> (ROOTFile, Tree) {
        if let redirector { FileLocator.shared.current.redirector = redirector }
        try applyFormat(format)
        let f = try await FileLocator.shared.current.open(file)
        if let tree { return (f, try await f.tree(tree)) }
        let trees = try await f.allKeys().filter { $0.key.isTreeLike }
        guard let pick = trees.first(where: { $0.key.name == "Events" }) ?? trees.first else {
            throw CLIError("\(file): no TTree or RNTuple in this file")
        }
        return (f, try await f.tree(String(pick.path.split(separator: ";").first!)))
    }
}

/// Sets the process-wide input format from a `--format` value.
func applyFormat(_ option: String?) throws {
    guard let option else { return }
    guard let f = TableFormat(option: option) else {
        throw ValidationError("--format is root, csv, jsonl or parquet, got '\(option)'")
    }
    FileLocator.shared.current.format = f
}

/// Fixed-point formatting without Foundation.
func fmt(_ x: Double, _ digits: Int = 2) -> String {
    guard x.isFinite else { return "\(x)" }
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (abs(x) * p).rounded()
    let whole = Int64(r / p)
    var frac = String(Int64(r - Double(whole) * p))
    while frac.count < digits { frac = "0" + frac }
    return (x < 0 && r > 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + frac : "")
}

/// Pads `s` to `n` characters (left-aligned, or right-aligned when `right`).
func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, n - s.count))
    return right ? fill + s : s + fill
}

/// Seconds since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
