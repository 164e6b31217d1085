import ArgumentParser
import HEPTraining
import HEPData
import ROOTIO

/// `hepml specs`: the statistics pass over one or many files.
struct SpecsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "specs",
        abstract: "Per-branch kind, type, longest jagged length, min, max, mean, std, NaN/Inf counts, merged over files.")

    @Argument(help: "ROOT files (paths, root:// or http(s):// URLs).") var files: [String] = []
    @Option(name: .long, help: "A file list (one path or URL per line, # comments).") var fileList: String?
    @Option(name: .long, help: "XRootD redirector for CMS logical names /store/... (default: $HEPML_REDIRECTOR).") var redirector: String?
    @Option(name: .long, help: "Input format: root, csv, jsonl or parquet (default: from the extension).") var format: String?
    @Option(name: .long, help: "Tree name.") var tree: String = "Events"
    @Option(name: .long, parsing: .upToNextOption, help: "Branch names or globs, comma-separated (default: all numeric).") var branches: [String] = []
    @Option(name: .long, parsing: .upToNextOption, help: "Branch names or globs to leave out.") var exclude: [String] = []
    @Option(name: .long, help: "Scan only the first N entries of each file.") var scan: Int64?
    @Option(name: .long, help: "Derived column 'NAME = EXPRESSION' (repeatable).") var define: [String] = []
    @Option(name: .long, help: "Event selection (repeatable; all must hold).") var cut: [String] = []
    @Option(name: .shortAndLong, help: "Output specs JSON.") var output: String = "specs.json"

    func run() async throws {
        let split = { (l: [String]) in l.flatMap { $0.split(separator: ",").map(String.init) } }
        if let redirector { FileLocator.shared.current.redirector = redirector }
        try applyFormat(format)
        let all = files + (try fileList.map { try FileLocator.readList($0) } ?? [])
        guard !all.isEmpty else { throw ValidationError("give files or --file-list") }
        let start = ContinuousClock.now
        let specs = try await SpecsBuilder.build(files: all, tree: tree, branches: split(branches), exclude: split(exclude),
                                                 transform: try EventTransform(defines: define, cuts: cut), scan: scan)
        try specs.write(to: output)
        let events = specs.events["total"] ?? 0
        let t = seconds(since: start)
        print("specs of \(specs.branches.count) columns (\(specs.fkeys.count) flat, \(specs.jkeys.count) jagged/fixed) over \(events) events "
            + "from \(all.count) file(s) in \(fmt(t, 3)) s (\(fmt(Double(events) / max(t, 1e-9), 0)) events/s) → \(output)")
    }
}
