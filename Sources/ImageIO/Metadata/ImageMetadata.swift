import CShims

/// What a photo carries besides its pixels, kept from input to output.
///
/// Each field is held as the file stores it, so it can be written back
/// unchanged: an archive's dates, camera, GPS, captions, copyright and colour
/// profile survive a colorization. Where each format keeps it:
///
/// | | JPEG | PNG | TIFF | WebP |
/// |---|---|---|---|---|
/// | EXIF (with GPS) | APP1 | eXIf | its own tags and EXIF/GPS directories | EXIF |
/// | ICC profile | APP2 | iCCP | tag 34675 | ICCP |
/// | XMP | APP1 | iTXt | tag 700 | XMP |
/// | IPTC (Photoshop resources) | APP13 | – | tag 34377 | – |
/// | comments, text | COM | tEXt, zTXt, iTXt | – | – |
/// | density | JFIF | pHYs | resolution tags | – |
public struct ImageMetadata: Sendable, Equatable {
    /// The EXIF block, TIFF-structured ("II*\0" or "MM\0*" first): JPEG's APP1
    /// "Exif" payload, PNG's eXIf chunk.
    public var exif: [UInt8]?
    /// An ICC colour profile (JPEG APP2 "ICC_PROFILE" chunks joined, PNG iCCP inflated).
    public var iccProfile: [UInt8]?
    /// The XMP packet, UTF-8 XML (JPEG APP1 "http://ns.adobe.com/xap/1.0/", PNG iTXt "XML:com.adobe.xmp").
    public var xmp: [UInt8]?
    /// Free-text comments (JPEG COM segments, PNG text chunks with the keyword "Comment").
    public var comments: [String] = []
    /// Other PNG text chunks: keyword and text ("Title", "Author", "Creation Time", …).
    public var text: [TextEntry] = []
    /// Pixel density (JPEG JFIF APP0, PNG pHYs).
    public var density: Density?
    /// JPEG APP13 "Photoshop 3.0" resources, where IPTC captions, keywords and
    /// credits live; kept from JPEG to JPEG (PNG has no place for them).
    public var photoshopResources: [UInt8]?

    public init() {}

    /// Whether there is nothing to keep.
    public var isEmpty: Bool {
        exif == nil && iccProfile == nil && xmp == nil && comments.isEmpty && text.isEmpty && density == nil
            && photoshopResources == nil
    }

    /// A PNG text entry.
    public struct TextEntry: Sendable, Equatable {
        public var keyword: String
        public var text: String
        /// For international text (iTXt): the language tag ("el", "ja") and the keyword in that language; "" when none.
        public var language: String
        public var translatedKeyword: String
        public init(keyword: String, text: String, language: String = "", translatedKeyword: String = "") {
            self.keyword = keyword
            self.text = text
            self.language = language
            self.translatedKeyword = translatedKeyword
        }
    }

    /// Pixels per unit along each axis.
    public struct Density: Sendable, Equatable {
        public enum Unit: Sendable, Equatable {
            /// Only the aspect ratio of a pixel is known.
            case none
            case inch
            case centimetre
            case metre
        }
        public var x: Int
        public var y: Int
        public var unit: Unit
        public init(x: Int, y: Int, unit: Unit) {
            self.x = x
            self.y = y
            self.unit = unit
        }

        /// Dots per inch along x, when the unit says.
        public var dotsPerInch: Double? {
            switch unit {
            case .none: nil
            case .inch: Double(x)
            case .centimetre: Double(x) * 2.54
            case .metre: Double(x) * 0.0254
            }
        }
    }

    /// The comment chroma writes into the images it colorizes, by which it
    /// recognises them when a later run scans the same folder.
    public static let colorizedMarker = "Colorized by chroma"

    /// Whether chroma colorized the image this came from.
    public var isColorizedByChroma: Bool { comments.contains(Self.colorizedMarker) }

