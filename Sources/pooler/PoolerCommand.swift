import ArgumentParser

/// The `pooler` command line: parses, validates, and calls into the library modules.
struct PoolerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pooler",
        abstract: "Learn and compare poolings of transformer hidden states into sentence embeddings.",
        version: PoolerVersion.string,
        subcommands: [
            ExtractCommand.self, TrainCommand.self, ProbeFileCommand.self, EvaluateCommand.self, ExplainCommand.self, EmbedCommand.self, ExportCommand.self,
            InspectCommand.self, SubsetCommand.self, SweepCommand.self, DoctorCommand.self,
        ]
    )
}

/// The version of this toolkit, printed by `pooler --version` and written into exported files.
enum PoolerVersion {
    static let string = "0.1.0"
}
