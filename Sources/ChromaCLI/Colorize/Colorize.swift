import ArgumentParser
import Batching
import Colorizer
import ColorSpace
import Foundation
import ImageIO
import NeuralNet
import Threading

/// `chroma colorize`: colorize photos, folders and pipelines at full resolution.
struct Colorize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Colorize grayscale (or colour) photos with a trained model.",
        discussion: """
            Each photo's luminance is kept at full resolution; the model predicts chroma on a \
            grid whose shorter side is --tiles × 32 pixels and on one twice as fine (unless \
            --single-grid), the two are averaged, and the chroma is upsampled and joined to \
            the luminance. A colour photo is reduced to its luminance first. Alpha is kept.

            Outputs mirror the inputs' names under -o (with --suffix added); each is written \
            to a temporary file and renamed into place, so an interrupted run leaves no \
            partial file, and an input is never overwritten. A failed photo is reported and \
            the batch goes on; the exit code is 1 when any photo failed.

            Examples:
              chroma colorize old.jpg -o colorized/
              chroma colorize albums/ -o out/ --recursive --space ycbcr --jobs 2
              cat old.jpg | chroma colorize - > new.jpg
              chroma colorize archive/ -o out/ --recursive --skip-existing --shard auto
                (in a Slurm array job; then: chroma shards check out/)
            """)

    @Argument(help: "Photos, folders of photos, or - (standard input).")
    var inputs: [String]

    @Option(name: [.short, .customLong("output")],
            help: "Where to write: a folder (created if missing; meant when the path ends in /, is a folder, or there are several inputs), a file for one input, or - for standard output.")
    var output: String?

    @Flag(help: "Descend into subfolders of input folders.")
    var recursive = false

    @Option(parsing: .unconditional, help: "Added to each output's name before the extension, e.g. -color.")
    var suffix: String = ""

    @Option(help: "Colour space of the bundled model to use: ycbcr or lab.")
    var space: ChromaSpace = BundledModels.defaultSpace

    @Option(help: "A trained model file to use instead of the bundled one.")
    var model: String?

    @OptionGroup var prediction: PredictionOptions

    @Option(help: "The model's grid: the photo's shorter side becomes N × 32 pixels there, 1…64.")
    var tiles: Int = PhotoColorizer.defaultTiles

    @Option(name: .customLong("max-network-mb"), help: "Refuse a photo whose grid would need more than this many MiB of network memory (large --tiles on large photos).")
    var maxNetworkMiB: Int = PhotoColorizer.defaultMaxNetworkBytes >> 20

    @Option(help: "Photos colorized at once (default: the number of cores, or CHROMA_THREADS).")
    var jobs: Int?

    @OptionGroup(title: "Dividing a batch across machines") var sharding: ShardOptions

    @Flag(help: "Skip photos whose output already exists (to finish an interrupted run).")
    var skipExisting = false

    @Flag(help: "Print one JSON object per photo to standard output.")
    var json = false

    @Flag(help: "Report each photo, and each file passed by, on standard error.")
    var verbose = false

    @OptionGroup var outputOptions: OutputOptions

    /// Where outputs go.
    enum Destination {
        case folder(String)
        case file(String)
        case standardOutput
    }

    /// A folder when the path ends in / or is one, or when there are several
    /// inputs (or a folder of them); otherwise the one output file, or standard output.
    var destination: Destination {
        let usesStdin = inputs == [ImageFile.standardStream]
        guard let output else { return .standardOutput }  // validate() allows this only for standard input
        if output == ImageFile.standardStream { return .standardOutput }
        let oneFile = inputs.count == 1 && (usesStdin || !ImageFile.isDirectory(inputs[0]))
        if output.hasSuffix("/") || ImageFile.isDirectory(output) || !oneFile { return .folder(output) }
        return .file(output)
    }

    func validate() throws {
        let usesStdin = inputs.contains(ImageFile.standardStream)
        if usesStdin && inputs.count > 1 { throw ValidationError("- (standard input) cannot be mixed with other inputs") }
        if output == "" { throw ValidationError("the output path is empty; give a folder, a file or -") }
        if !usesStdin && output == nil { throw ValidationError("give an output with -o (a folder, a file for one input, or -)") }
        if output == ImageFile.standardStream && !(inputs.count == 1 && !ImageFile.isDirectory(inputs[0])) {
            throw ValidationError("-o - (standard output) takes one input photo, not a folder or several")
        }
        if case .folder(let folder) = destination, ImageFile.exists(folder) && !ImageFile.isDirectory(folder) {
            throw ValidationError("the output \(folder) exists and is not a folder (several outputs need one)")
        }
        guard (1...64).contains(tiles) else { throw ValidationError("--tiles must be 1…64, not \(tiles)") }
        guard maxNetworkMiB >= 1 else { throw ValidationError("--max-network-mb must be at least 1") }
        guard (jobs ?? 1) >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if skipExisting && outputOptions.overwrite { throw ValidationError("--skip-existing and --overwrite contradict each other") }
        if suffix.contains("/") { throw ValidationError("--suffix must not contain /") }
        if json, case .standardOutput = destination {
            throw ValidationError("--json needs outputs in files (standard output carries the image)")
        }
        if json && StandardStreams.outputWasClosed { throw ValidationError("--json needs standard output, which is closed") }
    }

    func run() throws {
        // Making the colorizer also proves the model usable before any photo is read.
        let (modelBytes, colorizer) = try reporting(model ?? BundledModels.origin(of: space)) {
            let bytes = try model.map { try ImageFile.readBytes($0) } ?? BundledModels.bytes(for: space)
            return (bytes, try makeColorizer(bytes, threads: Threads.available))
        }
        let destination = self.destination
        if inputs == [ImageFile.standardStream] {
            try colorizeStandardInput(with: colorizer, to: destination)
            return
        }
        let scan = try reporting(output ?? "-") { try InputScan(inputs, recursive: recursive, skipsEarlierOutputs: true) }
        var jobs = try reporting(output ?? "-") { try plan(scan, destination: destination) }
        if verbose { for (path, reason) in scan.passedBy { Diagnostics.note("chroma: \(FileNames.display(path)): skipped: \(reason)") } }
        let all = jobs.count
        let outputFolder: String? = if case .folder(let folder) = destination { folder } else { nil }
        let (owned, recorder, manifestPath) = try sharding.slice(jobs, command: "colorize", outputFolder: outputFolder)
        jobs = owned
        if let recorder, verbose { Diagnostics.note("chroma: shard \(recorder.shard): \(jobs.count) of \(all) inputs") }
        if let manifestPath, scan.isInput(manifestPath) { throw CommandFailure(subject: manifestPath, reason: InputFiles.isAnInput) }
        let settings = Batch.Settings(workers: self.jobs, skipExisting: skipExisting, verbose: verbose, json: json, output: outputOptions)
        let batch = Batch(jobs: jobs, scan: scan, recorder: recorder, settings: settings, first: colorizer) {
            try makeColorizer(modelBytes, threads: $0)
        }
        Interrupt.install()
        batch.run()
        if let recorder, let manifestPath {
            try reporting(manifestPath) { try ShardOptions.write(recorder, to: manifestPath) }
        }
        var summary = batch.summary
        if let passed = scan.passedBySummary { summary += "; " + passed }
        if !jobs.isEmpty && (verbose || batch.failed > 0 || batch.bar.enabled) || scan.passedBySummary != nil || jobs.isEmpty {
            Diagnostics.note(summary)
        }
        if Interrupt.requested { throw ExitCode(130) }
        if batch.failed > 0 || batch.stoppedBy != nil { throw ExitCode.failure }
    }

    /// `-`: standard input to standard output (or to the file -o names), in the input's format unless --format says otherwise.
    func colorizeStandardInput(with colorizer: PhotoColorizer, to destination: Destination) throws {
        let target: String
        switch destination {
        case .standardOutput: target = ImageFile.standardStream
        case .file(let path): target = path
        case .folder(let folder): target = Paths.join(folder, "stdin")
        }
        try reporting("<stdin>") {
            let bytes = try ImageFile.readBytes(ImageFile.standardStream, maxBytes: outputOptions.decoding.maxFileBytes)
            let result = try colorizer.colorize(fileBytes: bytes, outputName: target, format: outputOptions.format,
                                                decoding: outputOptions.decoding, encoding: outputOptions.encoding(like:),
                                                stripsMetadata: outputOptions.strip)
            var path = target
            if case .folder = destination { path = InputFiles.renamed(target, format: result.format, suffix: suffix) }
            if path != ImageFile.standardStream, case let folder = Paths.parent(path), !folder.isEmpty {
                try ImageFile.makeDirectories(folder)
            }
            try ImageFile.write(result.bytes, to: path, overwrite: outputOptions.overwrite)
        }
    }

    func makeColorizer(_ modelBytes: [UInt8], threads: Int) throws -> PhotoColorizer {
        let colorizer = try PhotoColorizer(model: ModelFile(decoding: modelBytes), tiles: tiles, saturation: prediction.saturation,
                                           temperature: prediction.temperature, priorWeight: prediction.priorWeight,
                                           usesFinerGrid: !prediction.singleGrid)
        colorizer.threads = threads
        colorizer.maxNetworkBytes = maxNetworkMiB << 20
        return colorizer
    }

    /// Every input photo, sorted, with where its output goes.
    func plan(_ scan: InputScan, destination: Destination) throws -> [Job] {
        switch destination {
        case .file(let path):
            return scan.images.map { Job(input: $0.path, output: path) }
        case .standardOutput:
            return scan.images.map { Job(input: $0.path, output: ImageFile.standardStream) }
        case .folder(let folder):
            try ImageFile.makeDirectories(folder)
            return scan.images.map { Job(input: $0.path, output: Paths.join(folder, outputName(for: $0.relative))) }
        }
    }

    /// The input's name with the suffix, and an extension for the output format
    /// (the input's own when it already names that format).
    func outputName(for relative: String) -> String {
        let inputExtension = Paths.pathExtension(relative)
        let format = outputOptions.format ?? ImageFormat(pathExtension: inputExtension) ?? .png
        guard ImageFormat(pathExtension: inputExtension) == format else { return InputFiles.renamed(relative, format: format, suffix: suffix) }
        return Paths.deletingExtension(relative) + suffix + "." + inputExtension
    }
}
