import ArgumentParser
import HEPData
import ROOTIO

/// `hepml inspect --json`: per-branch statistics in the reference-file schema.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Per-branch statistics (kind, type, entries, sum, min, max, first, last) of every tree, as JSON.")

    @Argument(help: "A ROOT file (path, root:// or http(s):// URL).")
    var file: String

    @Option(name: .long, help: "XRootD redirector for CMS logical names /store/... (default: $HEPML_REDIRECTOR).")
    var redirector: String?

    @Option(name: .long, help: "Input format: root, csv, jsonl or parquet (default: from the extension).")
    var format: String?

    @Flag(name: .long, help: "Print JSON (the only format for now).")
    var json = false

    @Option(name: .long, help: "Decoding threads (default: number of cores).")
    var threads: Int = defaultThreadCount

    func run() async throws {
        if let redirector { FileLocator.shared.current.redirector = redirector }
        try applyFormat(format)
        let f = try await FileLocator.shared.current.open(file)
        print(try await FileInspection.inspect(f, threads: threads).serialized())
    }
}
