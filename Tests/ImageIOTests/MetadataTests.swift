import Testing
import Foundation
@testable import ImageIO

/// Hand-made metadata blocks, built from the specifications, not from chroma's code.
enum MetadataSamples {
    /// A little-endian EXIF block: IFD0 with Orientation and Make, linked to an
    /// IFD1 whose "thumbnail" is 16 bytes of 0xAB.
    static func exif(orientation: UInt16) -> [UInt8] {
        var b: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0]
        func u16(_ v: UInt16) { b += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) { b += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
        // IFD0 at 8: 2 entries (2 + 24 bytes), next-IFD at 34, IFD1 at 38.
        u16(2)
        u16(0x010F); u16(2); u32(4); b += Array("Abc\0".utf8)   // Make "Abc", inline
        u16(0x0112); u16(3); u32(1); u16(orientation); u16(0)    // Orientation
        u32(38)
        // IFD1 at 38: 2 entries, next 0, thumbnail data at 38 + 2 + 24 + 4 = 68.
        u16(2)
        u16(0x0201); u16(4); u32(1); u32(68)
        u16(0x0202); u16(4); u32(1); u32(16)
        u32(0)
        b += [UInt8](repeating: 0xAB, count: 16)
        return b
    }

    /// A v2 gray display profile whose tone curve is gamma 2.2 (curv with one u8Fixed8 entry).
    static func grayProfile() -> [UInt8] {
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        let curve = Array("curv".utf8) + [0, 0, 0, 0] + be32(1) + [0x02, 0x33, 0, 0]  // 2.2 ≈ 0x0233, padded
        let white = Array("XYZ ".utf8) + [0, 0, 0, 0] + be32(0xF6D6) + be32(0x10000) + be32(0xD32D)
        let tags: [(String, [UInt8])] = [("kTRC", curve), ("wtpt", white)]
        var header = [UInt8](repeating: 0, count: 128)
        header.replaceSubrange(8..<12, with: [2, 0x10, 0, 0])
        header.replaceSubrange(12..<16, with: Array("mntr".utf8))
        header.replaceSubrange(16..<20, with: Array("GRAY".utf8))
        header.replaceSubrange(20..<24, with: Array("XYZ ".utf8))
        header.replaceSubrange(36..<40, with: Array("acsp".utf8))
        var table = be32(UInt32(tags.count)), data: [UInt8] = []
        var offset = 128 + 4 + 12 * tags.count
        for (signature, payload) in tags {
            table += Array(signature.utf8) + be32(UInt32(offset)) + be32(UInt32(payload.count))
            data += payload
            offset += payload.count
        }
        var profile = header + table + data
        profile.replaceSubrange(0..<4, with: be32(UInt32(profile.count)))
        return profile
    }

    /// An RGB "profile" large enough to need three JPEG APP2 segments.
    static func largeRGBProfile() -> [UInt8] {
        var profile = grayProfile()
        profile.replaceSubrange(16..<20, with: Array("RGB ".utf8))
        profile += (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        return profile
    }

    static var full: ImageMetadata {
        var metadata = ImageMetadata()
        metadata.exif = exif(orientation: 1)
        metadata.iccProfile = largeRGBProfile()
        metadata.xmp = Array("<x:xmpmeta xmlns:x='adobe:ns:meta/'><dc:title>Strand, 1962</dc:title></x:xmpmeta>".utf8)
        metadata.comments = ["Scanned by Grandpa", "Grüße aus Köln"]
        metadata.density = .init(x: 300, y: 300, unit: .inch)
        return metadata
    }
}

@Suite("metadata")
struct MetadataTests {
    static let picture = Image<UInt8>(width: 16, height: 8, layout: .rgb,
                                      samples: (0..<(16 * 8 * 3)).map { UInt8(truncatingIfNeeded: $0 * 7) })

