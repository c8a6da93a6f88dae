import ArgumentParser
import Batching
import ColorSpace
import Foundation
import ImageIO

/// `chroma convert`: colour-space views and format conversion, file or folder, in pipelines.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert images: to L*a*b* or YCbCr files and back, luminance, channel views, or just the format.",
        discussion: """
            --to gray            luminance as grayscale (Y; L* × 2.55 with --space lab)
            --to lab             CIE L*a*b* (D65): a TIFF marked CIELab, or a PNG of
                                 L* × 655.35, a* × 256 + 32768, b* × 256 + 32768;
                                 --depth 8: L* × 2.55, a* + 128, b* + 128
            --to ycbcr           JFIF YCbCr, as JPEG stores it: TIFF or PNG
            --to rgb             sRGB in any format (back from lab or ycbcr too)
            --to lab-channels    L*, a*, b* side by side, one gray picture
            --to ycbcr-channels  Y, Cb, Cr side by side
            --to gammas          the luminance raised to each of --gammas

            A TIFF says whether it holds Lab or YCbCr; a PNG cannot, so name it with --from.

            Examples:
              chroma convert photo.jpg -o gray.png --to gray
              chroma convert photo.jpg -o photo-lab.tif --to lab
              chroma convert photo-lab.tif -o back.png --to rgb
              chroma convert - --to gray < in.jpg > gray.png
              chroma convert photos/ -o views/ --to lab-channels --recursive
            """)

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case gray, lab, ycbcr, rgb
        case labChannels = "lab-channels", ycbcrChannels = "ycbcr-channels", gammas
    }

    @Argument(help: "Input image, folder of images, or - for standard input.")
    var input: String

    @Option(name: [.short, .customLong("output")], help: "Output file, folder, or - for standard output (default for input -: standard output).")
    var outputPath: String?

    /// Where outputs go: -o, or standard output for standard input.
    var output: String { outputPath ?? ImageFile.standardStream }

    @Option(help: "What to write: \(Target.allCases.map(\.rawValue).joined(separator: ", ")).")
    var to: Target = .gray

    @Option(help: "What the input's samples hold: rgb, lab or ycbcr (default: what a TIFF says, else rgb).")
    var from: ColorEncoding?

    @Option(help: "Bits per sample of the output, 8 or 16 (default: the input's; 16 for --to lab).")
    var depth: Int?

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
        if outputPath == nil && input != ImageFile.standardStream {
            throw ValidationError("give the output with -o FILE or -o FOLDER (or -o - for standard output)")
        }
        if let depth, depth != 8 && depth != 16 { throw ValidationError("--depth is 8 or 16, not \(depth)") }
        if ImageFile.isDirectory(input) && (output == ImageFile.standardStream || (FileManager.default.fileExists(atPath: output) && !ImageFile.isDirectory(output))) {
            throw ValidationError("the input \(input) is a folder, so the output must be a folder too")
        }
        if input == ImageFile.standardStream && ImageFile.isDirectory(output) == false && output != ImageFile.standardStream
            && output.hasSuffix("/") {
            throw ValidationError("the output folder \(output) does not exist")
        }
    }

    func run() throws {
        let scan = try reporting(input) { input == ImageFile.standardStream ? nil : try InputScan([input], recursive: recursive) }
        var jobs = try reporting(input) { try plan(scan) }
        let (owned, recorder, manifestPath) = try sharding.slice(jobs, command: "convert", outputFolder: ImageFile.isDirectory(output) ? output : nil)
        jobs = owned
        if let manifestPath, scan?.isInput(manifestPath) == true { throw CommandFailure(subject: manifestPath, reason: InputFiles.isAnInput) }
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
            try reporting(manifestPath) { try ShardOptions.write(recorder, to: manifestPath) }
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
        if !ImageFile.isDirectory(output), let format = ImageFormat(path: output) {
            return format
        }
        if to == .lab || to == .ycbcr { return .tiff }
        if to == .labChannels || to == .ycbcrChannels || to == .gammas { return .png }
        if let bytes, let format = ImageFormat.sniff(bytes) { return format }
        return ImageFormat(path: path) ?? .png
    }

    func convert(_ job: Job) throws {
        var decoding = outputOptions.decoding
        decoding.keepsColorEncoding = true
        // A JPEG stores JFIF's luminance: read it instead of computing it from decoded RGB.
        decoding.jpegLuminanceOnly = to == .gray && space == .ycbcr && from == nil
        let bytes = try ImageFile.readBytes(job.input, maxBytes: decoding.maxFileBytes)
        let decoded = try ImageDecoder.decodeWithMetadata(bytes, options: decoding)
        let source = from ?? decoded.colorEncoding
        if source != .rgb, decoded.pixels.layout != .rgb {
            throw ConvertError.notThreeChannels(encoding: source, channels: decoded.pixels.layout.channels)
        }
        let pixels = source.decode(decoded.pixels)
        let encoding: ColorEncoding = switch to {
        case .lab: .lab
        case .ycbcr: .ycbcr
        default: .rgb
        }
        var result: Pixels = switch (to, pixels) {
        case (.rgb, let pixels): pixels
        case (.lab, let pixels): ColorEncoding.lab.encode(pixels, bitDepth: depth ?? 16)
        case (.ycbcr, let pixels): ColorEncoding.ycbcr.encode(pixels, bitDepth: depth ?? pixels.bitDepth)
        case (.gray, .sixteenBit(let image)): .sixteenBit(ChannelStrip.luminance(of: image, in: space))
        case (.gray, let pixels): .eightBit(ChannelStrip.luminance(of: pixels.eightBit, in: space))
        case (.labChannels, let pixels): .eightBit(ChannelStrip.strip(ChannelStrip.channels(of: ChromaSpace.lab.planes(from: pixels.eightBit))))
        case (.ycbcrChannels, let pixels): .eightBit(ChannelStrip.strip(ChannelStrip.channels(of: ChromaSpace.ycbcr.planes(from: pixels.eightBit))))
        case (.gammas, let pixels): .eightBit(ChannelStrip.gammaStack(of: pixels.eightBit, in: space, gammas: gammas))
        }
        if let depth, depth != result.bitDepth {
            result = depth == 8 ? .eightBit(result.eightBit) : .sixteenBit(result.eightBit.widened())
        }
        // An output name's extension decides its format, so name and content always agree.
        let format = outputOptions.format ?? ImageFormat(path: job.output)
            ?? outputFormat(for: job.input, bytes: bytes)
        var metadata = outputOptions.strip ? ImageMetadata() : decoded.metadata.fitted(to: result.layout)
        if encoding != .rgb { metadata.iccProfile = nil }  // an RGB profile would misdescribe L*a*b* or YCbCr samples
        let encoded = try ImageEncoder.encode(result, as: format, metadata: metadata,
                                              options: outputOptions.encoding(like: decoded), encoding: encoding)
        if decoded.pages > 1 { Diagnostics.note("chroma: \(FileNames.display(job.input)): has \(decoded.pages) pages; only the first was converted") }
        if job.output != ImageFile.standardStream, case let folder = Paths.parent(job.output), !folder.isEmpty {
            try ImageFile.makeDirectories(folder)
        }
        try ImageFile.write(encoded, to: job.output, overwrite: outputOptions.overwrite)
    }
}

extension ChromaSpace: ExpressibleByArgument {}
extension ColorEncoding: ExpressibleByArgument {}

enum ConvertError: Error, CustomStringConvertible {
    /// --from lab|ycbcr names samples the input does not have three of.
    case notThreeChannels(encoding: ColorEncoding, channels: Int)

    var description: String {
        switch self {
        case .notThreeChannels(let encoding, let channels):
            "has \(channels) channel\(channels == 1 ? "" : "s"), not the 3 that \(encoding == .lab ? "L*a*b*" : "YCbCr") needs"
        }
    }
}
