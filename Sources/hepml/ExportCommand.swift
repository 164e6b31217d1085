import ArgumentParser
import Foundation
import HEPData
import HEPTraining

/// `hepml export`: padded feature matrices, masks, labels (and images) as NumPy files.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write training arrays (X, mask, y, w, split[, images]) as .npy (and .npz) files with a JSON sidecar.")

    @Argument(help: "ROOT files: paths or root:// / http(s):// URLs (or give them in the params file).") var files: [String] = []
    @Option(name: .long, help: "A file list (one path or URL per line, # comments).") var fileList: String?
    @Option(name: .long, help: "XRootD redirector for CMS logical names /store/... (default: $HEPML_REDIRECTOR).") var redirector: String?
    @Option(name: .long, help: "Input format: root, csv, jsonl or parquet (default: from the extension).") var format: String?
    @Option(name: .long, help: "Params file (JSON or YAML).") var params: String?
    @Option(name: .long, help: "Specs file from `hepml specs` (default: run the specs pass now).") var specs: String?
    @Option(name: .long, help: "Labels of the positional files, comma-separated (e.g. 1,0).") var labels: String?
    @Option(name: .long, help: "Length override 'GLOB=N' (repeatable), e.g. 'Jet_*=10'.") var maxLength: [String] = []
    @Option(name: .long, help: "Derived column 'NAME = EXPRESSION' (repeatable).") var define: [String] = []
    @Option(name: .long, help: "Event selection (repeatable).") var cut: [String] = []
    @Option(name: .long, help: "minmax, standard or none.") var normalization: String?
    @Option(name: .long, help: "Output folder.") var out: String
    @Flag(name: .long, help: "Also write data.npz.") var npz = false
    @Flag(name: .long, help: "Benchmark mode: build every batch (read + transform) but write nothing.") var noWrite = false

    func run() async throws {
        if let redirector { FileLocator.shared.current.redirector = redirector }
        try applyFormat(format)
        var p = try params.map { try TrainingParams.load(path: $0) } ?? TrainingParams()
        let files = self.files + (try fileList.map { try FileLocator.readList($0) } ?? [])
        if !files.isEmpty {
            let ls = labels?.split(separator: ",").map { Double($0) } ?? []
            guard ls.isEmpty || ls.count == files.count, ls.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--labels needs one number per file")
            }
            p.files = files.enumerated().map { TrainingParams.FileEntry(path: $1, label: ls.isEmpty ? 0 : ls[$0]!) }
        }
        for m in maxLength {
            let kv = m.split(separator: "=")
            guard kv.count == 2, let n = Int(kv[1]), n >= 0 else { throw ValidationError("--max-length takes GLOB=N, got '\(m)'") }
            p.lengths.append((String(kv[0]), n))
        }
        p.defines += define
        p.cuts += cut
        if let n = normalization {
            guard let m = Normalization(rawValue: n) else { throw ValidationError("--normalization is minmax, standard or none") }
            p.normalization.defaultMethod = m
        }
        let start = ContinuousClock.now
        var s: Specs
        if let specs {
            s = try Specs.read(from: specs)
        } else {
            s = try await SpecsBuilder.build(for: p)
        }
        let dataset = try TrainingDataset(params: p, specs: s)
        if noWrite {
            var rows = 0
            for try await b in dataset.batches(split: nil) { rows += b.count }
            let t = seconds(since: start)
            print("\(rows) rows × \(dataset.layout.width) features built (not written) in \(fmt(t, 3)) s "
                + "(\(fmt(Double(dataset.summary.eventsRead) / max(t, 1e-9), 0)) events/s)")
            return
        }
        let result = try await DatasetExporter.export(dataset, to: out, npz: npz)
        s.features = dataset.layout.featureNames
        try s.write(to: out + "/specs.json")
        let t = seconds(since: start)
        let sum = result.summary
        print("\(result.rows) rows × \(dataset.layout.width) features → \(out) in \(fmt(t, 3)) s "
            + "(\(fmt(Double(sum.eventsRead) / max(t, 1e-9), 0)) events/s); read \(sum.eventsRead), passed cuts \(sum.eventsPassingCuts), "
            + "truncated \(sum.truncatedEvents); train \(sum.perSplit[.train] ?? 0), validation \(sum.perSplit[.validation] ?? 0), "
            + "test \(sum.perSplit[.test] ?? 0)")
    }
}
