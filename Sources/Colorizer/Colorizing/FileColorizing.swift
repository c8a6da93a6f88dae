import ColorSpace
import ImageIO
import NeuralNet

extension PhotoColorizer {
    /// The bundled colorizer for `space` (`$CHROMA_MODELS`'s when set), with its calibrated settings.
    ///
    ///     let colorized = try PhotoColorizer.bundled(.lab).colorize(image)
    public static func bundled(_ space: ChromaSpace = .lab) throws -> PhotoColorizer {
        try PhotoColorizer(model: BundledModels.load(space))
    }

    /// A colorized image file: the image, the format it was encoded in, and the file's bytes.
    public struct ColorizedFile {
        public let image: DecodedImage
        public let format: ImageFormat
        public let bytes: [UInt8]
    }

    /// Colorizes an image file's bytes into the bytes of another: decoded with
    /// `decoding`, colorized at its own bit depth, encoded in `format` (default:
    /// the format `outputName`'s extension names, else the input's) with the
    /// input's metadata (none with `stripsMetadata`, but for chroma's own mark)
    /// and `encoding(colorized)`'s options.
    public func colorize(fileBytes: [UInt8], outputName: String, format: ImageFormat? = nil,
                         decoding: DecodingOptions = .init(),
                         encoding: (DecodedImage) -> EncodingOptions = EncodingOptions.keeping,
                         stripsMetadata: Bool = false) throws -> ColorizedFile {
        let decoded = try ImageDecoder.decodeWithMetadata(fileBytes, options: decoding)
        let colorized = try colorize(decoded)
        let format = format ?? ImageFormat(path: outputName) ?? decoded.format
        let metadata = stripsMetadata ? ImageMetadata().markedColorized() : colorized.metadata
        let bytes = try ImageEncoder.encode(colorized.pixels, as: format, metadata: metadata, options: encoding(colorized))
        return ColorizedFile(image: colorized, format: format, bytes: bytes)
    }

    /// Colorizes the image file at `input` into `output`, as `colorize(fileBytes:…)`
    /// does. The output appears whole or not at all; an existing one is
    /// replaced only with `overwrite`, and `input` itself never.
    /// - Returns: the colorized image as written (its `pages` tell whether the input had more than one).
    @discardableResult
    public func colorize(file input: String, to output: String, format: ImageFormat? = nil,
                         decoding: DecodingOptions = .init(),
                         encoding: (DecodedImage) -> EncodingOptions = EncodingOptions.keeping,
                         stripsMetadata: Bool = false, overwrite: Bool = false) throws -> DecodedImage {
        if let target = ImageFile.identity(of: output), target == ImageFile.identity(of: input) {
            throw ImageIOError.fileSystem(path: output, reason: "is the input; write the colorized photo elsewhere")
        }
        let result = try colorize(fileBytes: try ImageFile.readBytes(input, maxBytes: decoding.maxFileBytes), outputName: output,
                                  format: format, decoding: decoding, encoding: encoding, stripsMetadata: stripsMetadata)
        try ImageFile.write(result.bytes, to: output, overwrite: overwrite)
        return result.image
    }
}
