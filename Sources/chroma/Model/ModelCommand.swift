import ArgumentParser

/// `chroma model`: inspecting architectures and model files.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect network architectures and model files.",
        subcommands: [ModelSummaryCommand.self, ModelCalibrateCommand.self])
}
