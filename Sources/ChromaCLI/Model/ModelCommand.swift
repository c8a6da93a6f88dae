import ArgumentParser

/// `chroma model`: inspecting architectures and model files, and calibrating trained models.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect network architectures and model files; calibrate a trained colorizer.",
        subcommands: [ModelSummaryCommand.self, ModelCalibrateCommand.self])
}
