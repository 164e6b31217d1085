import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The `hepml` command line: streaming, training and inference for HEP data.
@main
struct HEPML: AsyncParsableCommand {
    static let version = "0.1.0"

    /// Keeps large freed blocks in the heap so that successive chunks reuse warm memory instead of
    /// faulting in fresh pages (glibc returns big blocks to the kernel by default).
    static func tuneAllocator() {
        #if canImport(Glibc)
        _ = glibcMallopt(-3, 512 << 20)  // M_MMAP_THRESHOLD
        _ = glibcMallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
        #endif
    }

    static func main() async {
        tuneAllocator()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "hepml",
        abstract: "Machine learning as a service for High Energy Physics: read ROOT files, build training data, serve models.",
        version: version,
        subcommands: [InfoCommand.self, ReadCommand.self, InspectCommand.self, SpecsCommand.self, ExportCommand.self, TrainCommand.self, DemoCommand.self, ServeCommand.self, ClientCommand.self, ModelCommand.self, BenchBackendCommand.self, BenchTreesCommand.self]
    )
}

#if canImport(Glibc)
/// glibc's `mallopt` (declared in malloc.h, which the Glibc module does not import).
@_silgen_name("mallopt")
func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
