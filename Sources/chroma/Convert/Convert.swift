import ArgumentParser
import Batching
import ColorSpace
import Foundation
import ImageIO

/// `chroma convert`: colour-space views and format conversion, file or folder, in pipelines.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert images: luminance, colour-space channels, gamma stacks, or just the format.",
        discussion: """
            --to gray     the luminance as a grayscale image (Y, or L* scaled to 0…255 with --space lab)
            --to lab      L*, a*, b* side by side as one grayscale strip (a*, b* + 128)
            --to ycbcr    Y, Cb, Cr side by side (JFIF, as JPEG stores them)
            --to gammas   the luminance raised to each of --gammas, side by side
            --to rgb      the image itself, re-encoded (PNG, JPEG, TIFF, WebP; EXIF orientation applied)

            Examples:
              chroma convert photo.jpg gray.png --to gray
              chroma convert - - --to gray < in.jpg > gray.png
              chroma convert photos/ strips/ --to lab --recursive
            """)

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case gray, lab, ycbcr, gammas, rgb
    }

    @Argument(help: "Input image, folder of images, or - for standard input.")
    var input: String

    @Argument(help: "Output file, folder, or - for standard output.")
    var output: String

    @Option(help: "What to write: \(Target.allCases.map(\.rawValue).joined(separator: ", ")).")
    var to: Target = .gray

    @Option(help: "Luminance space for gray and gammas: lab or ycbcr.")
    var space: ChromaSpace = .ycbcr

    @Option(help: "Gammas for --to gammas, comma-separated.", transform: Convert.parseGammas)
    var gammas: [Float] = [0.1, 0.5, 1.5, 3.0]

    @Flag(help: "Descend into subfolders of an input folder.")
    var recursive = false

    @OptionGroup var outputOptions: OutputOptions

    @OptionGroup(title: "Dividing a batch across machines") var sharding: ShardOptions

    static func parseGammas(_ text: String) throws -> [Float] {
        let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! > 0 && $0!.isFinite }) else {
            throw ValidationError("--gammas takes positive numbers separated by commas, e.g. 0.1,0.5,1.5,3.0")
        }
        return values.map { $0! }
    }

    func validate() throws {
        if ImageFile.isDirectory(input) && (output == ImageFile.standardStream || (FileManager.default.fileExists(atPath: output) && !ImageFile.isDirectory(output))) {
            throw ValidationError("the input \(input) is a folder, so the output must be a folder too")
        }
        if input == ImageFile.standardStream && ImageFile.isDirectory(output) == false && output != ImageFile.standardStream
            && output.hasSuffix("/") {
            throw ValidationError("the output folder \(output) does not exist")
        }
    }

    func run() throws {
        var jobs: [Job]
        var scan: InputScan?
        do {
            if input != ImageFile.standardStream { scan = try InputScan([input], recursive: recursive) }
            jobs = try plan(scan)
        } catch {
            Diagnostics.error(input, error)
            throw ExitCode.failure
        }
        let (owned, recorder, manifestPath) = try sharding.slice(jobs, command: "convert", outputFolder: ImageFile.isDirectory(output) ? output : nil)
        jobs = owned
        if let manifestPath, scan?.isInput(manifestPath) == true {
            Diagnostics.error(manifestPath, InputFiles.isAnInput)
            throw ExitCode.failure
        }
        var failed = 0
        for job in jobs {
            do {
                if job.output != ImageFile.standardStream, scan?.isInput(job.output) == true {
                    throw ImageIOError.fileSystem(path: job.output, reason: InputFiles.isAnInput)
                }
                try convert(job)
                recorder?.record(.init(input: job.input, outcome: .written, output: job.output, bytes: ImageFile.size(of: job.output)))
            } catch {
                failed += 1
                Diagnostics.error(job.input == "-" ? "<stdin>" : job.input, error)
                recorder?.record(.init(input: job.input, outcome: .failed, error: "\(error)"))
            }
        }
        if let recorder, let manifestPath {
            do { try ShardOptions.write(recorder, to: manifestPath) } catch {
                Diagnostics.error(manifestPath, error)
                throw ExitCode.failure
            }
        }
        if let passed = scan?.passedBySummary { Diagnostics.note("chroma: " + passed) }
        if failed > 0 {
            if jobs.count > 1 { Diagnostics.note("chroma: \(failed) of \(jobs.count) inputs failed") }
            throw ExitCode.failure
        }
    }

    /// Inputs and where each output goes.
    func plan(_ scan: InputScan?) throws -> [Job] {
        guard let scan, ImageFile.isDirectory(input) else {
            let name = input == ImageFile.standardStream ? "stdin" : Paths.lastComponent(input)
            let target = ImageFile.isDirectory(output)
                ? Paths.join(output, InputFiles.renamed(name, format: outputFormat(for: input, bytes: nil)))
                : output
            return [Job(input: input, output: target)]
        }
        try ImageFile.makeDirectories(output)
        return scan.images.map { image in
            Job(input: image.path, output: Paths.join(output, InputFiles.renamed(image.relative, format: outputFormat(for: image.relative, bytes: nil))))
        }
    }

    /// --format, else the output name's extension, else PNG for channel strips and the input's format otherwise.
    func outputFormat(for path: String, bytes: [UInt8]?) -> ImageFormat {
        if let format = outputOptions.format { return format }
        if !ImageFile.isDirectory(output), let format = ImageFormat(pathExtension: Paths.pathExtension(output)) {
            return format
        }
        if to == .lab || to == .ycbcr || to == .gammas { return .png }
        if let bytes, let format = ImageFormat.sniff(bytes) { return format }
        return ImageFormat(pathExtension: Paths.pathExtension(path)) ?? .png
    }

    func convert(_ job: Job) throws {
        let decoding = outputOptions.decoding
        let bytes = try ImageFile.readBytes(job.input, maxBytes: decoding.maxFileBytes)
        let decoded = try ImageDecoder.decodeWithMetadata(bytes, options: decoding)
        let result: Pixels = switch (to, decoded.pixels) {
        case (.rgb, let pixels): pixels
        case (.gray, .sixteenBit(let image)): .sixteenBit(ChannelStrip.luminance(of: image, in: space))
        case (.gray, let pixels): .eightBit(ChannelStrip.luminance(of: pixels.eightBit, in: space))
        case (.lab, let pixels): .eightBit(ChannelStrip.strip(ChannelStrip.channels(of: ChromaSpace.lab.planes(from: pixels.eightBit))))
        case (.ycbcr, let pixels): .eightBit(ChannelStrip.strip(ChannelStrip.channels(of: ChromaSpace.ycbcr.planes(from: pixels.eightBit))))
        case (.gammas, let pixels): .eightBit(ChannelStrip.gammaStack(of: pixels.eightBit, in: space, gammas: gammas))
        }
        // An output name's extension decides its format, so name and content always agree.
        let format = outputOptions.format ?? ImageFormat(pathExtension: Paths.pathExtension(job.output))
            ?? outputFormat(for: job.input, bytes: bytes)
        let metadata = outputOptions.strip ? ImageMetadata() : decoded.metadata.fitted(to: result.layout)
        let encoded = try ImageEncoder.encode(result, as: format, metadata: metadata, options: outputOptions.encoding(like: decoded))
        if decoded.pages > 1 { Diagnostics.note("chroma: \(FileNames.display(job.input)): has \(decoded.pages) pages; only the first was converted") }
        if job.output != ImageFile.standardStream, case let folder = Paths.parent(job.output), !folder.isEmpty {
            try ImageFile.makeDirectories(folder)
        }
        try ImageFile.write(encoded, to: job.output, overwrite: outputOptions.overwrite)
    }
}

extension ChromaSpace: ExpressibleByArgument {}
