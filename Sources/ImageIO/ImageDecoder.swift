/// Bounds and choices for decoding. The defaults protect a desktop machine:
/// a hostile file costs at most about a second and a few hundred megabytes.
public struct DecodingOptions: Sendable, Equatable {
    /// The most pixels (width × height) an image may have; checked from the
    /// header, before any pixel buffer is allocated. Default 100 megapixels.
    public var maxPixels: Int = 100_000_000
    /// The largest file `ImageFile.read` and the command line accept, in bytes. Default 256 MiB.
    public var maxFileBytes: Int = 256 << 20
    /// The most scans a progressive JPEG may have (guards against "scan bombs",
    /// thousands of tiny scans that each pass over the whole image). Default 256;
    /// ordinary progressive files have about 10.
    public var maxJPEGScans: Int = 256
    /// The most bytes one ancillary PNG chunk (text, ICC profile, …) may take
    /// in memory once decompressed; a larger one is skipped (libpng treats it as
    /// recoverable damage) and the image still decodes. Default 8 MiB.
    public var maxPNGChunkBytes: Int = 8 << 20
    /// The most compressed image data (IDAT bytes) a PNG may hold past its last
    /// row; libpng would inflate all of it. Default 64 KiB; honest files have a few bytes.
    public var maxPNGExcessBytes: Int = 64 << 10
    /// The most bytes of metadata (EXIF, ICC profile, XMP, text, decompressed)
    /// one file may carry; past it the file is refused. Default 16 MiB; photos
    /// carry kilobytes. A single PNG chunk over `maxPNGChunkBytes` is skipped.
    public var maxMetadataBytes: Int = 16 << 20
    /// Turn the image upright as its EXIF orientation tag says (JPEG APP1, PNG eXIf).
    public var appliesOrientation: Bool = true
    /// Return CIELab and YCbCr TIFFs' samples as stored (`DecodedImage.colorEncoding`
    /// says which) instead of converted to RGB by libtiff.
    public var keepsColorEncoding: Bool = false
    /// Decode a YCbCr JPEG's luminance alone: the Y it stores (JFIF's, as
    /// `JFIF.luma` computes it from RGB, to within rounding), as a gray image,
    /// skipping the chroma's decoding. Other images decode as usual.
    public var jpegLuminanceOnly: Bool = false

    public init() {}
}

/// A resource bound of decoding: each is a `DecodingOptions` property and a command-line option.
public enum DecodingLimit: String, Sendable, CaseIterable {
    case pixels, fileSize, jpegScans, pngChunkSize, pngExcessData, metadataSize

    /// The `chroma` option that raises the bound.
    public var option: String {
        switch self {
        case .pixels: "--max-megapixels"
        case .fileSize: "--max-file-mb"
        case .jpegScans: "--max-jpeg-scans"
        case .pngChunkSize: "--max-png-chunk-mb"
        case .pngExcessData: "--max-png-excess-kb"
        case .metadataSize: "--max-metadata-mb"
        }
    }
}

/// Decodes PNG, JPEG, TIFF and WebP data; the format comes from the data's first bytes.
public enum ImageDecoder {
    /// Decodes to 8-bit samples (16-bit PNGs and TIFFs are rounded to 8 bits).
    public static func decode(_ bytes: [UInt8], options: DecodingOptions = .init()) throws -> Image<UInt8> {
        switch try format(of: bytes) {
        case .png: try PNGDecoder.decode(bytes, options: options, as: UInt8.self)
        case .jpeg: try JPEGDecoder.decode(bytes, options: options)
        case .tiff: try TIFFCodec.decode(bytes, options: options).pixels.eightBit
        case .webp: try webp(bytes, options: options)
        }
    }

    /// Decodes to 16-bit samples: 16-bit PNGs and TIFFs keep their precision, 8-bit data is widened (× 257).
    public static func decode16(_ bytes: [UInt8], options: DecodingOptions = .init()) throws -> Image<UInt16> {
        switch try format(of: bytes) {
        case .png: try PNGDecoder.decode(bytes, options: options, as: UInt16.self)
        case .jpeg: try JPEGDecoder.decode(bytes, options: options).widened()
        case .tiff:
            switch try TIFFCodec.decode(bytes, options: options).pixels {
            case .eightBit(let image): image.widened()
            case .sixteenBit(let image): image
            }
        case .webp: try webp(bytes, options: options).widened()
        }
    }

