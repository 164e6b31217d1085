import ArgumentParser

/// The `hepml` command line: streaming, training and inference for HEP data.
@main
struct HEPML: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "hepml",
        abstract: "Machine learning as a service for High Energy Physics: read ROOT files, build training data, serve models.",
        version: version,
        subcommands: [InfoCommand.self, ReadCommand.self, InspectCommand.self]
    )
}
