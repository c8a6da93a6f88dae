import ColorSpace
import ImageIO
import NeuralNet

extension PhotoColorizer {
    /// The bundled colorizer for `space` (`$CHROMA_MODELS`'s when set), with its calibrated settings.
    ///
    ///     let colorized = try PhotoColorizer.bundled().colorize(image)
    public static func bundled(_ space: ChromaSpace = BundledModels.defaultSpace) throws -> PhotoColorizer {
        try PhotoColorizer(model: BundledModels.load(space))
    }

    /// A colorized image file: its size, the format it was encoded in, and its bytes.
    public struct ColorizedFile {
        public let width: Int
        public let height: Int
        /// The input's page count (a multi-page TIFF gives its first page).
        public let pages: Int
        public let format: ImageFormat
        public let bytes: [UInt8]
        /// Whether the input's luminance went in unchanged (a JPEG recoloured in its
        /// DCT coefficients by a YCbCr model; see `JPEGCoefficients`).
        public let keptLuminance: Bool
    }

    /// Colorizes an image file's bytes into the bytes of another: decoded with
    /// `decoding`, colorized at its own bit depth, encoded in `format` (default:
    /// the format `outputName`'s extension names, else the input's) with the
    /// input's metadata (none with `stripsMetadata`, but for chroma's own mark)
    /// and `encoding(colorized)`'s options.
    ///
    /// JPEG to JPEG with a YCbCr model, when `encoding(nil)`'s
    /// `keepsJPEGLuminance` allows it, never decodes the pixels: only new
    /// chroma is encoded beside the file's own luminance coefficients, which
    /// stay bit for bit as they were (no generation loss). The network's input
    /// is the same area means of the luminance, computed from the coefficients
    /// instead of from pixels. Gray and YCbCr JPEGs that are upright go this
    /// way; others (CMYK, an EXIF orientation to apply, a photo smaller than
    /// the grid) go through pixels.
    public func colorize(fileBytes: [UInt8], outputName: String, format: ImageFormat? = nil,
                         decoding: DecodingOptions = .init(),
                         encoding: (DecodedImage?) -> EncodingOptions = EncodingOptions.keeping,
                         stripsMetadata: Bool = false) throws -> ColorizedFile {
        let sniffed = ImageFormat.sniff(fileBytes)
        let format = format ?? ImageFormat(path: outputName) ?? sniffed ?? .png
        if sniffed == .jpeg, format == .jpeg, task.space == .ycbcr, case let options = encoding(nil), options.keepsJPEGLuminance,
           let file = try colorizeKeepingLuminance(fileBytes, decoding: decoding, encoding: options, stripsMetadata: stripsMetadata) {
            return file
        }
        if sniffed == .jpeg, format == .jpeg,
           let file = try colorizeJPEGInBands(fileBytes, decoding: decoding, encoding: encoding(nil), stripsMetadata: stripsMetadata) {
            return file
        }
        let decoded = try ImageDecoder.decodeWithMetadata(fileBytes, options: decoding)
        let colorized = try colorize(decoded)
        let metadata = stripsMetadata ? ImageMetadata().markedColorized() : colorized.metadata
        let bytes = try ImageEncoder.encode(colorized.pixels, as: format, metadata: metadata, options: encoding(colorized))
        return ColorizedFile(width: colorized.pixels.width, height: colorized.pixels.height, pages: colorized.pages,
                             format: format, bytes: bytes, keptLuminance: false)
    }

