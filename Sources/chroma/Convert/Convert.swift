import ArgumentParser
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
            --to rgb      the image itself, re-encoded (PNG ↔ JPEG, EXIF orientation applied)

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
        let jobs: [Job]
        do {
            jobs = try plan()
        } catch {
            Diagnostics.error(input, error)
            throw ExitCode.failure
        }
        var failed = 0
        for job in jobs {
            do {
                try convert(job)
            } catch {
                failed += 1
                Diagnostics.error(job.input == "-" ? "<stdin>" : job.input, error)
            }
        }
        if failed > 0 {
            if jobs.count > 1 { Diagnostics.note("chroma: \(failed) of \(jobs.count) inputs failed") }
            throw ExitCode.failure
        }
    }

    /// Inputs and where each output goes.
    func plan() throws -> [Job] {
        guard ImageFile.isDirectory(input) else {
            let name = input == ImageFile.standardStream ? "stdin" : Paths.lastComponent(input)
            let target = ImageFile.isDirectory(output)
                ? output + "/" + InputFiles.renamed(name, format: outputFormat(for: input, bytes: nil))
                : output
            return [Job(input: input, output: target)]
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        return try InputFiles.scan(input, recursive: recursive).map { relative in
            Job(input: input + "/" + relative,
                output: output + "/" + InputFiles.renamed(relative, format: outputFormat(for: relative, bytes: nil)))
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
        if job.output != ImageFile.standardStream && (job.output == job.input || InputFiles.sameFile(job.input, job.output)) {
            throw ImageIOError.fileSystem(path: job.output, reason: "is the input itself; choose another output")
        }
        let decoding = outputOptions.decoding
        let bytes = try ImageFile.readBytes(job.input, maxBytes: decoding.maxFileBytes)
        let image = try ImageDecoder.decode(bytes, options: decoding)
        let result: Image<UInt8> = switch to {
        case .gray: ChannelStrip.luminance(of: image, in: space)
        case .lab: ChannelStrip.strip(ChannelStrip.channels(of: ChromaSpace.lab.planes(from: image)))
        case .ycbcr: ChannelStrip.strip(ChannelStrip.channels(of: ChromaSpace.ycbcr.planes(from: image)))
        case .gammas: ChannelStrip.gammaStack(of: image, in: space, gammas: gammas)
        case .rgb: image
        }
        // An output name's extension decides its format, so name and content always agree.
        let format = outputOptions.format ?? ImageFormat(pathExtension: Paths.pathExtension(job.output))
            ?? outputFormat(for: job.input, bytes: bytes)
        let encoded = try ImageEncoder.encode(result, as: format, options: outputOptions.encoding)
        if job.output != ImageFile.standardStream, case let folder = Paths.parent(job.output), !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try ImageFile.write(encoded, to: job.output, overwrite: outputOptions.overwrite)
    }
}

extension ChromaSpace: ExpressibleByArgument {}
