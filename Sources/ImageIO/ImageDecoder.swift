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

/// Decodes PNG and JPEG data; the format comes from the data's first bytes.
public enum ImageDecoder {
    /// Decodes to 8-bit samples (16-bit PNGs are rounded to 8 bits).
    public static func decode(_ bytes: [UInt8], options: DecodingOptions = .init()) throws -> Image<UInt8> {
        switch try format(of: bytes) {
        case .png: try PNGDecoder.decode(bytes, options: options, as: UInt8.self)
        case .jpeg: try JPEGDecoder.decode(bytes, options: options)
        }
    }

    /// Decodes to 16-bit samples: 16-bit PNGs keep their precision, 8-bit data is widened (× 257).
    public static func decode16(_ bytes: [UInt8], options: DecodingOptions = .init()) throws -> Image<UInt16> {
        switch try format(of: bytes) {
        case .png: try PNGDecoder.decode(bytes, options: options, as: UInt16.self)
        case .jpeg: try JPEGDecoder.decode(bytes, options: options).widened()
        }
    }

    /// Decodes at the file's own precision (16-bit PNGs to 16-bit samples,
    /// everything else to 8-bit), with the file's metadata. When the pixels are
    /// turned upright, the metadata says so (EXIF orientation 1, thumbnail dropped).
    public static func decodeWithMetadata(_ bytes: [UInt8], options: DecodingOptions = .init()) throws -> DecodedImage {
        let format = try format(of: bytes)
        let metadata = try ImageMetadata.read(from: bytes, maxChunkBytes: options.maxPNGChunkBytes,
                                              maxTotalBytes: options.maxMetadataBytes)
        let pixels: Pixels = switch format {
        case .png where PNGDecoder.storedBitDepth(bytes) == 16: .sixteenBit(try PNGDecoder.decode(bytes, options: options, as: UInt16.self))
        case .png: .eightBit(try PNGDecoder.decode(bytes, options: options, as: UInt8.self))
        case .jpeg: .eightBit(try JPEGDecoder.decode(bytes, options: options))
        }
        return DecodedImage(format: format, pixels: pixels,
                            metadata: options.appliesOrientation ? metadata.forUprightPixels() : metadata)
    }

    /// The format of `bytes`, or `ImageIOError.notAnImage` (naming the format
    /// when it is one chroma does not read).
    public static func format(of bytes: [UInt8]) throws -> ImageFormat {
        if bytes.isEmpty { throw ImageIOError.truncated("empty file") }
        guard let format = ImageFormat.sniff(bytes) else {
            if let name = ImageFormat.unsupportedName(sniffing: bytes) { throw ImageIOError.unsupportedFormat(name) }
            throw ImageIOError.notAnImage("starts with neither the PNG nor the JPEG signature")
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
}
