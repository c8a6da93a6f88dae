import CShims

/// JPEG chroma subsampling: how many luma samples share one pair of chroma samples.
public enum ChromaSubsampling: String, Sendable, CaseIterable {
    case s444 = "444"
    case s422 = "422"
    case s420 = "420"

    var shimValue: chroma_subsampling {
        switch self {
        case .s444: CHROMA_SUBSAMPLE_444
        case .s422: CHROMA_SUBSAMPLE_422
        case .s420: CHROMA_SUBSAMPLE_420
        }
    }
}

/// Choices for encoding.
public struct EncodingOptions: Sendable, Equatable {
    /// JPEG quality, 1…100.
    public var jpegQuality: Int = 92
    public var jpegSubsampling: ChromaSubsampling = .s420
    public var jpegProgressive: Bool = false
    /// zlib level for PNG, 0 (none, fastest) … 9 (smallest).
    public var pngCompressionLevel: Int = 6
    /// How TIFF pixels are compressed (all lossless).
    public var tiffCompression: TIFFCompression = .lzw
    /// WebP lossless instead of lossy at `jpegQuality`.
    public var webpLossless: Bool = false
    /// JPEG to JPEG where only the chroma changes (a YCbCr colorizer): keep the
    /// input's luminance coefficients and chroma layout as they are, rather than
    /// decode and encode again at `jpegQuality` and `jpegSubsampling` (which then
    /// apply only to the chroma a gray JPEG gains).
    public var keepsJPEGLuminance: Bool = true

    public init() {}

    /// The defaults, keeping what an input file chose that an output of the
    /// same format can keep: a TIFF's compression, a WebP's losslessness.
    /// Nil: before the input is decoded, when only the defaults are known.
    public static func keeping(_ input: DecodedImage?) -> EncodingOptions {
        var options = EncodingOptions()
        if let compression = input?.tiffCompression { options.tiffCompression = compression }
        options.webpLossless = input?.webpLossless == true
        return options
    }
}

/// Encodes images to PNG, JPEG, TIFF or WebP bytes.
public enum ImageEncoder {
    /// Encodes in `format`. JPEG has no alpha: it is dropped. WebP has no gray: it is written as RGB.
    public static func encode(_ image: Image<UInt8>, as format: ImageFormat,
                              options: EncodingOptions = .init()) throws -> [UInt8] {
        switch format {
        case .png: try encodePNG(image, compressionLevel: options.pngCompressionLevel)
        case .jpeg: try encodeJPEG(image, quality: options.jpegQuality,
                                   subsampling: options.jpegSubsampling, progressive: options.jpegProgressive)
        case .tiff: try TIFFCodec.encode(.eightBit(image), compression: options.tiffCompression)
        case .webp: try WebPCodec.encode(image, quality: options.jpegQuality, lossless: options.webpLossless)
        }
    }

    /// Encodes in `format` at the pixels' own precision where the format holds
    /// it (PNG and TIFF: 8 or 16 bits; JPEG and WebP: 8 bits, 16-bit samples rounded), with
    /// `metadata` embedded (pass an empty one to write none). Samples that hold
    /// L\*a\*b\* or YCbCr (`encoding`) go to TIFF, marked as such, or to PNG,
    /// unmarked; JPEG and WebP would reinterpret them as RGB and are refused.
    public static func encode(_ pixels: Pixels, as format: ImageFormat, metadata: ImageMetadata,
                              options: EncodingOptions = .init(), encoding: ColorEncoding = .rgb) throws -> [UInt8] {
        if encoding != .rgb, format == .jpeg || format == .webp {
            throw ImageIOError.cannotEncode("\(encoding == .lab ? "L*a*b*" : "YCbCr") samples as \(format.rawValue.uppercased()) (write TIFF or PNG)")
        }
        let encoded: [UInt8] = switch (pixels, format) {
        case (.sixteenBit(let image), .png): try encodePNG(image, compressionLevel: options.pngCompressionLevel)
        case (_, .tiff): try TIFFCodec.encode(pixels, compression: options.tiffCompression, encoding: encoding)
        default: try encode(pixels.eightBit, as: format, options: options)
        }
        return try metadata.embedded(in: encoded)
    }

    /// PNG of any layout, 8 bits per sample.
    public static func encodePNG(_ image: Image<UInt8>, compressionLevel: Int = 6) throws -> [UInt8] {
        try image.samples.withUnsafeBytes { try png($0, image, bitDepth: 8, compressionLevel) }
    }

    /// PNG of any layout, 16 bits per sample.
    public static func encodePNG(_ image: Image<UInt16>, compressionLevel: Int = 6) throws -> [UInt8] {
        try image.samples.withUnsafeBytes { try png($0, image, bitDepth: 16, compressionLevel) }
    }

    /// Baseline (or progressive) JPEG of gray or RGB; alpha is dropped.
    public static func encodeJPEG(_ image: Image<UInt8>, quality: Int = 92,
                                  subsampling: ChromaSubsampling = .s420,
                                  progressive: Bool = false) throws -> [UInt8] {
        let opaque = image.droppingAlpha()
        var out = chroma_buffer()
        var message = [CChar](repeating: 0, count: 256)
        let status = opaque.samples.withUnsafeBufferPointer { pixels in
            chroma_jpeg_encode(pixels.baseAddress, UInt32(opaque.width), UInt32(opaque.height),
                               Int32(opaque.channels), Int32(quality), subsampling.shimValue,
                               progressive ? 1 : 0, &out, &message, message.count)
        }
        guard status == CHROMA_OK else { throw ImageIOError(status: status, message: String(nulTerminated: message)) }
        return out.take()
    }

    private static func png<Sample>(_ raw: UnsafeRawBufferPointer, _ image: Image<Sample>,
                                    bitDepth: Int32, _ level: Int) throws -> [UInt8] {
        guard image.width > 0, image.height > 0 else { throw ImageIOError.cannotEncode("an empty image") }
        var out = chroma_buffer()
        var message = [CChar](repeating: 0, count: 256)
        let status = chroma_png_encode(raw.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                       UInt32(image.width), UInt32(image.height), Int32(image.channels),
                                       bitDepth, Int32(level), &out, &message, message.count)
        guard status == CHROMA_OK else { throw ImageIOError(status: status, message: String(nulTerminated: message)) }
        return out.take()
    }
}
