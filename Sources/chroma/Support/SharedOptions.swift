import ArgumentParser
import ImageIO

/// Options every image-writing command shares.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format (png or jpeg); default: from the output name, else the input's.")
    var format: ImageFormat?

    @Option(help: "JPEG quality, 1…100.")
    var quality: Int = 92

    @Option(help: "JPEG chroma subsampling: 444, 422 or 420.")
    var subsampling: ChromaSubsampling = .s420

    @Option(name: .customLong("compression"), help: "PNG compression level, 0 (fastest) … 9 (smallest).")
    var compressionLevel: Int = 6

    @Flag(help: "Replace existing output files (inputs are never replaced).")
    var overwrite = false

    @Option(name: .customLong("max-megapixels"), help: "Refuse images larger than this many megapixels.")
    var maxMegapixels: Double = 100

    func validate() throws {
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1…100, not \(quality)") }
        guard (0...9).contains(compressionLevel) else { throw ValidationError("--compression must be 0…9, not \(compressionLevel)") }
        guard maxMegapixels > 0 else { throw ValidationError("--max-megapixels must be positive") }
    }

    var encoding: EncodingOptions {
        var options = EncodingOptions()
        options.jpegQuality = quality
        options.jpegSubsampling = subsampling
        options.pngCompressionLevel = compressionLevel
        return options
    }

    var decoding: DecodingOptions {
        var options = DecodingOptions()
        options.maxPixels = Int(maxMegapixels * 1_000_000)
        return options
    }
}

extension ImageFormat: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument.lowercased() {
        case "png": self = .png
        case "jpeg", "jpg": self = .jpeg
        default: return nil
        }
    }
}

extension ChromaSubsampling: ExpressibleByArgument {}