    /// The same metadata for pixels that chroma has turned upright: the EXIF
    /// orientation becomes 1 and the EXIF thumbnail (the old pixels, turned
    /// the old way) is unlinked.
    public func forUprightPixels() -> ImageMetadata {
        var copy = self
        if let exif { copy.exif = ExifBlock.uprightWithoutThumbnail(exif) }
        return copy
    }

    /// The same metadata marked as colorized by chroma (the marker is added once).
    public func markedColorized() -> ImageMetadata {
        var copy = self
        if !isColorizedByChroma { copy.comments.append(Self.colorizedMarker) }
        return copy
    }
}

/// Bounds on reading metadata, part of `DecodingOptions`.
extension ImageMetadata {
    /// Reads the metadata of a PNG or JPEG file (other data gives none).
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - maxChunkBytes: a compressed PNG chunk that would inflate past this is skipped.
    ///   - maxTotalBytes: all metadata together; past it the file is refused
    ///     (`ImageIOError.limitExceeded(.metadataSize, …)`).
    public static func read(from bytes: [UInt8], maxChunkBytes: Int = DecodingOptions().maxPNGChunkBytes,
                            maxTotalBytes: Int = DecodingOptions().maxMetadataBytes) throws -> ImageMetadata {
        var budget = MetadataBudget(limit: maxTotalBytes)
        switch ImageFormat.sniff(bytes) {
        case .png?: return try PNGMetadata.read(bytes, maxChunkBytes: maxChunkBytes, budget: &budget)
        case .jpeg?: return try JPEGMetadata.read(bytes, budget: &budget)
        case .tiff?: return try TIFFMetadata.read(bytes, budget: &budget)
        case .webp?: return try WebPMetadata.read(bytes, budget: &budget)
        case nil: return ImageMetadata()
        }
    }

    /// `encoded` (bytes as chroma's encoders write them) with this metadata
    /// added, as much of it as the format holds (see `ImageMetadata`).
    public func embedded(in encoded: [UInt8]) throws -> [UInt8] {
        if isEmpty { return encoded }
        switch ImageFormat.sniff(encoded) {
        case .png?: return try PNGMetadata.embed(self, in: encoded)
        case .jpeg?: return JPEGMetadata.embed(self, in: encoded)
        case .tiff?: return try TIFFMetadata.embed(self, in: encoded)
        case .webp?: return try WebPMetadata.embed(self, in: encoded)
        case nil: throw ImageIOError.cannotEncode("metadata can be added only to PNG, JPEG, TIFF and WebP data")
        }
    }
}

/// The metadata bytes read so far, against the limit for one file.
struct MetadataBudget {
    let limit: Int
    private(set) var used = 0

    init(limit: Int) { self.limit = limit }

    mutating func spend(_ bytes: Int) throws {
        used += bytes
        if used > limit {
            throw ImageIOError.limitExceeded(.metadataSize, "more than \(limit >> 20) MiB of metadata (text, profiles, EXIF) in one file")
        }
    }
}

/// zlib through the C shim.
enum Zlib {
    enum Inflated {
        case data([UInt8])
        /// The data would pass the limit; none of it was kept.
        case overLimit
        case damaged
    }

    static func inflate(_ data: ArraySlice<UInt8>, limit: Int) -> Inflated {
        var out = chroma_buffer()
        let status = data.withUnsafeBufferPointer { chroma_inflate($0.baseAddress, $0.count, limit, &out) }
        switch status {
        case CHROMA_OK: return .data(out.take())
        case CHROMA_ERR_LIMIT: return .overLimit
        default: return .damaged
        }
    }

    static func deflate(_ data: [UInt8]) throws -> [UInt8] {
        var out = chroma_buffer()
        let status = data.withUnsafeBufferPointer { chroma_deflate($0.baseAddress, $0.count, &out) }
        guard status == CHROMA_OK else { throw ImageIOError.outOfMemory }
        return out.take()
    }

    static func crc32<Bytes: Collection<UInt8>>(_ data: Bytes) -> UInt32 {
        Array(data).withUnsafeBufferPointer { chroma_crc32($0.baseAddress, $0.count) }
    }
}