    @Test("JPEG: EXIF, a 150 kB ICC profile over three segments, XMP, comments, IPTC and density go in and come back")
    func jpegRoundTrip() throws {
        var metadata = MetadataSamples.full
        metadata.photoshopResources = Array("8BIM\u{4}\u{4}".utf8) + [0, 0, 0, 0, 0, 4, 1, 2, 3, 4]
        let bytes = try ImageEncoder.encode(.eightBit(Self.picture), as: .jpeg, metadata: metadata)
        #expect(JPEGMetadata.segments(bytes).filter { $0.marker == 0xE2 }.count == 3)
        let back = try ImageMetadata.read(from: bytes)
        #expect(back == metadata)
        #expect(try ImageDecoder.decode(bytes).width == 16, "libjpeg still reads the file")
    }

    @Test("PNG: the same, in iCCP, eXIf, iTXt, tEXt and pHYs; libpng reads the file")
    func pngRoundTrip() throws {
        var metadata = MetadataSamples.full
        metadata.text = [.init(keyword: "Title", text: "Strand"), .init(keyword: "Author", text: "Ōta")]
        let bytes = try ImageEncoder.encode(.eightBit(Self.picture), as: .png, metadata: metadata)
        var back = try ImageMetadata.read(from: bytes)
        // pHYs counts per metre: 300 dpi is 11811 per metre, 299.9994 dpi back.
        #expect(back.density?.unit == .metre && abs(back.density!.dotsPerInch! - 300) < 0.01)
        back.density = metadata.density
        #expect(back == metadata)
        #expect(try ImageDecoder.decode(bytes) == Self.picture, "libpng reads the pixels unchanged")
        let sixteen = try ImageEncoder.encode(.sixteenBit(Self.picture.widened()), as: .png, metadata: metadata)
        #expect(try ImageDecoder.decodeWithMetadata(sixteen).pixels == .sixteenBit(Self.picture.widened()))
    }

    @Test("pixels turned upright: EXIF orientation becomes 1 and the thumbnail is unlinked and blanked")
    func orientation() throws {
        var metadata = ImageMetadata()
        metadata.exif = MetadataSamples.exif(orientation: 6)
        let bytes = try ImageEncoder.encode(.eightBit(Self.picture), as: .jpeg, metadata: metadata)
        let decoded = try ImageDecoder.decodeWithMetadata(bytes)
        #expect(decoded.pixels.width == 8 && decoded.pixels.height == 16, "turned 90°")
        let exif = try #require(decoded.metadata.exif)
        #expect(ExifOrientation(exif: exif.withUnsafeBufferPointer { $0 }) == .up)
        #expect(exif[34..<38] == [0, 0, 0, 0], "IFD0 links to no thumbnail directory")
        #expect(!exif.contains(0xAB), "the thumbnail's bytes are gone")
        #expect(exif[0..<34] == MetadataSamples.exif(orientation: 1)[0..<34], "the rest of IFD0 is as it was")
        var unturned = DecodingOptions()
        unturned.appliesOrientation = false
        #expect(try ImageDecoder.decodeWithMetadata(bytes, options: unturned).metadata.exif == metadata.exif)
    }

    @Test("PngSuite's text chunks (tEXt, zTXt, iTXt in several languages) are read", .enabled(if: TestData.available))
    func pngSuiteText() throws {
        let latin = try ImageMetadata.read(from: TestData.bytes("pngsuite/ct1n0g04.png"))
        #expect(latin.text.contains(.init(keyword: "Title", text: "PngSuite")), "\(latin.text)")
        let compressed = try ImageMetadata.read(from: TestData.bytes("pngsuite/ctzn0g04.png"))
        #expect(compressed.text.contains { $0.keyword == "Disclaimer" && $0.text.contains("Freeware") }, "\(compressed.text)")
        let greek = try ImageMetadata.read(from: TestData.bytes("pngsuite/ctgn0g04.png"))
        #expect(greek.text.contains { $0.keyword == "Copyright" && $0.language == "el" && $0.text.hasPrefix("Πνευματικά") }, "\(greek.text)")
        // Written back and read again, the international entries are unchanged.
        var metadata = ImageMetadata()
        metadata.text = greek.text
        #expect(try ImageMetadata.read(from: metadata.embedded(in: ImageEncoder.encodePNG(Self.picture))).text == greek.text)
    }