    /// Decodes at the file's own precision (16-bit PNGs to 16-bit samples,
    /// everything else to 8-bit), with the file's metadata. When the pixels are
    /// turned upright, the metadata says so (EXIF orientation 1, thumbnail dropped).
    public static func decodeWithMetadata(_ bytes: [UInt8], options: DecodingOptions = .init()) throws -> DecodedImage {
        let format = try format(of: bytes)
        let metadata = try ImageMetadata.read(from: bytes, maxChunkBytes: options.maxPNGChunkBytes,
                                              maxTotalBytes: options.maxMetadataBytes)
        var decoded = DecodedImage(format: format, pixels: .eightBit(Image(width: 0, height: 0, layout: .gray)), metadata: metadata)
        switch format {
        case .png where PNGDecoder.storedBitDepth(bytes) == 16: decoded.pixels = .sixteenBit(try PNGDecoder.decode(bytes, options: options, as: UInt16.self))
        case .png: decoded.pixels = .eightBit(try PNGDecoder.decode(bytes, options: options, as: UInt8.self))
        case .jpeg: decoded.pixels = .eightBit(try JPEGDecoder.decode(bytes, options: options))
        case .tiff:
            let tiff = try TIFFCodec.decode(bytes, options: options)
            decoded.pixels = tiff.pixels
            decoded.colorEncoding = tiff.colorEncoding
            decoded.tiffCompression = tiff.compression
            decoded.pages = TIFFDirectory.pageCount(of: bytes)
        case .webp:
            decoded.webpLossless = try WebPCodec.features(bytes).isLossless
            decoded.pixels = .eightBit(try webp(bytes, options: options))
        }
        if options.appliesOrientation { decoded.metadata = metadata.forUprightPixels() }
        return decoded
    }

    /// A WebP turned upright: libwebp leaves orientation to the application, so
    /// the EXIF chunk's is applied here, as the JPEG and PNG decoders do.
    private static func webp(_ bytes: [UInt8], options: DecodingOptions) throws -> Image<UInt8> {
        let image = try WebPCodec.decode(bytes, options: options)
        guard options.appliesOrientation,
              let exif = WebPMetadata.chunks(bytes).first(where: { $0.type == "EXIF" })?.data else { return image }
        let block = Array(exif.starts(with: JPEGMetadata.exifSignature) ? exif.dropFirst(6) : exif)
        return image.oriented(block.withUnsafeBufferPointer { ExifOrientation(exif: $0) })
    }

    /// The format of `bytes`, or `ImageIOError.notAnImage` (naming the format
    /// when it is one chroma does not read).
    public static func format(of bytes: [UInt8]) throws -> ImageFormat {
        if bytes.isEmpty { throw ImageIOError.truncated("empty file") }
        guard let format = ImageFormat.sniff(bytes) else {
            if let name = ImageFormat.unsupportedName(sniffing: bytes) { throw ImageIOError.unsupportedFormat(name) }
            throw ImageIOError.notAnImage("starts with none of the PNG, JPEG, TIFF and WebP signatures")
        }
        return format
    }

    static func checkSize(width: Int, height: Int, options: DecodingOptions) throws {
        if width <= 0 || height <= 0 { throw ImageIOError.corruptData("image of \(width)×\(height) pixels") }
        if width.multipliedReportingOverflow(by: height).partialValue > options.maxPixels
            || width > Int(Int32.max) || height > Int(Int32.max) {
            throw ImageIOError.tooLarge(width: width, height: height, limit: options.maxPixels)
        }
    }
}

/// Pixels at the precision their file stores.
public enum Pixels: Sendable, Equatable {
    case eightBit(Image<UInt8>)
    case sixteenBit(Image<UInt16>)

    public var width: Int { switch self { case .eightBit(let image): image.width; case .sixteenBit(let image): image.width } }
    public var height: Int { switch self { case .eightBit(let image): image.height; case .sixteenBit(let image): image.height } }
    public var layout: PixelLayout { switch self { case .eightBit(let image): image.layout; case .sixteenBit(let image): image.layout } }
    /// 8 or 16.
    public var bitDepth: Int { switch self { case .eightBit: 8; case .sixteenBit: 16 } }

    /// The pixels as 8-bit samples (16-bit ones rounded to nearest).
    public var eightBit: Image<UInt8> {
        switch self {
        case .eightBit(let image): image
        case .sixteenBit(let image): image.narrowed()
        }
    }
}

/// A decoded file: its pixels at the file's precision, and what else it carried.
public struct DecodedImage: Sendable {
    public let format: ImageFormat
    public var pixels: Pixels
    public var metadata: ImageMetadata
    /// For TIFF: the images in the file (only the first is decoded).
    public var pages = 1
    /// For TIFF: its compression, when it is one chroma writes (outputs keep it).
    public var tiffCompression: TIFFCompression?
    /// For WebP: whether it was lossless (outputs keep it).
    public var webpLossless: Bool?
    /// What the three colour samples hold: `.rgb` unless `DecodingOptions.keepsColorEncoding`
    /// was set and the file is a CIELab or YCbCr TIFF.
    public var colorEncoding: ColorEncoding = .rgb

    public init(format: ImageFormat, pixels: Pixels, metadata: ImageMetadata) {
        self.format = format
        self.pixels = pixels
        self.metadata = metadata
    }
}