    /// A JPEG colorized in its coefficients, or nil when it must go through pixels.
    private func colorizeKeepingLuminance(_ bytes: [UInt8], decoding: DecodingOptions, encoding: EncodingOptions,
                                          stripsMetadata: Bool) throws -> ColorizedFile? {
        var metadata = try ImageMetadata.read(from: bytes, maxChunkBytes: decoding.maxPNGChunkBytes, maxTotalBytes: decoding.maxMetadataBytes)
        if decoding.appliesOrientation {
            // The network must see the photo upright; turning it means decoding it.
            if let exif = metadata.exif, exif.withUnsafeBufferPointer({ ExifOrientation(exif: $0) }) != .up { return nil }
            metadata = metadata.forUprightPixels()
        }
        // A file libjpeg cannot read this way, or at all, goes through pixels, which say why if it is broken.
        guard let jpeg = try? JPEGCoefficients(bytes, options: decoding) else { return nil }
        let grid = predictionGrid(width: jpeg.width, height: jpeg.height)
        guard grid.width <= jpeg.width && grid.height <= jpeg.height else { return nil }  // a photo smaller than the grid is enlarged: pixels
        let luminance = Plane(width: grid.width, height: grid.height, values: try jpeg.luminanceMeans(width: grid.width, height: grid.height, threads: threads))
        let chroma = try predictChroma(luminance: luminance, photoSize: (jpeg.width, jpeg.height))
        let encoded = try jpeg.encode(cb: chroma[0].values, cr: chroma[1].values, gridWidth: chroma[0].width, gridHeight: chroma[0].height,
                                      quality: encoding.jpegQuality, progressive: encoding.jpegProgressive, threads: threads)
        let kept = stripsMetadata ? ImageMetadata().markedColorized() : metadata.forColorized()
        return ColorizedFile(width: jpeg.width, height: jpeg.height, pages: 1, format: .jpeg, bytes: try kept.embedded(in: encoded),
                             keptLuminance: true)
    }

    /// A JPEG colorized through its pixels into a JPEG, its stages overlapped
    /// on two threads (with `threads` above 1; see `JPEGBands`). The same bytes
    /// as decoding, colorizing and encoding one after another; nil for a photo
    /// to be turned upright (its rows are not the result's until the whole photo
    /// is decoded) or smaller than the grid.
    private func colorizeJPEGInBands(_ bytes: [UInt8], decoding: DecodingOptions, encoding: EncodingOptions,
                                     stripsMetadata: Bool) throws -> ColorizedFile? {
        let reader = try JPEGRowReader(bytes, options: decoding)
        let grid = predictionGrid(width: reader.width, height: reader.height)
        guard reader.orientation == .up, grid.width <= reader.width, grid.height <= reader.height else { return nil }
        var metadata = try ImageMetadata.read(from: bytes, maxChunkBytes: decoding.maxPNGChunkBytes, maxTotalBytes: decoding.maxMetadataBytes)
        if decoding.appliesOrientation { metadata = metadata.forUprightPixels() }
        let bands = JPEGBands(width: reader.width, height: reader.height, layout: reader.layout, space: task.space,
                              concurrently: threads > 1)
        let onGrid = try bands.decode(reader, ontoGrid: grid)
        let chroma = ChromaRows(try predictChroma(luminance: onGrid, photoSize: (reader.width, reader.height)),
                                width: reader.width, height: reader.height, threads: threads)
        let encoded = try bands.colorize(with: chroma, into: JPEGRowWriter(
            width: reader.width, height: reader.height, channels: 3, quality: encoding.jpegQuality,
            subsampling: encoding.jpegSubsampling, progressive: encoding.jpegProgressive))
        let kept = stripsMetadata ? ImageMetadata().markedColorized() : metadata.forColorized()
        return ColorizedFile(width: reader.width, height: reader.height, pages: 1, format: .jpeg, bytes: try kept.embedded(in: encoded),
                             keptLuminance: false)
    }

    /// Colorizes the image file at `input` into `output`, as `colorize(fileBytes:…)`
    /// does. The output appears whole or not at all; an existing one is
    /// replaced only with `overwrite`, and `input` itself never.
    /// - Returns: what was written (its `pages` tell whether the input had more than one).
    @discardableResult
    public func colorize(file input: String, to output: String, format: ImageFormat? = nil,
                         decoding: DecodingOptions = .init(),
                         encoding: (DecodedImage?) -> EncodingOptions = EncodingOptions.keeping,
                         stripsMetadata: Bool = false, overwrite: Bool = false) throws -> ColorizedFile {
        if let target = ImageFile.identity(of: output), target == ImageFile.identity(of: input) {
            throw ImageIOError.fileSystem(path: output, reason: "is the input; write the colorized photo elsewhere")
        }
        let result = try colorize(fileBytes: try ImageFile.readBytes(input, maxBytes: decoding.maxFileBytes), outputName: output,
                                  format: format, decoding: decoding, encoding: encoding, stripsMetadata: stripsMetadata)
        try ImageFile.write(result.bytes, to: output, overwrite: overwrite)
        return result
    }
}