    @Test("a file whose compressed text would inflate past the metadata bound is refused, quickly")
    func textBomb() throws {
        let chunk = try Zlib.deflate([UInt8](repeating: 0x41, count: 1 << 20))  // 1 MiB of 'A' in about 1 kB
        var bytes = try ImageEncoder.encodePNG(Self.picture)
        var added: [UInt8] = []
        for _ in 0..<64 {
            let data = Array("Comment".utf8) + [0, 0] + chunk
            let typed = Array("zTXt".utf8) + data
            added += PNGMetadata.bigEndianBytes(UInt32(data.count)) + typed + PNGMetadata.bigEndianBytes(Zlib.crc32(typed))
        }
        bytes.insert(contentsOf: added, at: 33)  // after IHDR
        var options = DecodingOptions()
        options.maxMetadataBytes = 8 << 20
        let start = Date()
        #expect {
            try ImageDecoder.decodeWithMetadata(bytes, options: options)
        } throws: { error in
            guard case .limitExceeded(.metadataSize, _)? = error as? ImageIOError else { return false }
            return "\(error)".contains("--max-metadata-mb")
        }
        #expect(Date().timeIntervalSince(start) < 2)
        options.maxMetadataBytes = 128 << 20
        #expect(try ImageDecoder.decodeWithMetadata(bytes, options: options).metadata.comments.count == 64)
    }

    @Test("a gray profile becomes an RGB profile with sRGB primaries and the gray's own tone curve")
    func grayProfileForColour() throws {
        let gray = try #require(ICCProfile(MetadataSamples.grayProfile()))
        #expect(gray.colourSpace == "GRAY")
        let rgb = try #require(gray.rgbWithSameToneCurve())
        #expect(rgb.colourSpace == "RGB " && ICCProfile.u32(rgb.bytes, 0) == UInt32(rgb.bytes.count))
        for channel in ["rTRC", "gTRC", "bTRC"] { #expect(rgb.tag(channel) == gray.tag("kTRC")) }
        // The three colorants add up to the white point (D50): equal R, G, B are neutral.
        let colorants = ["rXYZ", "gXYZ", "bXYZ"].map { tag in
            (0..<3).map { Double(Int32(bitPattern: ICCProfile.u32(Array(rgb.tag(tag)!), 8 + 4 * $0))) / 65536 }
        }
        let sums = (0..<3).map { i in colorants.reduce(0) { $0 + $1[i] } }
        #expect(abs(sums[0] - 0.9642) < 0.001 && abs(sums[1] - 1) < 0.001 && abs(sums[2] - 0.8249) < 0.001, "\(sums)")

        var metadata = ImageMetadata()
        metadata.iccProfile = gray.bytes
        #expect(metadata.fitted(to: .gray).iccProfile == gray.bytes)
        #expect(metadata.forColorized().iccProfile == rgb.bytes)
        metadata.iccProfile = MetadataSamples.largeRGBProfile()
        #expect(metadata.fitted(to: .gray).iccProfile == nil, "an RGB profile cannot describe gray pixels")
    }

    @Test("file names that are not UTF-8 survive the trip through a String")
    func fileNames() {
        let bytes: [UInt8] = [0x63, 0x61, 0x66, 0xE9, 0x2E, 0x6A, 0x70, 0x67, 0xC3, 0xA9, 0xFF, 0xC3]
        let name = FileNames.decode(bytes)
        #expect(FileNames.bytes(name) == bytes)
        #expect(FileNames.display(name) == "caf\\xE9.jpgé\\xFF\\xC3")
        #expect(FileNames.decode(Array("plain/ünïcode.png".utf8)) == "plain/ünïcode.png")
    }

    @Test("formats chroma does not read are named")
    func unsupportedFormats() {
        #expect(throws: ImageIOError.unsupportedFormat("GIF")) { try ImageDecoder.decode(Array("GIF89a".utf8) + [0, 0, 0, 0]) }
        #expect(throws: ImageIOError.unsupportedFormat("BigTIFF")) { try ImageDecoder.decode([0x49, 0x49, 0x2B, 0, 8, 0, 0, 0]) }
        #expect(ImageFormat.unsupportedName(pathExtension: "HEIC") == "HEIF")
        #expect(ImageFormat.unsupportedName(pathExtension: "tif") == nil, "TIFF is read")
    }
}
