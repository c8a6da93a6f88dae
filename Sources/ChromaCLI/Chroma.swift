import ArgumentParser
import ImageIO
import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

/// The `chroma` command: a thin layer over the library's stages.
@main
struct Chroma: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Colour spaces and a small convolutional autoencoder that colorizes photos.",
        discussion: """
            Inputs are PNG, JPEG, TIFF or WebP files (the format is read from the data, not \
            the name), folders of them, or - for standard input. No command ever writes to one \
            of its inputs; outputs keep the input's metadata and bit depth unless --strip says otherwise. Errors go to standard error, one line \
            per failed input; the exit code is 0 when everything succeeded and 1 when any input failed.

            Environment:
              CHROMA_MODELS=DIR   use DIR's lab.chroma and ycbcr.chroma instead of the built-in models
              CHROMA_THREADS=N    use at most N threads (default: every core)
            """,
        version: "0.1.0",
        subcommands: [Colorize.self, Compare.self, Convert.self, Train.self, Evaluate.self, Study.self, ModelCommand.self, ShardsCommand.self])

    /// Arguments are read as bytes, so that a file name that is not valid
    /// UTF-8 reaches the file system unchanged (see `FileNames`).
    static func main() {
        StandardStreams.reserve()
        BLAS.useOneThread()  // stops OpenBLAS's idle workers from spinning through every command
        ProcessMemory.reuseLargeBuffers()  // the photos of a batch reuse pages instead of having fresh ones zeroed
        signal(SIGPIPE, SIG_IGN)  // a closed pipe is a write error to report, not a silent death
        let arguments = (1..<Int(CommandLine.argc)).map { index in
            FileNames.decode(UnsafeBufferPointer(start: CommandLine.unsafeArgv[index], count: strlen(CommandLine.unsafeArgv[index]!))
                .map { UInt8(bitPattern: $0) })
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let failure as CommandFailure {
            Diagnostics.error(failure.subject, failure.reason)
            Glibc.exit(failure.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}
