import Testing
import Foundation
@testable import ImageIO

/// TIFF and WebP files made by other tools (Fixtures/make-fixtures.sh), each
/// checked against the pixels that tool's own decoder gives (NAME.ref.png).
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
    }

    /// The reference pixels at 16 bits (8-bit references widened), with the layout they were saved in.
    static func reference(_ name: String) throws -> Image<UInt16> {
        let stem = name.split(separator: ".").dropLast().joined(separator: ".")
        return try ImageDecoder.decode16(bytes(stem + ".ref.png"))
    }

    /// The largest difference between two images' samples, over the channels both have (gray compared as is).
    static func worstDifference(_ a: Image<UInt16>, _ b: Image<UInt16>) -> Int {
        precondition(a.width == b.width && a.height == b.height)
        var worst = 0
        for y in 0..<a.height {
            for x in 0..<a.width {
                for c in 0..<min(a.channels, b.channels) {
                    worst = max(worst, abs(Int(a[x, y, c]) - Int(b[x, y, c])))
                }
            }
        }
        return worst
    }
}

@Suite("TIFF and WebP")
struct TIFFWebPTests {
    /// Name, expected layout and bit depth, and the largest difference allowed from the reference, in 16-bit levels.
    static let tiffs: [(String, PixelLayout, Int, Int)] = [
        ("rgb8-lzw-strips.tif", .rgb, 8, 0), ("rgb8-planar.tif", .rgb, 8, 0), ("rgba8.tif", .rgba, 8, 0),
        ("rgb16-deflate.tif", .rgb, 16, 0), ("rgb16-deflate-tiles.tif", .rgb, 16, 0), ("rgb16-bigendian.tif", .rgb, 16, 0),
        ("gray8-packbits.tif", .gray, 8, 0), ("gray16-none.tif", .gray, 16, 0),
        // A palette's 16-bit entries: libtiff and ImageMagick round them to 8 bits differently.
        ("palette.tif", .rgb, 8, 257),
        ("bilevel-g4.tif", .gray, 8, 0),
        // libtiff's CMYK → RGB and ImageMagick's differ by rounding.
        ("cmyk.tif", .rgb, 8, 3 * 257), ("two-pages.tif", .rgb, 8, 0), ("tagged.tif", .rgb, 8, 0),
    ]

    @Test("TIFF: strips, tiles, planes, LZW, Deflate, PackBits, G4, 8 and 16 bits, gray, RGB, alpha, palette, CMYK, both byte orders",
          arguments: tiffs.map(\.0))
    func tiff(name: String) throws {
        let (_, layout, depth, tolerance) = Self.tiffs.first { $0.0 == name }!
        let decoded = try ImageDecoder.decodeWithMetadata(Fixtures.bytes(name))
        #expect(decoded.format == .tiff)
        #expect(decoded.pixels.layout == layout && decoded.pixels.bitDepth == depth, "\(name): \(decoded.pixels.layout), \(decoded.pixels.bitDepth) bits")
        let pixels = try ImageDecoder.decode16(Fixtures.bytes(name))
        let difference = Fixtures.worstDifference(pixels, try Fixtures.reference(name))
        #expect(difference <= tolerance, "\(name): off by \(difference)")
        #expect(decoded.pages == (name == "two-pages.tif" ? 2 : 1))
    }

    @Test("WebP: lossy, lossless and lossy with alpha decode as dwebp decodes them; animations are refused",
          arguments: ["lossy.webp", "lossless.webp", "lossy-alpha.webp"])
    func webp(name: String) throws {
        let decoded = try ImageDecoder.decodeWithMetadata(Fixtures.bytes(name))
        #expect(decoded.format == .webp && decoded.webpLossless == (name == "lossless.webp"))
        #expect(decoded.pixels.layout == (name == "lossy-alpha.webp" ? .rgba : .rgb))
        #expect(Fixtures.worstDifference(try ImageDecoder.decode16(Fixtures.bytes(name)), try Fixtures.reference(name)) == 0)
    }

