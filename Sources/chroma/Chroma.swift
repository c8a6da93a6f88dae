import ArgumentParser

/// The `chroma` command: a thin layer over the library's stages.
@main
struct Chroma: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Colour spaces and a small convolutional autoencoder that colorizes photos.",
        discussion: """
            Inputs are PNG or JPEG files (the format is read from the data, not the name), \
            folders of them, or - for standard input. Errors go to standard error, one line \
            per failed input; the exit code is 0 when everything succeeded and 1 when any input failed.
            """,
        version: "0.1.0",
        subcommands: [Colorize.self, Compare.self, Convert.self, Train.self, Evaluate.self, Study.self, ModelCommand.self])
}