    @Test("an animated WebP is refused by name")
    func animated() throws {
        #expect(throws: ImageIOError.unsupported("animated WebP (chroma reads still images)")) {
            try ImageDecoder.decode(Fixtures.bytes("animated.webp"))
        }
    }

    @Test("exiftool's tags in a TIFF become EXIF, XMP, IPTC and density")
    func taggedTIFF() throws {
        let metadata = try ImageMetadata.read(from: Fixtures.bytes("tagged.tif"))
        let exif = try #require(metadata.exif)
        let directory = try #require(TIFFDirectory.firstDirectory(of: exif))
        let make = directory.entries.first { $0.tag == 0x010F }
        #expect(make.map { String(decoding: $0.value.prefix { $0 != 0 }, as: UTF8.self) } == "Agfa")
        let exifIFD = try #require(directory.entries.first { $0.tag == TIFFDirectory.exifIFD }?.subdirectory)
        #expect(exifIFD.contains { $0.tag == 0x9003 && String(decoding: $0.value.prefix(19), as: UTF8.self) == "1962:07:14 10:30:00" })
        #expect(directory.entries.contains { $0.tag == TIFFDirectory.gpsIFD && $0.subdirectory != nil })
        #expect(String(decoding: metadata.xmp ?? [], as: UTF8.self).contains("At the beach"))
        #expect(metadata.photoshopResources.map { String(decoding: $0, as: UTF8.self).contains("Summer") } == true)
        #expect(metadata.density == .init(x: 300, y: 300, unit: .inch))
    }

    @Test("a WebP's EXIF orientation is applied, and the metadata then says upright")
    func webpOrientation() throws {
        let decoded = try ImageDecoder.decodeWithMetadata(Fixtures.bytes("tagged-exif.webp"))
        #expect(decoded.pixels.width == 32 && decoded.pixels.height == 48)
        let exif = try #require(decoded.metadata.exif)
        #expect(exif.withUnsafeBufferPointer { ExifOrientation(exif: $0) } == .up)
        #expect(try ImageDecoder.decode(Fixtures.bytes("tagged-exif.webp")).width == 32, "plain decoding turns it too")
    }

    static let picture16 = Image<UInt16>(width: 21, height: 13, layout: .rgba,
                                         samples: (0..<(21 * 13 * 4)).map { UInt16(truncatingIfNeeded: $0 &* 2654 &+ 7) })

    @Test("TIFF written and read back: every layout, both depths, every compression", arguments: TIFFCompression.allCases)
    func tiffRoundTrip(compression: TIFFCompression) throws {
        var options = EncodingOptions()
        options.tiffCompression = compression
        for layout in PixelLayout.allCases {
            let keep = layout.channels
            let sixteen = Image<UInt16>(width: 21, height: 13, layout: layout, samples: (0..<(21 * 13)).flatMap { p in
                (0..<keep).map { Self.picture16.samples[p * 4 + $0] }
            })
            for pixels in [Pixels.sixteenBit(sixteen), .eightBit(sixteen.narrowed())] {
                let bytes = try ImageEncoder.encode(pixels, as: .tiff, metadata: ImageMetadata(), options: options)
                let back = try ImageDecoder.decodeWithMetadata(bytes)
                #expect(back.pixels == pixels, "\(layout), \(pixels.bitDepth) bits, \(compression)")
                #expect(back.tiffCompression == compression)
            }
        }
    }

    @Test("TIFF keeps EXIF (with its EXIF and GPS directories), ICC, XMP, IPTC, density and chroma's marker")
    func tiffMetadata() throws {
        var metadata = try ImageMetadata.read(from: Fixtures.bytes("tagged.tif"))
        metadata.iccProfile = MetadataSamples.largeRGBProfile()
        metadata = metadata.markedColorized()
        let bytes = try ImageEncoder.encode(.eightBit(Image(width: 5, height: 4, layout: .rgb)), as: .tiff, metadata: metadata)
        let back = try ImageMetadata.read(from: bytes)
        #expect(back == metadata)
        #expect(try ImageDecoder.decode(bytes).width == 5, "libtiff reads the rewritten directory")
        // An EXIF block from a JPEG (big-endian) lands in a little-endian TIFF.
        var fromJPEG = ImageMetadata()
        let bigEndian = TIFFDirectory.block([TIFFDirectory.ascii(0x010F, "Zeiss", bigEndian: true)], bigEndian: true)
        fromJPEG.exif = bigEndian
        let converted = try ImageMetadata.read(from: ImageEncoder.encode(.eightBit(Image(width: 2, height: 2, layout: .gray)), as: .tiff, metadata: fromJPEG))
        let convertedExif = try #require(converted.exif)
        let make = try #require(TIFFDirectory.firstDirectory(of: convertedExif)?.entries.first { $0.tag == 0x010F })
        #expect(String(decoding: make.value.prefix { $0 != 0 }, as: UTF8.self) == "Zeiss")
    }

    @Test("WebP written and read back, lossless exactly, with ICC, EXIF, XMP and the marker")
    func webpRoundTrip() throws {
        let picture = Self.picture16.narrowed()
        var options = EncodingOptions()
        options.webpLossless = true
        var metadata = MetadataSamples.full
        metadata.comments = []
        metadata.density = nil
        metadata = metadata.markedColorized()
        let bytes = try ImageEncoder.encode(.eightBit(picture), as: .webp, metadata: metadata, options: options)
        let back = try ImageDecoder.decodeWithMetadata(bytes)
        #expect(back.pixels == .eightBit(picture) && back.webpLossless == true)
        #expect(try ImageMetadata.read(from: bytes) == metadata)
        options.webpLossless = false
        let lossy = try ImageDecoder.decode(ImageEncoder.encode(.eightBit(picture.droppingAlpha()), as: .webp, metadata: metadata, options: options))
        #expect(lossy.width == 21 && lossy.layout == .rgb)
        #expect(throws: ImageIOError.self) { try ImageEncoder.encode(Image<UInt8>(width: 20000, height: 1, layout: .gray), as: .webp) }
    }

    @Test("damaged TIFF and WebP files are refused with a reason, never a crash; sizes are checked before allocating")
    func damaged() throws {
        for name in ["rgb8-lzw-strips.tif", "rgb16-deflate-tiles.tif", "lossy.webp", "lossless.webp"] {
            let bytes = try Fixtures.bytes(name)
            for cut in stride(from: 8, to: bytes.count, by: max(1, bytes.count / 13)) {
                _ = try? ImageDecoder.decodeWithMetadata(Array(bytes.prefix(cut)))
            }
            var flipped = bytes
            for i in stride(from: 16, to: flipped.count, by: 37) { flipped[i] ^= 0x5A }
            _ = try? ImageDecoder.decodeWithMetadata(flipped)
        }
        var options = DecodingOptions()
        options.maxPixels = 1000
        #expect(throws: ImageIOError.tooLarge(width: 48, height: 32, limit: 1000)) {
            try ImageDecoder.decode(Fixtures.bytes("rgb8-lzw-strips.tif"), options: options)
        }
        #expect(throws: ImageIOError.tooLarge(width: 48, height: 32, limit: 1000)) {
            try ImageDecoder.decode(Fixtures.bytes("lossy.webp"), options: options)
        }
    }
}
